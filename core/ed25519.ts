// Ed25519 (RFC 8032) through @noble/ed25519: the only importer of it, and the one place where
// the verification rule is decided. The fast WebCrypto path (ed25519-batch.ts) applies the same
// rule and must reach the same verdict on every input.
//
// Policy: strict RFC 8032, cofactorless. A signature (R, S) on message M by public key A is valid
// iff all of these hold:
//   1. A is 32 bytes, a canonical encoding (y < p) of a point on the curve, not of small order;
//   2. S < L (RFC 8032 §5.1.7 step 1);
//   3. encode([S]B − [k]A) equals R byte for byte, where k = SHA-512(R || A || M) mod L.
// Step 3 is the cofactorless check that RFC 8032 §5.1.7 allows; comparing encodings also refuses
// a non-canonical R. OpenSSL and BoringSSL (Node's and Chromium's WebCrypto) implement step 3 the
// same way; rule 1 is checked here in front of them, since libraries disagree on such keys.

import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { assertBytes, concatBytes } from './bytes.ts';

ed.hashes.sha512 = sha512; // set once, here, and nowhere else

export const PUBLIC_KEY_SIZE = 32;
export const SIGNATURE_SIZE = 64;
export const SEED_SIZE = 32;

const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

function bytesToNumberLE(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i] ?? 0);
  return n;
}

/** Whether the y coordinate of an encoded point is canonical (y < p), RFC 8032 §5.1.3 step 1. */
function isCanonicalY(encoded: Uint8Array): boolean {
  const y = bytesToNumberLE(encoded) & ((1n << 255n) - 1n);
  return y < P;
}

/** Whether S, the second half of a signature, is below the group order L (RFC 8032 §5.1.7). */
export function isCanonicalScalar(signature: Uint8Array): boolean {
  return bytesToNumberLE(signature.subarray(32, 64)) < L;
}

/**
 * Whether `publicKey` may be used at all under our rule: a canonical encoding of a curve point
 * that is not of small order. Checked before any backend sees the key.
 */
export function isAcceptablePublicKey(publicKey: Uint8Array): boolean {
  if (publicKey.length !== PUBLIC_KEY_SIZE || !isCanonicalY(publicKey)) return false;
  try {
    const A = ed.Point.fromBytes(publicKey, false);
    return !A.isSmallOrder();
  } catch {
    return false;
  }
}

/**
 * Verifies an Ed25519 signature under the strict rule above, in pure JavaScript. Never throws
 * on bad signatures or keys: it returns false.
 */
export function verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  assertBytes(message, undefined, 'message');
  if (!(publicKey instanceof Uint8Array) || !(signature instanceof Uint8Array)) return false;
  if (signature.length !== SIGNATURE_SIZE || !isCanonicalScalar(signature)) return false;
  if (!isAcceptablePublicKey(publicKey)) return false;
  try {
    const A = ed.Point.fromBytes(publicKey, false);
    const R = signature.subarray(0, 32);
    const S = bytesToNumberLE(signature.subarray(32, 64));
    const k = bytesToNumberLE(sha512(concatBytes(R, publicKey, message))) % L;
    // [S]B − [k]A, compared as an encoding with R (RFC 8032 §5.1.7 step 3, cofactorless).
    const check = ed.Point.BASE.multiplyUnsafe(S).subtract(A.multiplyUnsafe(k));
    const encoded = check.toBytes();
    for (let i = 0; i < 32; i++) if (encoded[i] !== R[i]) return false;
    return true;
  } catch {
    return false;
  }
}

/** The public key of a 32-byte RFC 8032 seed. */
export function publicKeyFromSeed(seed: Uint8Array): Uint8Array {
  return ed.getPublicKey(assertBytes(seed, SEED_SIZE, 'seed'));
}

/** Signs `message` with a 32-byte RFC 8032 seed (deterministic, RFC 8032 §5.1.6). */
export function signEd25519(seed: Uint8Array, message: Uint8Array): Uint8Array {
  return ed.sign(assertBytes(message, undefined, 'message'), assertBytes(seed, SEED_SIZE, 'seed'));
}
