// Ed25519 (RFC 8032) through @noble/ed25519: the only importer of it, and the one place where
// the verification rule is decided. The fast WebCrypto path (ed25519-batch.ts) applies the same
// rule and must reach the same verdict on every input (tests/vectors/ed25519/).
//
// Policy: strict RFC 8032, cofactorless (docs/PROTOCOL.md §4). A signature (R, S) on message M
// by public key A is valid iff all of these hold:
//   1. A is 32 bytes, a canonical encoding (y < p) of a point on the curve, not of small order;
//   2. S < L (RFC 8032 §5.1.7 step 1), and R is not an encoding of a point of small order;
//   3. encode([S]B − [k]A) equals R byte for byte, where k = SHA-512(R || A || M) mod L.
// Step 3 is the cofactorless check that RFC 8032 §5.1.7 allows; comparing encodings also refuses
// a non-canonical R. OpenSSL and BoringSSL (Node's and Chromium's WebCrypto) implement step 3 the
// same way; rules 1 and 2 are checked here in front of them, since libraries disagree there
// (OpenSSL 3.5 refuses a small-order R, which RFC 8032 allows: tests/vectors/ed25519/SOURCES.md).
// Rules 1 (but the on-curve test) and 2 are byte comparisons: they run for every log entry.

import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { assertBytes, concatBytes, fromHex } from './bytes.ts';

ed.hashes.sha512 = sha512; // set once, here, and nowhere else

export const PUBLIC_KEY_SIZE = 32;
export const SIGNATURE_SIZE = 64;
export const SEED_SIZE = 32;

const L = 2n ** 252n + 27742317777372353535851937790883648493n;

// L = 2^252 + 27742317777372353535851937790883648493, little-endian (RFC 8032 §5.1).
const L_BYTES = fromHex('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010');

// The y coordinates (little-endian, sign bit clear) of the 8 points of small order: the identity
// (y = 1), the point of order 2 (y = p − 1), the 2 of order 4 (y = 0), and the 4 of order 8
// (y = ±y8); then y = p and p + 1, not canonical, which decoders that reduce y take for 0 and 1.
// With either sign bit these are the 14 encodings of a small-order point: 8 canonical, and 6
// with y ≥ p or with x = 0 and the sign bit set. Derived from the curve arithmetic in
// tests/vectors/ed25519/generate.ts, which lists all 14.
const SMALL_ORDER_Y = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map((hex) => fromHex(hex));

function bytesToNumberLE(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i] ?? 0);
  return n;
}

/** Whether the y coordinate of an encoded point is canonical (y < p), RFC 8032 §5.1.3 step 1. */
function isCanonicalY(encoded: Uint8Array): boolean {
  // p = 2^255 − 19 is ed ff .. ff 7f little-endian: y ≥ p only if y is p + 0..18.
  if (((encoded[31] ?? 0) & 0x7f) !== 0x7f) return true;
  for (let i = 30; i > 0; i--) if (encoded[i] !== 0xff) return true;
  return (encoded[0] ?? 0) < 0xed;
}

/**
 * Whether 32 bytes (a key A or a signature's R) are one of the 14 encodings of a point of small
 * order, canonical or not: whether they decode, leniently, to a point of order 1, 2, 4 or 8.
 */
export function isSmallOrderEncoding(encoded: Uint8Array): boolean {
  if (encoded.length !== 32) return false;
  next: for (const y of SMALL_ORDER_Y) {
    for (let i = 0; i < 31; i++) if (encoded[i] !== y[i]) continue next;
    if (((encoded[31] ?? 0) & 0x7f) === y[31]) return true;
  }
  return false;
}

/** Whether S, the second half of a 64-byte signature, is below the group order L (RFC 8032 §5.1.7). */
export function isCanonicalScalar(signature: Uint8Array): boolean {
  if (signature.length !== SIGNATURE_SIZE) return false;
  // Compare S with L from the most significant byte down.
  for (let i = 31; i >= 0; i--) {
    const s = signature[32 + i] ?? 0;
    const l = L_BYTES[i] ?? 0;
    if (s !== l) return s < l;
  }
  return false; // S = L
}

/**
 * Whether `publicKey` passes rule 1 as far as bytes tell: 32 bytes, y < p, and not an encoding of
 * a small-order point. Byte comparisons only, cheap enough for every entry. It does not test that
 * the key is on the curve (a square root, see isCurvePoint): no signature by a key off the curve
 * verifies on either path, so for verifying signatures this is the whole of rule 1.
 */
export function isAcceptablePublicKey(publicKey: Uint8Array): boolean {
  return (
    publicKey instanceof Uint8Array &&
    publicKey.length === PUBLIC_KEY_SIZE &&
    isCanonicalY(publicKey) &&
    !isSmallOrderEncoding(publicKey)
  );
}

/**
 * Whether 32 bytes are the canonical encoding of a curve point (RFC 8032 §5.1.3: y < p, x = 0
 * only with the sign bit clear). Costs a square root (about 0.2 ms): for checking a key once,
 * as when reading a vkey, not per signature.
 */
export function isCurvePoint(encoded: Uint8Array): boolean {
  if (!(encoded instanceof Uint8Array) || encoded.length !== PUBLIC_KEY_SIZE) return false;
  try {
    ed.Point.fromBytes(encoded, false);
    return true;
  } catch {
    return false;
  }
}

/**
 * Verifies an Ed25519 signature under the strict rule above, in pure JavaScript. Never throws
 * on bad signatures or keys: it returns false.
 */
export function verifyEd25519(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array
): boolean {
  assertBytes(message, undefined, 'message');
  if (!(signature instanceof Uint8Array) || !isCanonicalScalar(signature)) return false; // rule 2
  if (isSmallOrderEncoding(signature.subarray(0, 32))) return false; // rule 2
  if (!isAcceptablePublicKey(publicKey)) return false; // rule 1, bytes
  try {
    const A = ed.Point.fromBytes(publicKey, false); // rule 1: on the curve, or it throws
    // Rule 1 again by arithmetic, independently of the byte list: the paths' agreement on
    // small-order keys is then a test of that list (tests/core/ed25519-batch.test.ts).
    if (A.isSmallOrder()) return false;
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
