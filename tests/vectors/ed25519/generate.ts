// Generates edge-cases.json: Ed25519 (RFC 8032) edge cases of the kinds Wycheproof's EdDSA tests
// and ZIP-215 cover, each with its verdict under our rule (core/ed25519.ts, docs/PROTOCOL.md §4).
// Everything is derived here from the curve arithmetic of @noble/ed25519 and a fixed seed; no
// vector is copied from elsewhere. `node tests/vectors/ed25519/generate.ts` rewrites the file,
// and tests/core/ed25519.test.ts checks that doing so changes nothing.
//
// Each case's verdict is stated by its construction and checked against `ruleVerdict` below, an
// implementation of the rule written with bigints and independent of core/ed25519.ts.

import { writeFileSync } from 'node:fs';
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, equalBytes, toHex, utf8Encode } from '../../../core/bytes.ts';
import { publicKeyFromSeed, signEd25519 } from '../../../core/ed25519.ts';

type Point = ed.Point;
const { Point } = ed;
const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const B = Point.BASE;

export type EdgeCase = {
  readonly id: string;
  readonly comment: string;
  readonly publicKey: string; // hex
  readonly message: string; // hex
  readonly signature: string; // hex
  /** The verdict under our rule. */
  readonly expected: boolean;
  /** The verdict of @noble/ed25519's ZIP-215 mode (`verify(..., { zip215: true })`), for reference. */
  readonly zip215: boolean;
  /**
   * The group equations the signature satisfies, on points decoded leniently (any y < 2^255, any
   * sign bit) and whatever the range of S; absent when A or R does not decode.
   */
  readonly equations?: readonly string[];
};

export type SmallOrderEncoding = {
  readonly encoding: string;
  readonly order: number;
  readonly canonical: boolean;
};

export type EdgeCaseFile = {
  readonly comment: string;
  readonly smallOrderEncodings: readonly SmallOrderEncoding[];
  readonly cases: readonly EdgeCase[];
};

// Deterministic bytes: SHA-512("undersigned/ed25519-vectors/<label>/<counter>"), concatenated.
function bytes(label: string, length: number): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (let i = 0; i * 64 < length; i++)
    blocks.push(sha512(utf8Encode(`undersigned/ed25519-vectors/${label}/${i}`)));
  return concatBytes(...blocks).slice(0, length);
}

function fromLE(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i] ?? 0);
  return n;
}

function toLE(n: bigint, length = 32): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++, n >>= 8n) out[i] = Number(n & 255n);
  return out;
}

const scalar = (label: string): bigint => fromLE(bytes(label, 64)) % L;

/** [n]Q for any n ≥ 0 and any curve point (noble's multiply wants n < L); every order divides 8L. */
function mul(Q: Point, n: bigint): Point {
  if (Q === B) return n % L === 0n ? Point.ZERO : B.multiply(n % L, false); // noble's fast path
  const small = Q.double().double().double().is0(); // small order: only n mod 8 matters
  let acc = Point.ZERO;
  for (let m = n % (small ? 8n : 8n * L), d = Q; m > 0n; m >>= 1n, d = d.double())
    if (m & 1n) acc = acc.add(d);
  return acc;
}

/** k = SHA-512(R || A || M) as a little-endian integer, not reduced (RFC 8032 §5.1.7 step 2). */
const hashK = (R: Uint8Array, A: Uint8Array, M: Uint8Array): bigint =>
  fromLE(sha512(concatBytes(R, A, M)));

function decodeLenient(encoded: Uint8Array): Point | undefined {
  try {
    return Point.fromBytes(encoded, true);
  } catch {
    return undefined;
  }
}

/** Our rule (docs/PROTOCOL.md §4), with bigints and curve arithmetic only. */
export function ruleVerdict(A: Uint8Array, M: Uint8Array, sig: Uint8Array): boolean {
  if (A.length !== 32 || sig.length !== 64) return false;
  if (fromLE(A) % 2n ** 255n >= P) return false; // 1. canonical y
  let point: Point;
  try {
    point = Point.fromBytes(A, false); // 1. on the curve (and x = 0 only with the sign bit clear)
  } catch {
    return false;
  }
  if (mul(point, 8n).is0()) return false; // 1. not of small order
  const S = fromLE(sig.subarray(32));
  if (S >= L) return false; // 2.
  const R = sig.subarray(0, 32);
  const r = decodeLenient(R);
  if (r !== undefined && mul(r, 8n).is0()) return false; // 2. R not of small order
  const k = hashK(R, A, M) % L;
  return equalBytes(mul(B, S).subtract(mul(point, k)).toBytes(), R); // 3.
}

function zip215Verdict(A: Uint8Array, M: Uint8Array, sig: Uint8Array): boolean {
  try {
    return ed.verify(sig, M, A, { zip215: true });
  } catch {
    return false;
  }
}

function equations(A: Uint8Array, M: Uint8Array, sig: Uint8Array): string[] | undefined {
  if (A.length !== 32 || sig.length !== 64) return undefined;
  const a = decodeLenient(A);
  const r = decodeLenient(sig.subarray(0, 32));
  if (a === undefined || r === undefined) return undefined;
  const S = fromLE(sig.subarray(32));
  const k = hashK(sig.subarray(0, 32), A, M);
  const SB = mul(B, S);
  const kA = mul(a, k % L);
  const out: string[] = [];
  // [S]B = R + [k mod L]A: our rule's equation, on points.
  if (SB.subtract(kA).equals(r)) out.push('cofactorless');
  // [S]B = R + [k]A with the 512-bit k not reduced (differs when A has a torsion component).
  if (SB.subtract(mul(a, k)).equals(r)) out.push('cofactorless, k not reduced');
  // [8][S]B = [8]R + [8][k]A, RFC 8032 §5.1.7 step 3 (what ZIP-215 checks).
  if (mul(SB.subtract(kA).subtract(r), 8n).is0()) out.push('cofactored');
  // [8S mod L]B = [8]R + [8k mod L]A: cofactored, with the scalars 8S and 8k reduced mod L first.
  if (
    mul(B, 8n * S)
      .subtract(mul(a, (8n * k) % L))
      .subtract(mul(r, 8n))
      .is0()
  ) {
    out.push('cofactored, 8k reduced mod L');
  }
  return out;
}

/** The 8 points of small order, [i]T for a point T of order 8, found from the curve itself. */
function smallOrderPoints(): Point[] {
  for (let y = 2n; ; y++) {
    const Q = decodeLenient(toLE(y));
    if (Q === undefined) continue;
    const T = mul(Q, L); // the torsion component of Q, times L (a unit mod 8)
    if (mul(T, 4n).is0()) continue; // want order 8
    return Array.from({ length: 8 }, (_, i) => mul(T, BigInt(i)));
  }
}

function orderOf(T: Point): number {
  for (let n = 1; n <= 8; n *= 2) if (mul(T, BigInt(n)).is0()) return n;
  throw new Error('bug: not a small-order point');
}

/** Every 32-byte encoding of a small-order point: 8 canonical, 6 not (y ≥ p, or x = 0 with a sign). */
function smallOrderEncodings(
  points: readonly Point[]
): { bytes: Uint8Array; point: Point; order: number; canonical: boolean }[] {
  const out = [];
  for (const T of points) {
    const canonical = T.toBytes();
    out.push({ bytes: canonical, point: T, order: orderOf(T), canonical: true });
    const y = fromLE(canonical) % 2n ** 255n;
    for (const yy of [y, y + P]) {
      for (const sign of [0n, 1n]) {
        if (yy >= 2n ** 255n) continue;
        const encoding = toLE(yy + (sign << 255n));
        if (equalBytes(encoding, canonical)) continue;
        if (decodeLenient(encoding)?.equals(T))
          out.push({ bytes: encoding, point: T, order: orderOf(T), canonical: false });
      }
    }
  }
  return out.sort(
    (a, b) =>
      a.order - b.order ||
      Number(b.canonical) - Number(a.canonical) ||
      toHex(a.bytes).localeCompare(toHex(b.bytes))
  );
}

/** Signs by hand with the secret scalar `a` of A and a chosen R = [r]B + (torsion). */
function signWith(a: bigint, A: Uint8Array, M: Uint8Array, R: Uint8Array, r: bigint): Uint8Array {
  const k = hashK(R, A, M) % L;
  return concatBytes(R, toLE((r + k * a) % L));
}

/** The first j = 0, 1, ... for which `attempt(j)` finds something. */
function search<T>(attempt: (j: number) => T | undefined): T {
  for (let j = 0; j < 10_000; j++) {
    const found = attempt(j);
    if (found !== undefined) return found;
  }
  throw new Error('bug: search found nothing');
}

const mod = (x: bigint, n: bigint): bigint => ((x % n) + n) % n;

class Cases {
  readonly list: EdgeCase[] = [];

  add(
    id: string,
    comment: string,
    A: Uint8Array,
    M: Uint8Array,
    sig: Uint8Array,
    expected: boolean
  ): void {
    if (ruleVerdict(A, M, sig) !== expected)
      throw new Error(`bug: case ${id} was built to be ${expected}`);
    if (this.list.some((c) => c.id === id)) throw new Error(`bug: duplicate case ${id}`);
    const eq = equations(A, M, sig);
    this.list.push({
      id,
      comment,
      publicKey: toHex(A),
      message: toHex(M),
      signature: toHex(sig),
      expected,
      zip215: zip215Verdict(A, M, sig),
      ...(eq === undefined ? {} : { equations: eq }),
    });
  }
}

/** A key pair from a seed, and its signature on M (RFC 8032 §5.1.6). */
function signed(label: string, M: Uint8Array): { A: Uint8Array; sig: Uint8Array } {
  const seed = bytes(label, 32);
  return { A: publicKeyFromSeed(seed), sig: signEd25519(seed, M) };
}

function flipBit(b: Uint8Array, index: number, bit: number): Uint8Array {
  const out = b.slice();
  out[index] = (out[index] ?? 0) ^ (1 << bit);
  return out;
}

/** All the edge cases, in a fixed order. */
export function generateEdgeCases(): EdgeCaseFile {
  const points = smallOrderPoints();
  const T8 = points[1];
  const encodings = smallOrderEncodings(points);
  if (encodings.length !== 14 || T8 === undefined)
    throw new Error('bug: expected 14 small-order encodings');
  const cases = new Cases();
  const E = (i: number): string => `E${String(i).padStart(2, '0')}`;
  const what = (i: number): string => {
    const e = encodings[i];
    return e === undefined
      ? '?'
      : `${E(i)} (order ${e.order}, ${e.canonical ? 'canonical' : 'not canonical'})`;
  };

  // ZIP-215's 196 cases: every small-order encoding as A and as R, S = 0, message "Zcash".
  const zcash = utf8Encode('Zcash');
  encodings.forEach((a, i) => {
    encodings.forEach((r, j) => {
      const sig = concatBytes(r.bytes, new Uint8Array(32));
      const comment = `ZIP-215 set: A = ${what(i)}, R = ${what(j)}, S = 0; ZIP-215 accepts, we refuse: A has small order`;
      cases.add(`zip215/A${E(i)}-R${E(j)}`, comment, a.bytes, zcash, sig, false);
    });
  });

  // Small-order keys with a signature that passes the cofactorless equation itself.
  encodings.forEach((e, i) => {
    const s = scalar(`small-order-key/${i}/s`);
    const found = search((j) => {
      const M = bytes(`small-order-key/${i}/${j}`, 32);
      for (let t = 0n; t < BigInt(e.order); t++) {
        const R = mul(B, s).subtract(mul(e.point, t)).toBytes();
        if (mul(e.point, hashK(R, e.bytes, M) % L).equals(mul(e.point, t))) return { M, R };
      }
      return undefined;
    });
    const comment = `A = ${what(i)}; [S]B − [k]A = R holds: refused only because A has small order`;
    cases.add(
      `small-order-key/A${E(i)}`,
      comment,
      e.bytes,
      found.M,
      concatBytes(found.R, toLE(s)),
      false
    );
  });

  // R of small order. With a key of prime order only the identity can pass; with a key that has a
  // torsion component of order 8, every small-order R can.
  const a = scalar('key');
  const A = mul(B, a).toBytes();
  encodings.forEach((e, i) => {
    if (e.order !== 1) return;
    const M = bytes(`identity-r/${i}`, 32);
    const sig = signWith(a, A, M, e.bytes, 0n);
    const comment = `R = ${what(i)} encodes the identity and S = k·a, so the equation holds on points: refused, R has small order (rule 2)`;
    cases.add(`small-order-r/prime-order-key-R${E(i)}`, comment, A, M, sig, false);
  });
  const am = scalar('mixed-key');
  const Am = mul(B, am).add(T8).toBytes();
  encodings.forEach((e, i) => {
    const found = search((j) => {
      const M = bytes(`mixed-key-small-r/${i}/${j}`, 32);
      const k = hashK(e.bytes, Am, M) % L;
      return mul(T8, k).negate().equals(e.point) ? M : undefined;
    });
    const comment = `A = [a]B + T (T of order 8), R = ${what(i)} = −[k]T, S = k·a: the equation holds on points; refused, R has small order (rule 2)`;
    cases.add(
      `small-order-r/mixed-order-key-R${E(i)}`,
      comment,
      Am,
      found,
      signWith(am, Am, found, e.bytes, 0n),
      false
    );
  });

  // Keys of mixed order, A = [a]B + T: R = [r]B + [t]T and S = r + (k mod L)·a, so the cofactored
  // equation always holds and the cofactorless one iff t ≡ −(k mod L) mod ord(T).
  const torsion: [string, Point | undefined][] = [
    ['order-8', points[1]],
    ['order-4', points[2]],
    ['order-2', points[4]],
  ];
  type Want = (t: bigint, k: bigint, n: bigint) => boolean;
  const targets: [string, boolean, string, Want][] = [
    [
      'cofactored-only',
      false,
      'passes only the cofactored equation (t = 0, k mod L ≢ 0 mod ord(T))',
      (t, k, n) => t === 0n && mod(k % L, n) !== 0n && mod(k, n) !== 0n,
    ],
    [
      'cofactorless',
      true,
      'passes the cofactorless equation with k mod L, not with the unreduced k',
      (t, k, n) => t === mod(-(k % L), n) && mod(k, n) !== mod(k % L, n),
    ],
    [
      'cofactorless-not-premultiplied',
      true,
      'passes the cofactorless equation, fails a cofactored check that reduces 8k mod L first',
      (t, k, n) => t === mod(-(k % L), n) && mod((8n * (k % L)) % L, n) !== 0n,
    ],
    [
      'all-equations',
      true,
      'passes every equation (t ≡ −k ≡ −(k mod L) mod ord(T))',
      (t, k, n) => t === mod(-(k % L), n) && t === mod(-k, n) && mod((8n * (k % L)) % L, n) === 0n,
    ],
    [
      'unreduced-k-only',
      false,
      'passes the cofactorless equation only with the unreduced 512-bit k (t ≡ −k), not with k mod L',
      (t, k, n) => t === mod(-k, n) && mod(k, n) !== mod(k % L, n),
    ],
  ];
  for (const [order, T] of torsion) {
    if (T === undefined) throw new Error('bug: torsion');
    const n = BigInt(orderOf(T));
    const ak = scalar(`mixed/${order}`);
    const Ak = mul(B, ak).add(T).toBytes();
    for (const [name, expected, comment, want] of targets) {
      const r = scalar(`mixed/${order}/${name}/r`);
      const found = search((j) => {
        const M = bytes(`mixed/${order}/${name}/${j}`, 48);
        for (let t = 0n; t < n; t++) {
          const R = mul(B, r).add(mul(T, t)).toBytes();
          if (want(t, hashK(R, Ak, M), n)) return { M, R };
        }
        return undefined;
      });
      const sig = signWith(ak, Ak, found.M, found.R, r);
      cases.add(
        `mixed-order-key/${order}-${name}`,
        `A = [a]B + T, T of ${order}: ${comment}`,
        Ak,
        found.M,
        sig,
        expected
      );
    }
  }

  // Keys that are not canonical (y ≥ p) but encode points of large order: no one knows their
  // discrete logarithm, so the signature is another key's.
  const M0 = bytes('message', 64);
  const other = signed('other', M0);
  for (let y = 2n; y < 19n; y++) {
    for (const sign of [0n, 1n]) {
      const enc = toLE(P + y + (sign << 255n));
      const point = decodeLenient(enc);
      if (point === undefined || mul(point, 8n).is0()) continue;
      const id = `non-canonical-key/y=p+${y}${sign === 1n ? '-sign' : ''}`;
      cases.add(
        id,
        `A encodes y = p + ${y} (not canonical) of a point of large order`,
        enc,
        M0,
        other.sig,
        false
      );
    }
  }

  // Keys off the curve: y canonical, but (y² − 1)/(d·y² + 1) has no square root mod p.
  const offCurve: [string, Uint8Array][] = [];
  for (let y = 2n; offCurve.length < 4; y++) {
    if (decodeLenient(toLE(y)) === undefined) offCurve.push([`y=${y}`, toLE(y)]);
  }
  for (let j = 0; offCurve.length < 8; j++) {
    const enc = bytes(`off-curve/${j}`, 32);
    enc[31] = (enc[31] ?? 0) & 0x7f;
    if (fromLE(enc) < P && decodeLenient(enc) === undefined) offCurve.push([`random-${j}`, enc]);
  }
  const firstOff = offCurve[0]?.[1] ?? new Uint8Array(32);
  offCurve.push(['y=2-sign', flipBit(firstOff, 31, 7)]);
  for (const [name, enc] of offCurve) {
    cases.add(
      `off-curve-key/${name}`,
      'A is not the encoding of a curve point',
      enc,
      M0,
      other.sig,
      false
    );
  }
  const offTooLarge = toLE(P + 2n);
  if (decodeLenient(offTooLarge) !== undefined)
    throw new Error('bug: y = 2 is expected off the curve');
  cases.add(
    'off-curve-key/y=p+2',
    'A is not canonical (y = p + 2) and not a curve point',
    offTooLarge,
    M0,
    other.sig,
    false
  );

  // R off the curve, or not canonical, on an otherwise valid signature.
  cases.add(
    'off-curve-r/y=2',
    'R is not a curve point',
    other.A,
    M0,
    concatBytes(firstOff, other.sig.subarray(32)),
    false
  );
  cases.add(
    'non-canonical-r/y=p+2',
    'R has y ≥ p (and is not a curve point)',
    other.A,
    M0,
    concatBytes(offTooLarge, other.sig.subarray(32)),
    false
  );
  cases.add(
    'non-canonical-r/all-ones',
    'R is 32 bytes of 0xff (y ≥ p)',
    other.A,
    M0,
    concatBytes(new Uint8Array(32).fill(0xff), other.sig.subarray(32)),
    false
  );

  // S out of range: RFC 8032 §5.1.7 requires 0 ≤ S < L; S + nL passes the equation on points.
  const low = search((j) => {
    const M = bytes(`scalar/low/${j}`, 48);
    const v = signed('scalar', M);
    return fromLE(v.sig.subarray(32)) + L < 2n ** 253n ? { M, ...v } : undefined;
  });
  const withS = (v: { sig: Uint8Array }, S: bigint): Uint8Array =>
    concatBytes(v.sig.subarray(0, 32), toLE(S));
  const sLow = fromLE(low.sig.subarray(32));
  cases.add(
    'scalar/valid',
    'the valid signature the scalar cases start from',
    low.A,
    low.M,
    low.sig,
    true
  );
  cases.add(
    'scalar/S+L-below-2^253',
    'S + L < 2^253 (malleated): refused by S < L, passed by checks of the top 3 bits only',
    low.A,
    low.M,
    withS(low, sLow + L),
    false
  );
  cases.add(
    'scalar/S+2L',
    'S + 2L ≥ 2^253 (malleated)',
    low.A,
    low.M,
    withS(low, sLow + 2n * L),
    false
  );
  const nMax = (2n ** 256n - 1n - sLow) / L;
  cases.add(
    `scalar/S+${nMax}L`,
    `S + ${nMax}L, the largest multiple below 2^256 (malleated)`,
    low.A,
    low.M,
    withS(low, sLow + nMax * L),
    false
  );
  cases.add('scalar/S=L', 'S = L', low.A, low.M, withS(low, L), false);
  cases.add(
    'scalar/S=L-1',
    'S = L − 1 (in range, equation fails)',
    low.A,
    low.M,
    withS(low, L - 1n),
    false
  );
  cases.add('scalar/S=0', 'S = 0 (in range, equation fails)', low.A, low.M, withS(low, 0n), false);
  cases.add('scalar/S=2^256-1', 'S = 2^256 − 1', low.A, low.M, withS(low, 2n ** 256n - 1n), false);
  for (const bit of [253n, 254n, 255n]) {
    cases.add(
      `scalar/S-bit-${bit}`,
      `S with bit ${bit} set (S ≥ 2^${bit})`,
      low.A,
      low.M,
      withS(low, sLow | (1n << bit)),
      false
    );
  }

  // Wrong lengths.
  const M1 = bytes('length/message', 150);
  const v1 = signed('length', M1);
  cases.add(
    'length/valid',
    'the valid signature the length cases start from',
    v1.A,
    M1,
    v1.sig,
    true
  );
  const keys: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['31', v1.A.subarray(0, 31)],
    ['33', concatBytes(v1.A, new Uint8Array(1))],
    ['64', concatBytes(v1.A, v1.A)],
  ];
  for (const [name, pk] of keys)
    cases.add(`length/key-${name}`, `public key of ${pk.length} bytes`, pk, M1, v1.sig, false);
  const sigs: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['32', v1.sig.subarray(0, 32)],
    ['63', v1.sig.subarray(0, 63)],
    ['65', concatBytes(v1.sig, new Uint8Array(1))],
    ['128', concatBytes(v1.sig, v1.sig)],
  ];
  for (const [name, sig] of sigs)
    cases.add(`length/signature-${name}`, `signature of ${sig.length} bytes`, v1.A, M1, sig, false);

  // One changed bit or byte.
  const M2 = bytes('mutation/message', 150);
  const v2 = signed('mutation', M2);
  cases.add(
    'mutation/valid',
    'the valid signature the mutation cases start from',
    v2.A,
    M2,
    v2.sig,
    true
  );
  const messages: [string, Uint8Array][] = [
    ['bit-0', flipBit(M2, 0, 0)],
    ['bit-603', flipBit(M2, 75, 3)],
    ['bit-1199', flipBit(M2, 149, 7)],
    ['appended-zero', concatBytes(M2, new Uint8Array(1))],
    ['truncated', M2.subarray(0, 149)],
    ['empty', new Uint8Array(0)],
  ];
  for (const [name, M] of messages)
    cases.add(`mutation/message-${name}`, `message changed (${name})`, v2.A, M, v2.sig, false);
  const mutatedSigs: [string, Uint8Array][] = [
    ['R-bit-0', flipBit(v2.sig, 0, 0)],
    ['R-sign-bit', flipBit(v2.sig, 31, 7)],
    ['S-bit-0', flipBit(v2.sig, 32, 0)],
    ['S-bit-252', flipBit(v2.sig, 63, 4)],
  ];
  for (const [name, sig] of mutatedSigs)
    cases.add(`mutation/signature-${name}`, `signature changed (${name})`, v2.A, M2, sig, false);
  const mutatedKeys: [string, Uint8Array][] = [
    ['bit-0', flipBit(v2.A, 0, 0)],
    ['sign-bit', flipBit(v2.A, 31, 7)],
  ];
  for (const [name, pk] of mutatedKeys)
    cases.add(`mutation/key-${name}`, `public key changed (${name})`, pk, M2, v2.sig, false);

  // Valid signatures by fresh keys on random messages.
  [0, 1, 2, 32, 64, 100, 150, 200, 256, 300, 512, 1023].forEach((length, i) => {
    const M = bytes(`valid/${i}/message`, length);
    const v = signed(`valid/${i}`, M);
    cases.add(
      `valid/${length}-bytes`,
      `a valid signature on a random ${length}-byte message`,
      v.A,
      M,
      v.sig,
      true
    );
  });

  return {
    comment:
      'Generated by tests/vectors/ed25519/generate.ts (see SOURCES.md). "expected" is the verdict under docs/PROTOCOL.md §4; "zip215" that of @noble/ed25519 with zip215: true; "equations" the group equations that hold on leniently decoded points.',
    smallOrderEncodings: encodings.map((e) => ({
      encoding: toHex(e.bytes),
      order: e.order,
      canonical: e.canonical,
    })),
    cases: cases.list,
  };
}

/** The file's text: 2-space JSON and a final newline. */
export function formatEdgeCases(file: EdgeCaseFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

if (import.meta.main) {
  const file = generateEdgeCases();
  writeFileSync(new URL('./edge-cases.json', import.meta.url), formatEdgeCases(file));
  console.log(`wrote ${file.cases.length} cases`);
}
