// GET /log/… : the mirror's own log in the exact c2sp.org/tlog-tiles layout (docs/PROTOCOL.md
// §6.6), read from the files under <data>/log/ (node/log/layout.ts).
//
//   /log/checkpoint                  text/plain; charset=utf-8    Cache-Control: no-cache
//   /log/tile/<L>/<N>                application/octet-stream     public, max-age=31536000, immutable
//   /log/tile/entries/<N>            application/octet-stream     public, max-age=31536000, immutable
//   /log/tile/…/<N>.p/<W>            application/octet-stream     public, max-age=60
//   /log/entry-bundles/<N>/<K>       application/octet-stream     public, max-age=31536000, immutable
//     (core/bundle-range.ts, §6.7: K full bundles from N, concatenated; 404 unless all are full)
//
// Only a path that parseTilePath or parseBundleRangePath accepts is served, and each file read
// is at the canonical path rebuilt from the parsed tile: no other file of the data directory
// can be reached.
//
// Policy: the log deletes a partial tile once its full tile exists (tlog-tiles allows it), but
// still serves it, cut from the full tile: a reader that fetched a checkpoint just before the
// tile filled up must still find the tiles it implies (C2SP issue #145). The bytes are the same
// as the deleted file's, so they never change either; they are cached briefly all the same, as
// tlog-tiles clients expect partial tiles to go away.

import type { ServerResponse } from 'node:http';
import { parseBundleRangePath } from '../../core/bundle-range.ts';
import { ENTRY_BUNDLE_LEVEL, parseTilePath, TILE_WIDTH, type Tile } from '../../core/tiles.ts';
import type { TileStore } from '../log/tile-store.ts';
import { isMissing } from '../log/disk.ts';
import { IMMUTABLE, send, sendNotFound } from './respond.ts';

/** How long a partial tile may be cached, in seconds. */
export const PARTIAL_TILE_MAX_AGE = 60;

/** Serves GET /log/checkpoint from the last published checkpoint. */
export function serveCheckpoint(res: ServerResponse, signed: string): void {
  send(res, 200, signed, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-cache',
  });
}

/** Serves GET /log/<path> for a tile path or an entry bundle range; anything else is 404. */
export async function serveTile(
  res: ServerResponse,
  tiles: TileStore,
  path: string
): Promise<void> {
  const range = parseBundleRangePath(path);
  if (range !== undefined) {
    await serveBundleRange(res, tiles, range.first, range.count);
    return;
  }
  let tile: Tile;
  try {
    tile = parseTilePath(path);
  } catch {
    sendNotFound(res);
    return;
  }
  let data: Uint8Array;
  try {
    data = await tiles.read(tile);
  } catch (e) {
    if (isMissing(e)) {
      sendNotFound(res);
      return;
    }
    throw e;
  }
  send(res, 200, data, {
    'Content-Type': 'application/octet-stream',
    'Cache-Control':
      tile.width === TILE_WIDTH ? IMMUTABLE : `public, max-age=${PARTIAL_TILE_MAX_AGE}`,
  });
}

/** Serves `count` full entry bundles from bundle `first`, concatenated; 404 if one is not full. */
async function serveBundleRange(
  res: ServerResponse,
  tiles: TileStore,
  first: number,
  count: number
): Promise<void> {
  let bundles: Uint8Array[];
  try {
    bundles = await Promise.all(
      Array.from({ length: count }, (_, k) =>
        tiles.read({ level: ENTRY_BUNDLE_LEVEL, index: first + k, width: TILE_WIDTH })
      )
    );
  } catch (e) {
    if (isMissing(e)) {
      sendNotFound(res);
      return;
    }
    throw e;
  }
  send(res, 200, Buffer.concat(bundles), {
    'Content-Type': 'application/octet-stream',
    'Cache-Control': IMMUTABLE,
  });
}
