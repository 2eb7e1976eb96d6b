import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bundleChecker, checkEntryBundle, type BundleCheck } from '../../core/bundle-check.ts';
import { createEd25519Verifier, type Ed25519BatchVerifier } from '../../core/ed25519-batch.ts';
import { encodeEntryBundle } from '../../core/entry-bundle.ts';
import { parseEntry } from '../../core/entry.ts';
import { recordHash } from '../../core/merkle.ts';
import { ENTRY_BUNDLE_LEVEL, TILE_WIDTH, type Tile } from '../../core/tiles.ts';
import { letterId } from '../../core/letter.ts';
import { isUndersignedError } from '../../core/errors.ts';
import { concatBytes, utf8Encode } from '../../core/bytes.ts';
import { testEntry, testLetter } from '../helpers/entries.ts';

const letter = testLetter(0);
const id = letterId(letter);
const ed25519 = createEd25519Verifier();
let entries: Uint8Array[];
let bytes: Uint8Array;

const bundle = (index: number, width: number): Tile => ({
  level: ENTRY_BUNDLE_LEVEL,
  index,
  width,
});
const context = { letterId: id, stampBits: 0, ed25519 };
/** A backend that must not be asked: every signature is refused. */
const refuseAll: Ed25519BatchVerifier = {
  backend: async () => 'noble',
  verify: async () => false,
  verifyMany: async (items) => items.map(() => false),
};

beforeAll(async () => {
  const forged = (await testEntry(letter, 3)).slice();
  forged[forged.length - 1] = (forged[forged.length - 1] ?? 0) ^ 1;
  entries = [
    await testEntry(letter, 0, { affiliation: 'Acme' }),
    utf8Encode('not an entry'),
    await testEntry(letter, 1),
    await testEntry(testLetter(5), 2), // another letter
    forged,
    await testEntry(letter, 0, { kind: 'withdraw' }),
    await testEntry(letter, 4, { affiliation: 'Société' }),
  ];
  bytes = encodeEntryBundle(entries);
});

/** Every index of the bundle, each in exactly one list. */
function indexes(check: BundleCheck): number[] {
  return [...check.valid, ...check.rejected].map((e) => e.index).sort((a, b) => a - b);
}

describe('checkEntryBundle', () => {
  it('gives each entry its leaf hash and a verdict, in log order', async () => {
    const check = await checkEntryBundle(bytes, bundle(0, entries.length), context);
    expect(check.leafHashes).toEqual(concatBytes(...entries.map((e) => recordHash(e))));
    expect(check.valid.map((e) => [e.index, e.kind, e.affiliation])).toEqual([
      [0, 'sign', 'Acme'],
      [2, 'sign', ''],
      [5, 'withdraw', ''],
      [6, 'sign', 'Société'],
    ]);
    expect(check.valid[0]?.publicKey).toEqual(parseEntry(entries[0] as Uint8Array).publicKey);
    expect(check.rejected.map((e) => [e.index, e.code])).toEqual([
      [1, 'MALFORMED_ENTRY'],
      [3, 'WRONG_LETTER'],
      [4, 'BAD_ENTRY_SIGNATURE'],
    ]);
    expect(check.rejected.every((e) => e.reason.length > 0)).toBe(true);
  });

  it('numbers entries from the bundle index, beyond 2^32', async () => {
    const index = 2 ** 25 + 3; // first entry 2^33 + 768
    const check = await checkEntryBundle(bytes, bundle(index, entries.length), context);
    expect(indexes(check)).toEqual(entries.map((_, j) => index * TILE_WIDTH + j));
    expect(check.valid[0]?.index).toBe(2 ** 33 + 768);
  });

  it('rejects entries short of the stamp', async () => {
    const check = await checkEntryBundle(bytes, bundle(0, entries.length), {
      ...context,
      stampBits: 40,
    });
    expect(check.valid).toEqual([]);
    expect(check.rejected.filter((e) => e.code === 'INSUFFICIENT_STAMP')).toHaveLength(5);
  });

  it('gives the same verdicts with the pure noble path, and through bundleChecker', async () => {
    const fast = await checkEntryBundle(bytes, bundle(1, entries.length), context);
    const noble = await checkEntryBundle(bytes, bundle(1, entries.length), {
      ...context,
      ed25519: createEd25519Verifier({ backend: 'noble' }),
    });
    const checked = await bundleChecker(ed25519)(bytes, bundle(1, entries.length), {
      letterId: id,
      stampBits: 0,
    });
    expect(noble).toEqual(fast);
    expect(checked).toEqual(fast);
  });

  it('refuses a bundle that does not hold exactly its width of entries', async () => {
    await expect(checkEntryBundle(bytes, bundle(0, entries.length + 1), context)).toRejectWithCode(
      'MALFORMED_ENTRY_BUNDLE'
    );
    await expect(
      checkEntryBundle(bytes.subarray(0, bytes.length - 1), bundle(0, entries.length), context)
    ).toRejectWithCode('MALFORMED_ENTRY_BUNDLE');
    await expect(
      checkEntryBundle(concatBytes(bytes, Uint8Array.of(0)), bundle(0, entries.length), context)
    ).toRejectWithCode('MALFORMED_ENTRY_BUNDLE');
  });

  it('throws RangeError for a tile that is not an entry bundle', async () => {
    await expect(
      checkEntryBundle(bytes, { level: 0, index: 0, width: 7 }, context)
    ).rejects.toThrow(RangeError);
    await expect(checkEntryBundle(bytes, bundle(0, 0), context)).rejects.toThrow(RangeError);
    await expect(checkEntryBundle(bytes, bundle(-1, 7), context)).rejects.toThrow(RangeError);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(
      checkEntryBundle(bytes, bundle(0, entries.length), { ...context, signal: controller.signal })
    ).rejects.toThrow('stop');
  });

  it('checks any bytes or rejects with MALFORMED_ENTRY_BUNDLE, accounting for every entry', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 600 }),
        fc.integer({ min: 1, max: TILE_WIDTH }),
        async (data, width) => {
          try {
            const check = await checkEntryBundle(data, bundle(0, width), {
              ...context,
              ed25519: refuseAll,
            });
            expect(indexes(check)).toEqual(Array.from({ length: width }, (_, j) => j));
            expect(check.leafHashes.length).toBe(width * 32);
          } catch (e) {
            if (!isUndersignedError(e, 'MALFORMED_ENTRY_BUNDLE')) throw e;
          }
        }
      )
    );
  });
});
