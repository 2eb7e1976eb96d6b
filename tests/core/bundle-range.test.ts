import { describe, expect, it } from 'vitest';
import {
  bundleRangePath,
  MAX_BUNDLES_PER_RANGE,
  parseBundleRangePath,
  readingInRanges,
  splitBundleRange,
  type BundleRange,
} from '../../core/bundle-range.ts';
import { concatBytes } from '../../core/bytes.ts';
import { decodeEntryBundle, encodeEntryBundle } from '../../core/entry-bundle.ts';
import { isUndersignedError } from '../../core/errors.ts';
import { ENTRY_BUNDLE_LEVEL, newEntryBundles, TILE_WIDTH } from '../../core/tiles.ts';

/** A full bundle of 256 entries of varied lengths, entry k of bundle b holding b and k. */
function fullBundle(b: number): Uint8Array {
  return encodeEntryBundle(
    Array.from({ length: TILE_WIDTH }, (_, k) => Uint8Array.from({ length: 1 + (k % 7) }, () => b))
  );
}

describe('entry bundle range paths (§6.7)', () => {
  it('round-trip in decimal, without leading zeros', () => {
    expect(bundleRangePath({ first: 0, count: 16 })).toBe('entry-bundles/0/16');
    expect(bundleRangePath({ first: 1234567, count: 3 })).toBe('entry-bundles/1234567/3');
    expect(parseBundleRangePath('entry-bundles/1234567/3')).toEqual({ first: 1234567, count: 3 });
    expect(parseBundleRangePath('entry-bundles/0/1')).toEqual({ first: 0, count: 1 });
  });

  it('refuse anything else', () => {
    for (const path of [
      'entry-bundles/0/0',
      `entry-bundles/0/${MAX_BUNDLES_PER_RANGE + 1}`,
      'entry-bundles/00/1',
      'entry-bundles/1/01',
      'entry-bundles/-1/1',
      'entry-bundles/1/1/',
      'entry-bundles/x001/1',
      'entry-bundles/99999999999999999/1',
      'tile/entries/000',
      '/entry-bundles/0/1',
    ]) {
      expect(parseBundleRangePath(path), path).toBeUndefined();
    }
    expect(() => bundleRangePath({ first: 0, count: 0 })).toThrow(RangeError);
    expect(() => bundleRangePath({ first: -1, count: 1 })).toThrow(RangeError);
  });
});

describe('splitBundleRange', () => {
  it('gives back each bundle, byte for byte', () => {
    const bundles = [0, 1, 2].map(fullBundle);
    const split = splitBundleRange(concatBytes(...bundles), 3);
    expect(split).toEqual(bundles);
    expect(decodeEntryBundle(split[2] as Uint8Array, TILE_WIDTH)[255]).toEqual(
      Uint8Array.of(2, 2, 2, 2)
    );
  });

  it('refuses an answer that ends early or goes on, as a malformed bundle', () => {
    const two = concatBytes(fullBundle(0), fullBundle(1));
    for (const [bytes, count] of [
      [two.subarray(0, two.length - 1), 2],
      [two, 3],
      [concatBytes(two, Uint8Array.of(0)), 2],
      [two, 1],
      [new TextEncoder().encode('<!doctype html><title>a static host</title>'), 1],
    ] as const) {
      let error: unknown;
      try {
        splitBundleRange(bytes, count);
      } catch (e) {
        error = e;
      }
      expect(isUndersignedError(error, 'MALFORMED_ENTRY_BUNDLE')).toBe(true);
    }
    expect(() => splitBundleRange(two, 0)).toThrow(RangeError);
  });
});

describe('readingInRanges', () => {
  // A log of 130 full bundles and a partial one, held in memory; the reader's two reads
  // record what they were asked.
  const size = 130 * TILE_WIDTH + 5;
  const bundle = (i: number): Uint8Array => fullBundle(i % 251);
  function reader(ranges: boolean): { read: ReturnType<typeof readingInRanges>; asked: string[] } {
    const asked: string[] = [];
    const read = readingInRanges(
      size,
      (tile) => {
        asked.push(`${tile.index}${tile.width === TILE_WIDTH ? '' : `.p/${tile.width}`}`);
        return Promise.resolve(
          tile.width === TILE_WIDTH ? bundle(tile.index) : Uint8Array.of(0, 0)
        );
      },
      ({ first, count }: BundleRange) => {
        asked.push(`${first}+${count}`);
        if (!ranges) return Promise.reject(new Error('HTTP 403'));
        return Promise.resolve(
          concatBytes(...Array.from({ length: count }, (_, k) => bundle(first + k)))
        );
      }
    );
    return { read, asked };
  }

  it('reads aligned ranges, but a first one from where the reader starts', async () => {
    const { read, asked } = reader(true);
    const tiles = newEntryBundles(100 * TILE_WIDTH, size); // a follower holding bundles 0 … 99
    const got = await Promise.all(tiles.map((tile) => read(tile, {})));
    expect(asked).toEqual(['100+12', '112+16', '128+2', '130.p/5']);
    expect(got.slice(0, -1)).toEqual(tiles.slice(0, -1).map((t) => bundle(t.index)));
    expect(tiles.at(-1)).toEqual({ level: ENTRY_BUNDLE_LEVEL, index: 130, width: 5 });
  });

  it('reads bundles alone once a range fails in any way', async () => {
    const { read, asked } = reader(false);
    const tiles = newEntryBundles(0, 20 * TILE_WIDTH);
    const got = [];
    for (const tile of tiles) got.push(await read(tile, {}));
    expect(got).toEqual(tiles.map((t) => bundle(t.index)));
    expect(asked).toEqual(['0+16', ...tiles.map((t) => String(t.index))]);
  });
});
