import { beforeAll, describe, expect, it } from 'vitest';
import { createEd25519Verifier, type SignedMessage } from '../../core/ed25519-batch.ts';
import { parseEntry, entrySigningMessage } from '../../core/entry.ts';
import { checkEntryBundle } from '../../core/bundle-check.ts';
import { encodeEntryBundle } from '../../core/entry-bundle.ts';
import { ENTRY_BUNDLE_LEVEL, type Tile } from '../../core/tiles.ts';
import { letterId } from '../../core/letter.ts';
import { UndersignedError } from '../../core/errors.ts';
import { testEntry, testLetter } from '../helpers/entries.ts';
import { fakeWorker } from './fake-workers.ts';
import { createWorkerPool, defaultPoolSize } from '../../web/lib/worker-pool.ts';

const letter = testLetter(0);
let items: SignedMessage[];
let entries: Uint8Array[];
beforeAll(async () => {
  entries = await Promise.all(Array.from({ length: 40 }, (_, i) => testEntry(letter, i)));
  items = entries.map((bytes, i) => {
    const entry = parseEntry(bytes);
    const signature = entry.signature.slice();
    if (i % 7 === 3) signature[5] = (signature[5] ?? 0) ^ 1;
    return { publicKey: entry.publicKey, message: entrySigningMessage(entry.body), signature };
  });
});

describe('the worker pool', () => {
  it('splits each batch over the workers and gives the verdicts in order', async () => {
    const sent: number[][] = [[], []];
    let n = 0;
    const pool = createWorkerPool(2, () => fakeWorker(sent[n++] ?? []));
    const verdicts = await pool.verifyMany(items);
    expect(verdicts).toEqual(items.map((_, i) => i % 7 !== 3));
    expect(sent.map((s) => s.reduce((a, b) => a + b, 0))).toEqual([20, 20]);
    const [first] = items;
    if (first === undefined) throw new Error('no items');
    expect(await pool.verify(first.publicKey, first.message, first.signature)).toBe(true);
    expect(await pool.backend()).toBe('webcrypto');
    pool.close();
  });

  it('rejects with the abort reason and ignores late answers', async () => {
    const pool = createWorkerPool(2, () => fakeWorker([]));
    const controller = new AbortController();
    const pending = pool.verifyMany(items, { signal: controller.signal });
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
    await expect(pool.verifyMany(items.slice(0, 2))).resolves.toHaveLength(2);
  });

  it('checks entry bundles in the workers as core does, spreading them', async () => {
    const sent: number[][] = [[], []];
    let n = 0;
    const pool = createWorkerPool(2, () => fakeWorker(sent[n++] ?? []));
    const context = { letterId: letterId(letter), stampBits: 0 };
    const bundles = [0, 1, 2, 3].map((index) => ({
      bundle: { level: ENTRY_BUNDLE_LEVEL, index, width: 10 } satisfies Tile,
      bytes: encodeEntryBundle(entries.slice(index * 10, index * 10 + 10)),
    }));
    const expected = await Promise.all(
      bundles.map(({ bytes, bundle }) =>
        checkEntryBundle(bytes, bundle, { ...context, ed25519: createEd25519Verifier() })
      )
    );
    const checks = await Promise.all(
      bundles.map(({ bytes, bundle }) => pool.checkBundle(bytes.slice(), bundle, context))
    );
    expect(checks).toEqual(expected);
    expect(sent).toEqual([
      [10, 10],
      [10, 10],
    ]);
    pool.close();
  });

  it('rethrows a malformed bundle typed, other worker errors as errors', async () => {
    const pool = createWorkerPool(1, () => fakeWorker([]));
    const context = { letterId: letterId(letter), stampBits: 0 };
    const bundle: Tile = { level: ENTRY_BUNDLE_LEVEL, index: 0, width: 2 };
    const bytes = encodeEntryBundle(entries.slice(0, 1));
    await expect(pool.checkBundle(bytes, bundle, context)).toRejectWithCode(
      'MALFORMED_ENTRY_BUNDLE'
    );
    const wrongId = pool.checkBundle(
      bytes,
      { ...bundle, width: 1 },
      {
        ...context,
        letterId: new Uint8Array(32),
      }
    );
    await expect(wrongId).resolves.toMatchObject({ valid: [] });
    const tooWide = pool.checkBundle(bytes, { ...bundle, width: 300 }, context);
    await expect(tooWide).rejects.toThrow('verification worker failed');
    await expect(tooWide).rejects.not.toBeInstanceOf(UndersignedError);
    pool.close();
  });

  it('uses one worker per core, within bounds', () => {
    expect(defaultPoolSize(2)).toBe(2);
    expect(defaultPoolSize(undefined)).toBe(2);
    expect(defaultPoolSize(64)).toBe(8);
    expect(() => createWorkerPool(0, () => fakeWorker([]))).toThrow(RangeError);
  });
});
