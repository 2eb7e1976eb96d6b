// Reading a log's entry bundles from one mirror for a full verification (docs/PROTOCOL.md §7
// step 2): full bundles in ranges of 16 (§6.7, core/bundle-range.ts), one request for 4,096
// entries instead of 16, since each request costs the browser about 2.5 ms of CPU. Partial
// bundles are read alone, and so is everything once a range fails to come back as bundles: a
// mirror without ranges answers 404 (an older node, an IPFS gateway) or, on a static host that
// serves its index for any path, something that does not split. Either way nothing is lost:
// every bundle is checked by core/ as if read alone.
//
// The verifier asks for bundles in order (core/verifier.ts), so a range is fetched when the
// first of its bundles is asked for, and forgotten when its last is handed out.

import { isUndersignedError } from '../../core/errors.ts';
import { MAX_BUNDLES_PER_RANGE, splitBundleRange } from '../../core/bundle-range.ts';
import { TILE_WIDTH } from '../../core/tiles.ts';
import type { EntryBundleReader } from '../../core/verifier.ts';
import { fetchBundleRange, type LogSource } from './mirror-api.ts';
import { readTile } from './tile-fetch.ts';

/** Reads the entry bundles of a log of `treeSize` entries from `source`. */
export function entryBundleReader(source: LogSource, treeSize: number): EntryBundleReader {
  const fullBundles = Math.floor(treeSize / TILE_WIDTH);
  let ranges = true;
  const fetched = new Map<number, Promise<Uint8Array[]>>(); // by the range's first bundle
  return async (tile, { signal }) => {
    const options = signal === undefined ? {} : { signal };
    if (!ranges || tile.width !== TILE_WIDTH || tile.index >= fullBundles) {
      return readTile(source, tile, options);
    }
    const first = tile.index - (tile.index % MAX_BUNDLES_PER_RANGE);
    const count = Math.min(MAX_BUNDLES_PER_RANGE, fullBundles - first);
    let bundles = fetched.get(first);
    if (bundles === undefined) {
      bundles = fetchBundleRange(source, { first, count }, options).then((bytes) =>
        splitBundleRange(bytes, count)
      );
      bundles.catch(() => undefined); // awaited below, by each of its bundles
      fetched.set(first, bundles);
    }
    if (tile.index === first + count - 1) fetched.delete(first);
    try {
      return (await bundles)[tile.index - first] as Uint8Array;
    } catch (e) {
      if (!isUndersignedError(e, 'NOT_FOUND') && !isUndersignedError(e, 'MALFORMED_ENTRY_BUNDLE'))
        throw e;
      ranges = false;
      fetched.clear();
      return readTile(source, tile, options);
    }
  };
}
