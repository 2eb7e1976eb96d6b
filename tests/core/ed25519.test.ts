import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, equalBytes, fromHex, toHex, utf8Encode } from '../../core/bytes.ts';
import {
  isSmallOrderEncoding,
  isAcceptablePublicKey,
  isCanonicalScalar,
  isCurvePoint,
  publicKeyFromSeed,
  signEd25519,
  verifyEd25519,
} from '../../core/ed25519.ts';
import { formatEdgeCases, generateEdgeCases, ruleVerdict } from '../vectors/ed25519/generate.ts';
import {
  EDGE_CASES_FILE,
  edgeCaseVectors,
  readEdgeCaseFile,
  rfc8032Vectors,
} from '../helpers/ed25519-vectors.ts';

const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

const toLE = (n: bigint, length = 32): Uint8Array =>
  Uint8Array.from({ length }, (_, i) => Number((n >> BigInt(8 * i)) & 255n));
const fromLE = (b: Uint8Array): bigint => b.reduceRight((n, byte) => (n << 8n) | BigInt(byte), 0n);
const withS = (S: bigint): Uint8Array => concatBytes(new Uint8Array(32), toLE(S));

const smallOrder = readEdgeCaseFile().smallOrderEncodings.map((e) => fromHex(e.encoding));

/** Rule 1 by arithmetic alone: y < p, a curve point (strict decoding), not of small order. */
function isAcceptableByArithmetic(key: Uint8Array): boolean {
  if (key.length !== 32 || fromLE(key) % 2n ** 255n >= P) return false;
  try {
    return !ed.Point.fromBytes(key, false).isSmallOrder();
  } catch {
    return false;
  }
}

describe('RFC 8032 §7.1 test vectors', () => {
  it.each(rfc8032Vectors())('$id: key and signature from the seed, then verified', (v) => {
    expect(toHex(publicKeyFromSeed(v.secretKey))).toBe(toHex(v.publicKey));
    expect(toHex(signEd25519(v.secretKey, v.message))).toBe(toHex(v.signature));
    expect(verifyEd25519(v.publicKey, v.message, v.signature)).toBe(true);
    const changed = v.message.length === 0 ? Uint8Array.of(0) : v.message.slice();
    changed[0] = (changed[0] ?? 0) ^ 1;
    expect(verifyEd25519(v.publicKey, changed, v.signature)).toBe(false);
  });

  it('TEST SHA(abc) signs SHA-512("abc")', () => {
    const v = rfc8032Vectors().find((x) => x.id === 'rfc8032/TEST SHA(abc)');
    expect(v && toHex(v.message)).toBe(toHex(sha512(utf8Encode('abc'))));
  });
});

describe('edge cases (tests/vectors/ed25519/edge-cases.json)', () => {
  const cases = edgeCaseVectors();

  it('regenerating them gives the committed file byte for byte', () => {
    expect(formatEdgeCases(generateEdgeCases())).toBe(readFileSync(EDGE_CASES_FILE, 'utf8'));
  });

  it('verifyEd25519 gives every expected verdict', () => {
    const wrong = cases.filter(
      (c) => verifyEd25519(c.publicKey, c.message, c.signature) !== c.expected
    );
    expect(wrong.map((c) => c.id)).toEqual([]);
    expect(cases.length).toBeGreaterThan(300);
    expect(cases.filter((c) => c.expected).length).toBeGreaterThan(20);
  });

  it('Policy: ZIP-215 accepts all 196 small-order cases, our rule refuses every one', () => {
    const zip215 = cases.filter((c) => c.id.startsWith('zip215/'));
    expect(zip215).toHaveLength(196);
    // `zip215` is @noble/ed25519's ZIP-215 verdict, recomputed by the regeneration test above.
    for (const c of zip215) {
      expect([c.id, c.zip215, c.expected]).toEqual([c.id, true, false]);
      expect(verifyEd25519(c.publicKey, c.message, c.signature)).toBe(false);
    }
  });

  it('Policy: cofactorless, and k reduced mod L, on keys with a torsion component', () => {
    const verdict = (id: string): boolean => {
      const c = cases.find((x) => x.id === id);
      if (c === undefined) throw new Error(`no case ${id}`);
      return verifyEd25519(c.publicKey, c.message, c.signature);
    };
    expect(verdict('mixed-order-key/order-8-cofactored-only')).toBe(false);
    expect(verdict('mixed-order-key/order-8-cofactorless')).toBe(true);
    expect(verdict('mixed-order-key/order-8-unreduced-k-only')).toBe(false);
    expect(verdict('small-order-r/prime-order-key-RE00')).toBe(false); // Policy: R of small order is refused
  });
});

describe('isCanonicalScalar', () => {
  it('compares S with L at the boundaries', () => {
    const table: [bigint, boolean][] = [
      [0n, true],
      [L - 1n, true],
      [L, false],
      [L + 1n, false],
      [2n ** 252n - 1n, true],
      [2n ** 252n, true],
      [2n ** 252n + 2n ** 128n, false],
      [2n ** 253n, false],
      [2n ** 256n - 1n, false],
    ];
    for (const [S, expected] of table)
      expect([S, isCanonicalScalar(withS(S))]).toEqual([S, expected]);
  });

  it('agrees with a bigint comparison', () => {
    const near = fc.bigInt({ min: L - 2n ** 130n, max: L + 2n ** 130n });
    const any = fc.bigInt({ min: 0n, max: 2n ** 256n - 1n });
    fc.assert(
      fc.property(fc.oneof(near, any), (S) => {
        expect(isCanonicalScalar(withS(S))).toBe(S < L);
      })
    );
  });

  it('refuses signatures that are not 64 bytes', () => {
    expect(isCanonicalScalar(new Uint8Array(63))).toBe(false);
    expect(isCanonicalScalar(new Uint8Array(65))).toBe(false);
  });
});

/** Whether a point decoded as ZIP-215 does (any y < 2^255, any sign) is of small order. */
function isSmallOrderLenient(encoded: Uint8Array): boolean {
  try {
    return ed.Point.fromBytes(encoded, true).isSmallOrder();
  } catch {
    return false;
  }
}

describe('isAcceptablePublicKey, isSmallOrderEncoding and isCurvePoint', () => {
  it('refuse every encoding of a small-order point', () => {
    expect(smallOrder).toHaveLength(14);
    for (const e of smallOrder) {
      expect(isSmallOrderEncoding(e)).toBe(true);
      expect(isAcceptablePublicKey(e)).toBe(false);
      expect(isAcceptableByArithmetic(e)).toBe(false);
    }
  });

  // Keys around every boundary the byte checks draw: y near p, small-order encodings with a bit
  // changed, and any 32 bytes.
  const nearP = fc
    .tuple(fc.bigInt({ min: P - 40n, max: 2n ** 255n - 1n }), fc.boolean())
    .map(([y, sign]) => toLE(y + (sign ? 2n ** 255n : 0n)));
  const nearSmallOrder = fc
    .tuple(fc.constantFrom(...smallOrder), fc.nat(255), fc.boolean())
    .map(([e, bit, flip]) => {
      const out = e.slice();
      if (flip) out[bit >> 3] = (out[bit >> 3] ?? 0) ^ (1 << (bit & 7));
      return out;
    });
  const anyKey = fc.uint8Array({ minLength: 32, maxLength: 32 });
  const keys = fc.oneof(nearP, nearSmallOrder, anyKey);

  it('isAcceptablePublicKey is rule 1 but for the on-curve test, which isCurvePoint adds', () => {
    fc.assert(
      fc.property(keys, (key) => {
        const y = fromLE(key) % 2n ** 255n;
        expect(isSmallOrderEncoding(key)).toBe(isSmallOrderLenient(key));
        expect(isAcceptablePublicKey(key)).toBe(y < P && !isSmallOrderLenient(key));
        expect(isAcceptablePublicKey(key) && isCurvePoint(key)).toBe(isAcceptableByArithmetic(key));
      }),
      { numRuns: 300 }
    );
  });

  it('accept real keys and refuse other lengths', () => {
    const key = publicKeyFromSeed(new Uint8Array(32).fill(7));
    expect(isAcceptablePublicKey(key)).toBe(true);
    expect(isCurvePoint(key)).toBe(true);
    expect(isAcceptablePublicKey(key.subarray(0, 31))).toBe(false);
    expect(isAcceptablePublicKey(concatBytes(key, Uint8Array.of(0)))).toBe(false);
    expect(isCurvePoint(key.subarray(1))).toBe(false);
  });
});

describe('verifyEd25519', () => {
  it('never throws for junk keys and signatures', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 70 }),
        fc.uint8Array(),
        fc.uint8Array({ maxLength: 70 }),
        (A, M, sig) => {
          expect(verifyEd25519(A, M, sig)).toBe(false);
        }
      )
    );
    const notBytes = [undefined, null, 'key', [1, 2, 3]] as unknown as Uint8Array[];
    for (const x of notBytes) {
      expect(verifyEd25519(x, new Uint8Array(), new Uint8Array(64))).toBe(false);
      expect(verifyEd25519(new Uint8Array(32), new Uint8Array(), x)).toBe(false);
    }
  });

  it('throws TypeError when the message is not bytes (a programmer mistake)', () => {
    const key = publicKeyFromSeed(new Uint8Array(32));
    expect(() => verifyEd25519(key, 'hello' as unknown as Uint8Array, new Uint8Array(64))).toThrow(
      TypeError
    );
  });

  it('agrees with the independent bigint rule on valid signatures with one byte changed', () => {
    const signedMutated = fc
      .record({
        seed: fc.uint8Array({ minLength: 32, maxLength: 32 }),
        message: fc.uint8Array({ maxLength: 300 }),
        where: fc.constantFrom('publicKey', 'signature', 'message'),
        at: fc.nat(),
        value: fc.integer({ min: 0, max: 255 }),
      })
      .map(({ seed, message, where, at, value }) => {
        const v = {
          publicKey: publicKeyFromSeed(seed),
          message,
          signature: signEd25519(seed, message),
        };
        const target = v[where].slice();
        if (target.length > 0) target[at % target.length] = value;
        return { ...v, [where]: target };
      });
    fc.assert(
      fc.property(signedMutated, ({ publicKey, message, signature }) => {
        expect(verifyEd25519(publicKey, message, signature)).toBe(
          ruleVerdict(publicKey, message, signature)
        );
      }),
      { numRuns: 60 }
    );
  });

  it('refuses a valid signature once any single bit of it is flipped', () => {
    const seed = new Uint8Array(32).fill(3);
    const message = utf8Encode('undersigned');
    const key = publicKeyFromSeed(seed);
    const signature = signEd25519(seed, message);
    expect(verifyEd25519(key, message, signature)).toBe(true);
    for (let bit = 0; bit < 512; bit += 7) {
      const flipped = signature.slice();
      flipped[bit >> 3] = (flipped[bit >> 3] ?? 0) ^ (1 << (bit & 7));
      expect(equalBytes(flipped, signature)).toBe(false);
      expect(verifyEd25519(key, message, flipped)).toBe(false);
    }
  });
});
