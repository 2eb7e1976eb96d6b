// Keys of c2sp.org/signed-note@v1.0.0: key names, key IDs, verifier keys (vkeys) and the signer
// keys (skeys) of Go's golang.org/x/mod/sumdb/note, and the Ed25519 (type 0x01) verifier and
// signer. Cosignature/v1 (type 0x04) verifiers and signers live in cosignature.ts.
//
//   vkey = <key name> "+" <key ID, 8 lowercase hex digits> "+" base64(type || public key)
//   skey = "PRIVATE+KEY+" <key name> "+" <key ID> "+" base64(type || 32-byte Ed25519 seed)

import { UndersignedError } from './errors.ts';
import {
  concatBytes,
  fromBase64,
  fromHex,
  readUint,
  toBase64,
  toHex,
  utf8Encode,
} from './bytes.ts';
import { sha256 } from './hash.ts';
import {
  isAcceptablePublicKey,
  publicKeyFromSeed,
  SEED_SIZE,
  signEd25519,
  verifyEd25519,
} from './ed25519.ts';

/** Signature type 0x01: Ed25519 over the note text (signed-note "Ed25519 signatures"). */
export const KEY_TYPE_ED25519 = 0x01;
/** Signature type 0x04: timestamped Ed25519 cosignature/v1 (c2sp.org/tlog-cosignature). */
export const KEY_TYPE_COSIGNATURE = 0x04;

/** The signature types we support. Policy: no others (ECDSA, RFC 6962, ML-DSA are refused). */
export type KeyType = typeof KEY_TYPE_ED25519 | typeof KEY_TYPE_COSIGNATURE;

/** A parsed vkey: the public half of a note key. */
export interface VerifierKey {
  name: string;
  keyId: number; // uint32
  type: KeyType;
  publicKey: Uint8Array; // 32 bytes, Ed25519
}

/** A parsed skey: the private half of a note key. */
export interface SignerKey {
  name: string;
  keyId: number; // uint32
  type: KeyType;
  seed: Uint8Array; // 32 bytes, RFC 8032 seed
}

/** Checks the signatures of one key, like Go's note.Verifier. Never throws on bad input. */
export interface Verifier {
  readonly name: string;
  readonly keyId: number;
  /** Whether `signature` (the bytes after the key ID) is valid for the note `text`. */
  verify(text: Uint8Array, signature: Uint8Array): boolean;
}

/** Signs note texts with one key, like Go's note.Signer. */
export interface Signer {
  readonly name: string;
  readonly keyId: number;
  /** The signature of the note `text`, without the key ID. */
  sign(text: Uint8Array): Uint8Array;
}

const KEY_ID_HEX = /^[0-9a-f]{8}$/;

/**
 * Whether `name` is a valid key name: non-empty, with no Unicode space and no '+'
 * (signed-note §Format). Notes also forbid controls below U+0020, and UTF-8 has no lone
 * surrogates: names with either are refused too.
 */
export function isValidKeyName(name: string): boolean {
  // eslint-disable-next-line no-control-regex -- controls are exactly what this refuses
  return name !== '' && !/[\p{White_Space}+\u0000-\u001f\p{Cs}]/u.test(name);
}

/** key ID = SHA-256(key name || 0x0A || signature type || public key)[:4], big-endian (signed-note §Signatures). */
export function keyId(name: string, type: number, publicKey: Uint8Array): number {
  const hash = sha256(utf8Encode(name), Uint8Array.of(0x0a, type), publicKey);
  return readUint(hash, 0, 4);
}

function formatKeyId(id: number): string {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, id);
  return toHex(bytes);
}

/** `<name>+<hex key ID>`, the way errors and logs name a key. */
export function formatKeyHint(name: string, id: number): string {
  return `${name}+${formatKeyId(id)}`;
}

/** Splits `text` at the first `sep`, like Go's note.chop; `rest` is undefined when absent. */
function chop(text: string, sep: string): [string, string | undefined] {
  const i = text.indexOf(sep);
  return i < 0 ? [text, undefined] : [text.slice(0, i), text.slice(i + 1)];
}

/** Parses `<name>+<hex id>+<base64(type || key)>`: the shared tail of vkeys and skeys. */
function parseKeyParts(
  text: string,
  what: string
): { name: string; id: number; type: KeyType; key: Uint8Array } {
  const bad = (why: string): UndersignedError =>
    new UndersignedError('MALFORMED_KEY', `${what}: ${why}`);
  const [name, rest] = chop(text, '+');
  if (!isValidKeyName(name)) throw bad('invalid key name');
  const [hex, key64] = chop(rest ?? '', '+');
  // Policy: lowercase hex only, as Go formats it (Go's strconv.ParseUint would take uppercase).
  if (!KEY_ID_HEX.test(hex) || key64 === undefined) {
    throw bad('expected <name>+<8 hex digits>+<base64>');
  }
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(key64);
  } catch (cause) {
    throw new UndersignedError('MALFORMED_KEY', `${what}: invalid base64`, { cause });
  }
  const type = bytes[0];
  if (type !== KEY_TYPE_ED25519 && type !== KEY_TYPE_COSIGNATURE) {
    throw bad(
      type === undefined
        ? 'empty key'
        : `unsupported signature type 0x${toHex(bytes.subarray(0, 1))}`
    );
  }
  const key = bytes.slice(1);
  if (key.length !== 32) throw bad(`expected a 32-byte key, got ${key.length}`);
  return { name, id: readUint(fromHex(hex), 0, 4), type, key };
}

/** Parses a vkey, checking its key ID against its name, type and public key. Throws MALFORMED_KEY. */
export function parseVerifierKey(vkey: string): VerifierKey {
  const { name, id, type, key } = parseKeyParts(vkey, 'vkey');
  if (keyId(name, type, key) !== id) {
    throw new UndersignedError('MALFORMED_KEY', 'vkey: key ID does not match the key');
  }
  // Policy: refuse keys that our Ed25519 rule (ed25519.ts) would never accept a signature from.
  if (!isAcceptablePublicKey(key)) {
    throw new UndersignedError('MALFORMED_KEY', 'vkey: unacceptable Ed25519 public key');
  }
  return { name, keyId: id, type, publicKey: key };
}

/** Formats a vkey: `<name>+<hex key ID>+<base64(type || public key)>`. */
export function formatVerifierKey(key: VerifierKey): string {
  checkKey(key.name, key.type, key.publicKey);
  if (keyId(key.name, key.type, key.publicKey) !== key.keyId) {
    throw new RangeError('key ID does not match the key');
  }
  return `${formatKeyHint(key.name, key.keyId)}+${toBase64(concatBytes(Uint8Array.of(key.type), key.publicKey))}`;
}

/**
 * Parses Go's skey, checking its key ID against the public key of its seed. Throws MALFORMED_KEY.
 * Policy: besides Go's type 0x01, we accept type 0x04 (cosignature/v1) skeys of the same form.
 */
export function parseSignerKey(skey: string): SignerKey {
  if (!skey.startsWith('PRIVATE+KEY+')) {
    throw new UndersignedError('MALFORMED_KEY', 'skey: expected PRIVATE+KEY+');
  }
  const { name, id, type, key } = parseKeyParts(skey.slice('PRIVATE+KEY+'.length), 'skey');
  if (keyId(name, type, publicKeyFromSeed(key)) !== id) {
    throw new UndersignedError('MALFORMED_KEY', 'skey: key ID does not match the key');
  }
  return { name, keyId: id, type, seed: key };
}

/** Formats Go's skey: `PRIVATE+KEY+<name>+<hex key ID>+<base64(type || seed)>`. */
export function formatSignerKey(key: SignerKey): string {
  checkKey(key.name, key.type, key.seed);
  if (keyId(key.name, key.type, publicKeyFromSeed(key.seed)) !== key.keyId) {
    throw new RangeError('key ID does not match the key');
  }
  return `PRIVATE+KEY+${formatKeyHint(key.name, key.keyId)}+${toBase64(concatBytes(Uint8Array.of(key.type), key.seed))}`;
}

/** The signer key of a 32-byte `seed` (randomness is the caller's), like Go's note.GenerateKey. */
export function generateSignerKey(
  name: string,
  seed: Uint8Array,
  type: KeyType = KEY_TYPE_ED25519
): SignerKey {
  checkKey(name, type, seed);
  return { name, keyId: keyId(name, type, publicKeyFromSeed(seed)), type, seed: seed.slice() };
}

/** The verifier key of a signer key. */
export function verifierKeyOf(key: SignerKey): VerifierKey {
  checkKey(key.name, key.type, key.seed);
  const publicKey = publicKeyFromSeed(key.seed);
  return { name: key.name, keyId: keyId(key.name, key.type, publicKey), type: key.type, publicKey };
}

/** The verifier of an Ed25519 (type 0x01) key: RFC 8032 over the note text. */
export function ed25519Verifier(key: VerifierKey): Verifier {
  if (key.type !== KEY_TYPE_ED25519) {
    throw new RangeError('ed25519Verifier expects a type 0x01 key');
  }
  const publicKey = key.publicKey.slice();
  return {
    name: key.name,
    keyId: key.keyId,
    verify: (text, signature) => verifyEd25519(publicKey, text, signature),
  };
}

/** The signer of an Ed25519 (type 0x01) key. */
export function ed25519Signer(key: SignerKey): Signer {
  if (key.type !== KEY_TYPE_ED25519) throw new RangeError('ed25519Signer expects a type 0x01 key');
  const seed = key.seed.slice();
  return { name: key.name, keyId: key.keyId, sign: (text) => signEd25519(seed, text) };
}

function checkKey(name: string, type: number, key: Uint8Array): void {
  if (!isValidKeyName(name)) throw new RangeError('invalid key name');
  if (type !== KEY_TYPE_ED25519 && type !== KEY_TYPE_COSIGNATURE) {
    throw new RangeError(`unsupported key type ${type}`);
  }
  if (!(key instanceof Uint8Array) || key.length !== SEED_SIZE) {
    throw new RangeError('expected a 32-byte key');
  }
}
