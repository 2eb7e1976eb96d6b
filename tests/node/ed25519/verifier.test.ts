// node/ed25519/: libsodium under our rule, on worker threads. Every vector of tests/vectors/ed25519
// (RFC 8032 and the generated edge cases) must get the verdict of the rule on every path, and
// libsodium alone must differ from the rule only where the byte checks step in first. Entry
// bundles checked on a worker get the outcome of core's checkEntryBundle.

import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  isAcceptablePublicKey,
  isCanonicalScalar,
  isSmallOrderEncoding,
  signEd25519,
  publicKeyFromSeed,
  verifyEd25519,
} from '../../../core/ed25519.ts';
import { createEd25519Verifier, type SignedMessage } from '../../../core/ed25519-batch.ts';
import { bundleChecker } from '../../../core/bundle-check.ts';
import { encodeEntryBundle } from '../../../core/entry-bundle.ts';
import { letterId } from '../../../core/letter.ts';
import { utf8Encode } from '../../../core/bytes.ts';
import { ENTRY_BUNDLE_LEVEL, type Tile } from '../../../core/tiles.ts';
import { testEntry, testLetter } from '../../helpers/entries.ts';
import { hasLibsodium, verifyWithLibsodium } from '../../../node/ed25519/libsodium.ts';
import { createNodeEd25519Verifier } from '../../../node/ed25519/verifier.ts';
import { allEd25519Vectors } from '../../helpers/ed25519-vectors.ts';

const vectors = allEd25519Vectors();
const pool = createNodeEd25519Verifier({ workers: 2 });
afterAll(() => pool.close());

type Sodium = { crypto_sign_verify_detached(s: Buffer, m: Buffer, k: Buffer): boolean };
const sodium = createRequire(import.meta.url)('sodium-native') as Sodium;

describe('libsodium under the rule', () => {
  it('loads here (linux-x64 has a prebuilt binary), so the node uses it', async () => {
    expect(hasLibsodium()).toBe(true);
    expect(await pool.backend()).toBe('libsodium');
  });

  it('every vector: the expected verdict, synchronously, through verifyMany and verify', async () => {
    const expected = vectors.map((v) => v.expected);
    expect(vectors.length).toBeGreaterThan(300);
    expect(vectors.map((v) => verifyWithLibsodium(v.publicKey, v.message, v.signature))).toEqual(
      expected
    );
    expect(await pool.verifyMany(vectors)).toEqual(expected);
    const one = await Promise.all(
      vectors.map((v) => pool.verify(v.publicKey, v.message, v.signature))
    );
    expect(one).toEqual(expected);
  });

  it('libsodium alone differs from the rule only where the byte checks step in first', () => {
    let differs = 0;
    for (const v of vectors) {
      if (v.publicKey.length !== 32 || v.signature.length !== 64) continue;
      const raw = sodium.crypto_sign_verify_detached(
        Buffer.from(v.signature),
        Buffer.from(v.message),
        Buffer.from(v.publicKey)
      );
      if (raw === v.expected) continue;
      differs++;
      const intercepted =
        !isCanonicalScalar(v.signature) ||
        !isAcceptablePublicKey(v.publicKey) ||
        isSmallOrderEncoding(v.signature.subarray(0, 32));
      expect([v.id, intercepted]).toEqual([v.id, true]);
    }
    expect(differs).toBeLessThan(vectors.length);
  });
});

describe('the worker pool', () => {
  const seed = (i: number): Uint8Array =>
    Uint8Array.from({ length: 32 }, (_, j) => (i * 31 + j) % 256);

  it('agrees with noble on valid signatures and on every kind of corruption', async () => {
    const item = fc
      .record({
        key: fc.integer({ min: 0, max: 1000 }),
        message: fc.uint8Array({ maxLength: 300 }),
        flip: fc.option(
          fc.record({ where: fc.constantFrom('key', 'message', 'signature'), at: fc.nat() })
        ),
      })
      .map(({ key, message, flip }): SignedMessage => {
        const publicKey = publicKeyFromSeed(seed(key));
        const signature = signEd25519(seed(key), message);
        if (flip !== null) {
          const target = { key: publicKey, message, signature }[flip.where];
          const at = flip.at % Math.max(1, target.length);
          if (target.length > 0) target[at] = (target[at] ?? 0) ^ (1 << (flip.at % 8));
        }
        return { publicKey, message, signature };
      });
    await fc.assert(
      fc.asyncProperty(fc.array(item, { maxLength: 600 }), async (items) => {
        const expected = items.map((v) => verifyEd25519(v.publicKey, v.message, v.signature));
        expect(await pool.verifyMany(items)).toEqual(expected);
      }),
      { numRuns: 8 }
    );
  });

  it('rejects with the reason when aborted, and keeps working afterwards', async () => {
    const items = Array.from({ length: 2000 }, (_, i) => {
      const message = Uint8Array.of(i % 256, Math.floor(i / 256));
      return {
        publicKey: publicKeyFromSeed(seed(i % 7)),
        message,
        signature: signEd25519(seed(i % 7), message),
      };
    });
    const stop = new AbortController();
    const reason = new Error('stopped');
    const running = pool.verifyMany(items, { signal: stop.signal });
    stop.abort(reason);
    await expect(running).rejects.toBe(reason);
    await expect(pool.verifyMany([], { signal: stop.signal })).rejects.toBe(reason);
    expect((await pool.verifyMany(items.slice(0, 10))).every(Boolean)).toBe(true);
  });

  it('a message too long to pack is still verified', async () => {
    const message = new Uint8Array(70_000).fill(7);
    const good = {
      publicKey: publicKeyFromSeed(seed(1)),
      message,
      signature: signEd25519(seed(1), message),
    };
    const bad = { ...good, message: message.slice(1) };
    expect(await pool.verifyMany([good, bad, vectors[0] as SignedMessage])).toEqual([
      true,
      false,
      (vectors[0] as { expected: boolean }).expected,
    ]);
  });

  it('refuses work once closed, and a worker count below one', async () => {
    const closing = createNodeEd25519Verifier({ workers: 1 });
    await closing.close();
    await expect(closing.verifyMany([vectors[0] as SignedMessage])).rejects.toThrow('closed');
    expect(() => createNodeEd25519Verifier({ workers: 0 })).toThrow(RangeError);
  });
});

describe('entry bundles checked on a worker', () => {
  const letter = testLetter();
  const context = { letterId: letterId(letter), stampBits: letter.stampBits };
  const here = bundleChecker(createEd25519Verifier());

  it('get the outcome of checkEntryBundle on this thread, and leave the bytes as they were', async () => {
    const good = await Promise.all(Array.from({ length: 6 }, (_, i) => testEntry(letter, i)));
    const forged = (good[1] as Uint8Array).slice();
    forged[forged.length - 1] = (forged[forged.length - 1] as number) ^ 1;
    const elsewhere = await testEntry(testLetter(1), 7);
    const entries = [...good, forged, elsewhere, utf8Encode('not an entry')];
    const bundle: Tile = { level: ENTRY_BUNDLE_LEVEL, index: 3, width: entries.length };
    const bytes = encodeEntryBundle(entries);
    const copy = bytes.slice();
    const outcome = await pool.checkBundle(bytes, bundle, context);
    expect(bytes).toEqual(copy);
    expect(outcome).toEqual(await here(copy, bundle, context));
    expect(outcome.valid).toHaveLength(6);
    expect(outcome.rejected.map((r) => r.code)).toEqual([
      'BAD_ENTRY_SIGNATURE',
      'WRONG_LETTER',
      'MALFORMED_ENTRY',
    ]);
  });

  it('a malformed bundle is refused with its typed error', async () => {
    const bundle: Tile = { level: ENTRY_BUNDLE_LEVEL, index: 0, width: 2 };
    const one = encodeEntryBundle([await testEntry(letter, 1)]);
    await expect(pool.checkBundle(one, bundle, context)).toRejectWithCode('MALFORMED_ENTRY_BUNDLE');
    expect((await pool.checkBundle(one, { ...bundle, width: 1 }, context)).valid).toHaveLength(1);
  });
});

describe('a process that used the pool', () => {
  it('exits by itself: idle workers do not keep it alive', () => {
    const script = `import { nodeEd25519 } from ${JSON.stringify(new URL('../../../node/ed25519/verifier.ts', import.meta.url).pathname)};
const item = { publicKey: new Uint8Array(32), message: new Uint8Array(1), signature: new Uint8Array(64) };
const ok = await nodeEd25519().verifyMany([item, item]);
console.log('done', ok.join());`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.signal).toBeNull();
    expect(result.stdout.trim()).toBe('done false,false');
  });
});
