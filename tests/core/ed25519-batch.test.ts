import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  createEd25519Verifier,
  hasWebCryptoEd25519,
  type Ed25519BatchVerifier,
  type SignedMessage,
} from '../../core/ed25519-batch.ts';
import {
  isAcceptablePublicKey,
  isCanonicalScalar,
  isCurvePoint,
  isSmallOrderEncoding,
  publicKeyFromSeed,
  signEd25519,
  verifyEd25519,
} from '../../core/ed25519.ts';
import { concatBytes, utf8Encode } from '../../core/bytes.ts';
import { allEd25519Vectors } from '../helpers/ed25519-vectors.ts';

const realSubtle = globalThis.crypto.subtle;
const ED25519 = { name: 'Ed25519' };
const vectors = allEd25519Vectors();

function signedItems(count: number, label = 'item'): SignedMessage[] {
  return Array.from({ length: count }, (_, i) => {
    const seed = new Uint8Array(32);
    seed.set(utf8Encode(`${label} ${i}`).subarray(0, 32));
    const message = utf8Encode(`message ${i} `.repeat(12));
    return { publicKey: publicKeyFromSeed(seed), message, signature: signEd25519(seed, message) };
  });
}

/** A SubtleCrypto passing calls to the real one, counting verifications and those in flight. */
function countingSubtle(delay: () => Promise<void> = () => Promise.resolve()) {
  const stats = { verifies: 0, inFlight: 0, maxInFlight: 0 };
  const subtle = {
    importKey: (...args: Parameters<SubtleCrypto['importKey']>) => realSubtle.importKey(...args),
    async verify(...args: Parameters<SubtleCrypto['verify']>) {
      stats.verifies++;
      stats.inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      try {
        await delay();
        return await realSubtle.verify(...args);
      } finally {
        stats.inFlight--;
      }
    },
  } as unknown as SubtleCrypto;
  const reset = (): void => {
    stats.verifies = 0;
    stats.maxInFlight = 0;
  };
  return { subtle, stats, reset };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** WebCrypto with nothing in front of it: resolves a verdict, or the name of what it threw. */
async function rawWebCrypto(v: SignedMessage): Promise<boolean | string> {
  try {
    const key = await realSubtle.importKey('raw', v.publicKey as BufferSource, ED25519, false, [
      'verify',
    ]);
    return await realSubtle.verify(
      ED25519,
      key,
      v.signature as BufferSource,
      v.message as BufferSource
    );
  } catch (e) {
    return (e as Error).name;
  }
}

describe('createEd25519Verifier: backends', () => {
  it('detects WebCrypto Ed25519 here (Node >= 22) and probes it once', async () => {
    expect(await hasWebCryptoEd25519()).toBe(true);
    expect(await createEd25519Verifier().backend()).toBe('webcrypto');
    const { subtle, stats } = countingSubtle();
    await Promise.all([hasWebCryptoEd25519(subtle), hasWebCryptoEd25519(subtle)]);
    await createEd25519Verifier({ subtle }).backend();
    expect(stats.verifies).toBe(2); // one probe: a good signature and a wrong message
  });

  it('falls back to noble without WebCrypto, without its Ed25519, or with a lying one', async () => {
    const noEd25519 = {
      importKey: () => Promise.reject(new DOMException('no', 'NotSupportedError')),
      verify: () => Promise.reject(new DOMException('no', 'NotSupportedError')),
    } as unknown as SubtleCrypto;
    const lying = {
      importKey: realSubtle.importKey.bind(realSubtle),
      verify: () => Promise.resolve(true),
    };
    for (const subtle of [null, noEd25519, lying as unknown as SubtleCrypto]) {
      const verifier = createEd25519Verifier({ subtle });
      expect(await verifier.backend()).toBe('noble');
      const [item] = signedItems(1);
      if (item === undefined) throw new Error('no item');
      expect(await verifier.verifyMany([item, { ...item, message: new Uint8Array(1) }])).toEqual([
        true,
        false,
      ]);
    }
    expect(await createEd25519Verifier({ backend: 'noble' }).backend()).toBe('noble');
  });

  it('refuses to run on backend "webcrypto" where there is none, and checks its options', async () => {
    const verifier = createEd25519Verifier({ backend: 'webcrypto', subtle: null });
    await expect(verifier.backend()).toRejectWithCode('BAD_CONFIG');
    await expect(
      verifier.verify(new Uint8Array(32), new Uint8Array(), new Uint8Array(64))
    ).toRejectWithCode('BAD_CONFIG');
    for (const inFlight of [0, -1, 1.5, Number.NaN]) {
      expect(() => createEd25519Verifier({ inFlight })).toThrow(RangeError);
    }
    expect(() => createEd25519Verifier({ backend: 'sodium' as 'noble' })).toThrow(TypeError);
  });
});

describe('every vector, through both paths', () => {
  const webcrypto = createEd25519Verifier({ backend: 'webcrypto' });
  const noble = createEd25519Verifier({ backend: 'noble' });

  it('verifyMany and verify on WebCrypto, verifyMany on noble: all the expected verdicts', async () => {
    const expected = vectors.map((v) => v.expected);
    expect(await webcrypto.verifyMany(vectors)).toEqual(expected);
    expect(await noble.verifyMany(vectors)).toEqual(expected);
    const one = await Promise.all(
      vectors.map((v) => webcrypto.verify(v.publicKey, v.message, v.signature))
    );
    expect(one).toEqual(expected);
  });

  it('WebCrypto alone differs from our rule only where the byte checks step in first', async () => {
    for (const v of vectors) {
      if ((await rawWebCrypto(v)) === v.expected) continue;
      const intercepted =
        !isCanonicalScalar(v.signature) ||
        !isAcceptablePublicKey(v.publicKey) ||
        isSmallOrderEncoding(v.signature.subarray(0, 32));
      expect([v.id, intercepted]).toEqual([v.id, true]);
    }
    // With OpenSSL 3.5.8 (Node 24.21) these are the 9 valid signatures whose R has small order
    // and the 4 keys that are not 32 bytes (tests/vectors/ed25519/SOURCES.md).
  });

  it('keys off the curve: false on both paths, and no WebCrypto error escapes', async () => {
    const offCurveKey = fc
      .uint8Array({ minLength: 32, maxLength: 32 })
      .filter((key) => isAcceptablePublicKey(key) && !isCurvePoint(key));
    const items = fc.record({
      publicKey: offCurveKey,
      message: fc.uint8Array({ maxLength: 200 }),
      signature: fc.uint8Array({ minLength: 64, maxLength: 64 }).map((s) => {
        s[63] = (s[63] ?? 0) & 0x0f; // S < 2^252 < L, so the key is what WebCrypto decides on
        return s;
      }),
    });
    await fc.assert(
      fc.asyncProperty(items, async (item) => {
        expect(verifyEd25519(item.publicKey, item.message, item.signature)).toBe(false);
        expect(await webcrypto.verifyMany([item])).toEqual([false]);
        expect(await rawWebCrypto(item)).not.toBe(true);
      })
    );
  });
});

describe('differential: WebCrypto and noble agree', () => {
  const webcrypto = createEd25519Verifier({ backend: 'webcrypto' });
  const agree = async (items: SignedMessage[]): Promise<boolean[]> => {
    const fast = await webcrypto.verifyMany(items);
    expect(fast).toEqual(items.map((v) => verifyEd25519(v.publicKey, v.message, v.signature)));
    return fast;
  };

  it('on random keys, messages and signatures', async () => {
    const item = fc.record({
      publicKey: fc.oneof(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 40 })
      ),
      message: fc.uint8Array({ maxLength: 300 }),
      signature: fc.oneof(
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        fc.uint8Array({ maxLength: 70 })
      ),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(item, { maxLength: 8 }), async (items) => {
        await agree(items);
      })
    );
  });

  it('on valid signatures, and on them with one byte set to a random value', async () => {
    const mutated = fc
      .record({
        seed: fc.uint8Array({ minLength: 32, maxLength: 32 }),
        message: fc.uint8Array({ minLength: 1, maxLength: 300 }),
        where: fc.constantFrom('publicKey' as const, 'signature' as const, 'message' as const),
        at: fc.nat(),
        value: fc.integer({ min: 0, max: 255 }),
      })
      .map(({ seed, message, where, at, value }) => {
        const valid = {
          publicKey: publicKeyFromSeed(seed),
          message,
          signature: signEd25519(seed, message),
        };
        const changed = valid[where].slice();
        changed[at % changed.length] = value;
        return [valid, { ...valid, [where]: changed }];
      });
    await fc.assert(
      fc.asyncProperty(mutated, async ([valid, changed]) => {
        if (valid === undefined || changed === undefined) throw new Error('bug');
        expect(await agree([valid, changed])).toEqual([true, expect.any(Boolean)]);
      })
    );
  });
});

describe('verifyMany: in flight, abort, never throwing', () => {
  it('keeps at most inFlight verifications in flight, over concurrent calls too', async () => {
    const { subtle, stats, reset } = countingSubtle(() => sleep(1));
    const verifier = createEd25519Verifier({ subtle, inFlight: 5 });
    await verifier.backend();
    reset();
    const items = signedItems(40);
    const [a, b] = await Promise.all([
      verifier.verifyMany(items),
      verifier.verifyMany(items.slice(0, 20)),
    ]);
    expect([...a, ...b].every(Boolean)).toBe(true);
    expect(stats.verifies).toBe(60);
    expect(stats.maxInFlight).toBe(5);
  });

  it('rejects with the signal reason when aborted before or during, and stops verifying', async () => {
    const { subtle, stats, reset } = countingSubtle(() => sleep(2));
    const verifier: Ed25519BatchVerifier = createEd25519Verifier({ subtle, inFlight: 4 });
    await verifier.backend();
    reset();
    const items = signedItems(400);
    const reason = new Error('stop');
    await expect(verifier.verifyMany(items, { signal: AbortSignal.abort(reason) })).rejects.toBe(
      reason
    );
    expect(stats.verifies).toBe(0);

    const controller = new AbortController();
    const run = verifier.verifyMany(items, { signal: controller.signal });
    await sleep(20);
    controller.abort(reason);
    await expect(run).rejects.toBe(reason);
    const started = stats.verifies;
    expect(started).toBeGreaterThan(0);
    expect(started).toBeLessThan(items.length);
    await sleep(30);
    expect(stats.verifies).toBe(started); // nothing new after the abort
  });

  it('aborts the noble path too, between signatures', async () => {
    const verifier = createEd25519Verifier({ backend: 'noble' });
    const [item] = signedItems(1);
    if (item === undefined) throw new Error('no item');
    const items = new Array<SignedMessage>(2000).fill(item);
    const controller = new AbortController();
    const reason = new Error('stop');
    setTimeout(() => {
      controller.abort(reason);
    }, 30);
    const start = performance.now();
    await expect(verifier.verifyMany(items, { signal: controller.signal })).rejects.toBe(reason);
    expect(performance.now() - start).toBeLessThan(1000); // 2,000 signatures would take ~3 s
  });

  it('resolves false for keys and signatures that are not bytes or not the right size', async () => {
    const verifier = createEd25519Verifier();
    const [item] = signedItems(1);
    if (item === undefined) throw new Error('no item');
    const bad = [
      undefined,
      'key',
      new Uint8Array(31),
      new Uint8Array(33),
      concatBytes(item.signature, item.signature),
    ];
    for (const x of bad as Uint8Array[]) {
      expect(await verifier.verify(x, item.message, item.signature)).toBe(false);
      expect(await verifier.verify(item.publicKey, item.message, x)).toBe(false);
    }
    await expect(
      verifier.verify(item.publicKey, 'm' as unknown as Uint8Array, item.signature)
    ).rejects.toThrow(TypeError);
  });

  it('falls back to noble when WebCrypto throws, and takes SharedArrayBuffer views', async () => {
    const [item] = signedItems(1);
    if (item === undefined) throw new Error('no item');
    let calls = 0;
    const throwing = {
      importKey: realSubtle.importKey.bind(realSubtle),
      verify: (...args: Parameters<SubtleCrypto['verify']>) =>
        calls++ < 2 ? realSubtle.verify(...args) : Promise.reject(new Error('busy')),
    } as unknown as SubtleCrypto;
    const verifier = createEd25519Verifier({ subtle: throwing });
    expect(await verifier.backend()).toBe('webcrypto');
    expect(await verifier.verifyMany([item, { ...item, message: new Uint8Array(3) }])).toEqual([
      true,
      false,
    ]);

    const shared = (bytes: Uint8Array): Uint8Array => {
      const view = new Uint8Array(new SharedArrayBuffer(bytes.length));
      view.set(bytes);
      return view;
    };
    const sharedItem = {
      publicKey: shared(item.publicKey),
      message: shared(item.message),
      signature: shared(item.signature),
    };
    expect(await createEd25519Verifier().verifyMany([sharedItem])).toEqual([true]);
  });
});
