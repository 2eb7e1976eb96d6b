// Log origins and key names (docs/PROTOCOL.md §6.2). A log's origin names the letter it holds
// and the key that signs it, so a checkpoint cannot be passed off as another letter's or
// another log's:
//
//   origin      = "undersigned/" || hex(letter ID) || "/" || hex(SHA-256(log public key)[:8])
//   witness     = "undersigned/witness/" || hex(SHA-256(witness public key)[:8])

import { UndersignedError } from './errors.ts';
import { equalBytes, fromHex, toHex } from './bytes.ts';
import { sha256 } from './hash.ts';

const ORIGIN = /^undersigned\/([0-9a-f]{64})\/([0-9a-f]{16})$/;

/** The origin of the log for `letterId` signed by the Ed25519 key `logPublicKey`. */
export function logOrigin(letterId: Uint8Array, logPublicKey: Uint8Array): string {
  return `undersigned/${toHex(letterId)}/${keyFingerprint(logPublicKey)}`;
}

/** The cosigner key name of a mirror's witness key. */
export function witnessName(witnessPublicKey: Uint8Array): string {
  return `undersigned/witness/${keyFingerprint(witnessPublicKey)}`;
}

/** The letter ID and key fingerprint an origin names. Throws WRONG_ORIGIN. */
export function parseLogOrigin(origin: string): { letterId: Uint8Array; keyFingerprint: string } {
  const match = ORIGIN.exec(origin);
  if (!match)
    throw new UndersignedError(
      'WRONG_ORIGIN',
      'origin is not of the form undersigned/<letter ID>/<key>'
    );
  return { letterId: fromHex(match[1] ?? ''), keyFingerprint: match[2] ?? '' };
}

/**
 * Checks that `origin` is the origin of a log of `letterId` signed by `logPublicKey`.
 * Throws WRONG_ORIGIN.
 */
export function checkLogOrigin(
  origin: string,
  letterId: Uint8Array,
  logPublicKey: Uint8Array
): void {
  const parsed = parseLogOrigin(origin);
  if (!equalBytes(parsed.letterId, letterId)) {
    throw new UndersignedError('WRONG_ORIGIN', 'log origin names another letter');
  }
  if (parsed.keyFingerprint !== keyFingerprint(logPublicKey)) {
    throw new UndersignedError('WRONG_ORIGIN', 'log origin names another key');
  }
}

function keyFingerprint(publicKey: Uint8Array): string {
  return toHex(sha256(publicKey).subarray(0, 8));
}
