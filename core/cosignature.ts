// Ed25519 cosignatures, c2sp.org/tlog-cosignature@v1.0.1 (cosignature/v1, signature type 0x04).
//
//   key ID    = SHA-256(<name> || "\n" || 0x04 || 32-byte Ed25519 public key)[:4]
//   signature = key ID (4) || timestamp (u64, big-endian) || Ed25519 signature (64)
//   message   = "cosignature/v1\n" || "time " <decimal timestamp> "\n" || <whole checkpoint note text>
//
// The message covers the whole note text, extension lines and final newline included
// (§Ed25519 signed message). The v1 message does not commit to the cosigner's name, so one key
// must never serve two cosigners.
//
// Policy: timestamps are JavaScript numbers, POSIX seconds up to 2^53 − 1 (the year 285 million).
// The spec allows up to 2^63 − 1 and lets verifiers reject timestamps in the future; a timestamp
// above 2^53 − 1 is always in the future, so such a cosignature is invalid here.

import { UndersignedError } from './errors.ts';
import { concatBytes, readUint, utf8Encode, writeUint } from './bytes.ts';
import { publicKeyFromSeed, signEd25519, verifyEd25519, SIGNATURE_SIZE } from './ed25519.ts';
import {
  isValidKeyName,
  KEY_TYPE_COSIGNATURE,
  keyId,
  type Signer,
  type SignerKey,
  type Verifier,
  type VerifierKey,
} from './note-key.ts';
import type { NoteSignature } from './note.ts';

const TIMESTAMP_SIZE = 8;
/** Size of a cosignature/v1 signature after the key ID: timestamp (8) || Ed25519 signature (64). */
export const COSIGNATURE_SIZE = TIMESTAMP_SIZE + SIGNATURE_SIZE;

/** A decoded cosignature/v1 signature (the bytes after the key ID). */
export interface Cosignature {
  timestamp: number; // POSIX seconds
  signature: Uint8Array; // 64-byte Ed25519 signature
}

function checkTimestamp(timestamp: number): void {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new RangeError(`timestamp must be an integer in [0, 2^53 - 1], got ${String(timestamp)}`);
  }
}

/** The signed message: "cosignature/v1\ntime <timestamp>\n" followed by the note text. */
export function formatCosignedMessage(text: Uint8Array, timestamp: number): Uint8Array {
  checkTimestamp(timestamp);
  return concatBytes(utf8Encode(`cosignature/v1\ntime ${timestamp}\n`), text);
}

/** Decodes the 72 bytes after the key ID. Throws MALFORMED_COSIGNATURE. */
export function parseCosignature(signature: Uint8Array): Cosignature {
  if (signature.length !== COSIGNATURE_SIZE) {
    throw new UndersignedError(
      'MALFORMED_COSIGNATURE',
      `expected ${COSIGNATURE_SIZE} bytes, got ${signature.length}`
    );
  }
  // u64 big-endian, read as two halves: the high half must stay below 2^21 (see Policy above).
  const high = readUint(signature, 0, 4);
  if (high >= 2 ** 21) {
    throw new UndersignedError('MALFORMED_COSIGNATURE', 'timestamp above 2^53 - 1');
  }
  const timestamp = high * 2 ** 32 + readUint(signature, 4, 4);
  return { timestamp, signature: signature.slice(TIMESTAMP_SIZE) };
}

/** Encodes a cosignature as the bytes after the key ID: timestamp (u64 big-endian) || signature. */
export function formatCosignature(cosignature: Cosignature): Uint8Array {
  checkTimestamp(cosignature.timestamp);
  if (cosignature.signature.length !== SIGNATURE_SIZE) {
    throw new RangeError('expected a 64-byte signature');
  }
  const out = new Uint8Array(COSIGNATURE_SIZE);
  writeUint(out, 0, TIMESTAMP_SIZE, cosignature.timestamp); // arithmetic, exact for safe integers
  out.set(cosignature.signature, TIMESTAMP_SIZE);
  return out;
}

function checkText(text: string): Uint8Array {
  if (!text.endsWith('\n')) throw new RangeError('a checkpoint note text ends in a newline');
  return utf8Encode(text);
}

/**
 * Cosigns the checkpoint note `text` at `timestamp` (POSIX seconds, a parameter) with a 32-byte
 * Ed25519 `seed`: the signature line of cosigner `name`, ready for formatNote.
 */
export function signCosignature(
  text: string,
  seed: Uint8Array,
  name: string,
  timestamp: number
): NoteSignature {
  if (!isValidKeyName(name)) throw new RangeError('invalid key name');
  const message = formatCosignedMessage(checkText(text), timestamp);
  const signature = formatCosignature({ timestamp, signature: signEd25519(seed, message) });
  return { name, keyId: keyId(name, KEY_TYPE_COSIGNATURE, publicKeyFromSeed(seed)), signature };
}

/**
 * Whether `signature` is a valid cosignature/v1 by `key` on the checkpoint note `text`: same
 * name and key ID, a well-formed timestamp, and a valid Ed25519 signature. Never throws on bad
 * signatures.
 */
export function verifyCosignature(
  text: string,
  key: VerifierKey,
  signature: NoteSignature
): boolean {
  if (key.type !== KEY_TYPE_COSIGNATURE) {
    throw new RangeError('verifyCosignature expects a type 0x04 key');
  }
  if (signature.name !== key.name || signature.keyId !== key.keyId) return false;
  return cosignatureVerifier(key).verify(utf8Encode(text), signature.signature);
}

/** The note verifier of a cosignature/v1 (type 0x04) key, for openNote. */
export function cosignatureVerifier(key: VerifierKey): Verifier {
  if (key.type !== KEY_TYPE_COSIGNATURE) {
    throw new RangeError('cosignatureVerifier expects a type 0x04 key');
  }
  const publicKey = key.publicKey.slice();
  return {
    name: key.name,
    keyId: key.keyId,
    verify(text, signature) {
      let cosignature: Cosignature;
      try {
        cosignature = parseCosignature(signature);
      } catch {
        return false;
      }
      const message = formatCosignedMessage(text, cosignature.timestamp);
      return verifyEd25519(publicKey, message, cosignature.signature);
    },
  };
}

/** The note signer of a cosignature/v1 (type 0x04) key, cosigning at `timestamp`. */
export function cosignatureSigner(key: SignerKey, timestamp: number): Signer {
  if (key.type !== KEY_TYPE_COSIGNATURE) {
    throw new RangeError('cosignatureSigner expects a type 0x04 key');
  }
  checkTimestamp(timestamp);
  const seed = key.seed.slice();
  return {
    name: key.name,
    keyId: key.keyId,
    sign(text) {
      const message = formatCosignedMessage(text, timestamp);
      return formatCosignature({ timestamp, signature: signEd25519(seed, message) });
    },
  };
}
