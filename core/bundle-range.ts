// Entry bundle ranges (docs/PROTOCOL.md §6.7): an optional read of a mirror, beside the
// c2sp.org/tlog-tiles layout, that answers several consecutive full entry bundles in one
// response, `entry-bundles/<first>/<count>`, their bytes concatenated exactly as each is served
// at `tile/entries/<N>`. It changes nothing that is verified: a reader splits the answer back
// into bundles (each full bundle holds exactly 256 entries) and checks each as if read alone.
// It exists because a browser spends about 2.5 ms of CPU on each request, and a log of a
// million entries has 3,907 bundles (bench/web-verify.ts).
//
// readingInRanges reads full bundles 16 at a time, partial bundles alone, and everything alone
// once a range fails for whatever reason: a mirror without ranges answers 404 (an older node, an
// IPFS gateway), 403 (some object stores), a 404 without CORS headers (a browser sees a network
// error), or, on a static host that serves its index for any path, something that does not
// split. Its readers, the verifier and a follower, ask for bundles in order.

import { entriesEnd } from './entry-bundle.ts';
import { UndersignedError } from './errors.ts';
import { TILE_WIDTH, type Tile } from './tiles.ts';

/** The most bundles one range holds: 4,096 entries. */
export const MAX_BUNDLES_PER_RANGE = 16;

/** A range of full entry bundles: bundle indexes `first` … `first + count − 1`. */
export type BundleRange = { readonly first: number; readonly count: number };

/** Reads one entry bundle's bytes (untrusted until checked by the verifier). */
export type EntryBundleReader = (
  bundle: Tile,
  options: { signal?: AbortSignal }
) => Promise<Uint8Array>;

/** Reads a range's answer, unsplit; any failure makes the reader read bundles alone. */
export type BundleRangeReader = (
  range: BundleRange,
  options: { signal?: AbortSignal }
) => Promise<Uint8Array>;

/**
 * The bundles of a log of `treeSize` entries, read in ranges where it can (see above). Bundles
 * are to be asked for in order and with one signal, as the verifier and a follower do: a range
 * is read with the signal of the first ask in it, and held until each of its bundles was asked
 * for once. Ranges are aligned to 16 (§6.7), but for a first one that starts where the reader
 * starts: a follower that holds bundles 0 … 99 asks 100 … 111, then 112 … 127.
 */
export function readingInRanges(
  treeSize: number,
  readBundle: EntryBundleReader,
  readRange: BundleRangeReader
): EntryBundleReader {
  const fullBundles = Math.floor(treeSize / TILE_WIDTH);
  let ranges = true;
  let start: number | undefined; // the first full bundle asked for
  // By the range's first bundle: its split answer, and how many of its bundles are still to ask.
  const read = new Map<number, { bundles: Promise<Uint8Array[]>; left: number }>();
  return async (tile, options) => {
    if (!ranges || tile.width !== TILE_WIDTH || tile.index >= fullBundles) {
      return readBundle(tile, options);
    }
    start ??= tile.index;
    const first = Math.max(start, tile.index - (tile.index % MAX_BUNDLES_PER_RANGE));
    const count = Math.min(
      MAX_BUNDLES_PER_RANGE - (first % MAX_BUNDLES_PER_RANGE),
      fullBundles - first
    );
    let range = read.get(first);
    if (range === undefined) {
      const bundles = readRange({ first, count }, options).then((bytes) =>
        splitBundleRange(bytes, count)
      );
      bundles.catch(() => undefined); // awaited below, by each of its bundles
      range = { bundles, left: count };
      read.set(first, range);
    }
    if (--range.left === 0) read.delete(first);
    try {
      return (await range.bundles)[tile.index - first] as Uint8Array;
    } catch (e) {
      // Whatever went wrong (404, 403, an answer too big or that does not split, a timeout),
      // the bundles can still be read alone: a mirror that is down fails there too.
      if (options.signal?.aborted === true) throw e;
      ranges = false;
      read.clear();
      return readBundle(tile, options);
    }
  };
}

const RANGE_PATH = /^entry-bundles\/(0|[1-9][0-9]{0,15})\/([1-9][0-9]?)$/;

/** The path of `range` under a log's prefix: `entry-bundles/<first>/<count>`, in decimal. */
export function bundleRangePath(range: BundleRange): string {
  assertBundleRange(range);
  return `entry-bundles/${range.first}/${range.count}`;
}

/** Parses a range path (no leading zeros, count 1..16); undefined for anything else. */
export function parseBundleRangePath(path: string): BundleRange | undefined {
  const match = RANGE_PATH.exec(path);
  if (match === null) return undefined;
  const range = { first: Number(match[1]), count: Number(match[2]) };
  return isBundleRange(range) ? range : undefined;
}

/**
 * Splits the answer to a range of `count` bundles into the bundles, as views into `bytes`:
 * each the next 256 length-prefixed entries. Throws MALFORMED_ENTRY_BUNDLE when the bytes end
 * early or go on after the last bundle. The bundles still have to be checked (bundle-check.ts).
 */
export function splitBundleRange(bytes: Uint8Array, count: number): Uint8Array[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_BUNDLES_PER_RANGE) {
    throw new RangeError(`"count" expected 1..${MAX_BUNDLES_PER_RANGE}, got ${String(count)}`);
  }
  const bundles: Uint8Array[] = [];
  let at = 0;
  for (let b = 0; b < count; b++) {
    const end = entriesEnd(bytes, at, TILE_WIDTH);
    if (end < 0) {
      throw new UndersignedError(
        'MALFORMED_ENTRY_BUNDLE',
        `entry bundle range ends inside bundle ${b} of ${count}`
      );
    }
    bundles.push(bytes.subarray(at, end));
    at = end;
  }
  if (at !== bytes.length) {
    throw new UndersignedError('MALFORMED_ENTRY_BUNDLE', 'bytes after the last bundle of a range');
  }
  return bundles;
}

function isBundleRange({ first, count }: BundleRange): boolean {
  return (
    Number.isSafeInteger(first) &&
    first >= 0 &&
    (first + count) * TILE_WIDTH <= Number.MAX_SAFE_INTEGER &&
    Number.isInteger(count) &&
    count >= 1 &&
    count <= MAX_BUNDLES_PER_RANGE
  );
}

function assertBundleRange(range: BundleRange): void {
  if (!isBundleRange(range)) {
    throw new RangeError(
      `a bundle range expected a safe first index and 1..${MAX_BUNDLES_PER_RANGE} bundles`
    );
  }
}
