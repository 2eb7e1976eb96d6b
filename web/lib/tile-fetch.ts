// Reading tiles and entry bundles of a log from one mirror (c2sp.org/tlog-tiles). A partial tile
// is replaced by its full tile once the log grows past it, so a client that read a checkpoint a
// moment ago may find the partial gone: it then reads the full tile and keeps the prefix the
// checkpoint covers (tlog-tiles §Partial tiles). Everything read is checked by core/ afterwards.

import { isUndersignedError, UndersignedError } from '../../core/errors.ts';
import { entriesEnd } from '../../core/entry-bundle.ts';
import { HASH_SIZE } from '../../core/hash.ts';
import { ENTRY_BUNDLE_LEVEL, TILE_WIDTH, type Tile } from '../../core/tiles.ts';
import { fetchTile, type LogSource } from './mirror-api.ts';
import type { RequestOptions } from './http.ts';

/** Reads `tile`, or the prefix of its full tile when the partial one is gone. */
export async function readTile(
  source: LogSource,
  tile: Tile,
  options: RequestOptions = {}
): Promise<Uint8Array> {
  try {
    return await fetchTile(source, tile, options);
  } catch (e) {
    if (tile.width === TILE_WIDTH || !isUndersignedError(e, 'NOT_FOUND')) throw e;
  }
  const full = await fetchTile(source, { ...tile, width: TILE_WIDTH }, options);
  return tile.level === ENTRY_BUNDLE_LEVEL
    ? bundlePrefix(full, tile.width)
    : full.subarray(0, Math.min(full.length, tile.width * HASH_SIZE));
}

/** The first `count` entries of an entry bundle, as a bundle (§6.5: length (2) || entry, …). */
export function bundlePrefix(bundle: Uint8Array, count: number): Uint8Array {
  const end = entriesEnd(bundle, 0, count);
  if (end < 0) {
    throw new UndersignedError('MALFORMED_ENTRY_BUNDLE', 'entry bundle is shorter than its width');
  }
  return bundle.subarray(0, end);
}
