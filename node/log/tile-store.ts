// The published hash tiles and entry bundles of a log on disk, at their c2sp.org/tlog-tiles
// paths under <data>/log/ (layout.ts). Files here are only ever written after the checkpoint
// that implies them is stored (log.ts), so whatever is here is final: a full tile never
// changes, and a partial tile <N>.p/<W> never changes either, it only goes away once the full
// tile <N> exists (tlog-tiles allows that; readers then take the full tile's first W hashes).

import { decodeEntryBundle, encodeEntryBundle } from '../../core/entry-bundle.ts';
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ENTRY_BUNDLE_LEVEL, TILE_WIDTH, type Tile } from '../../core/tiles.ts';
import { HASH_SIZE } from '../../core/hash.ts';
import {
  isMissing,
  moveFilesDurably,
  removeDurably,
  writeFilesDurably,
  writeNewFileDurably,
} from './disk.ts';
import { tileFile, type Layout } from './layout.ts';
import type { TileFile } from './staging.ts';

/** A tile or bundle written durably under a staging directory, not yet at its path. */
export type StagedTile = { readonly tile: Tile; readonly file: string };

/** Reads and writes the tiles of one log directory. */
export class TileStore {
  readonly #layout: Layout;

  constructor(layout: Layout) {
    this.#layout = layout;
  }

  /**
   * The contents of a tile or bundle; for a partial one that is gone, the first `width` hashes
   * or entries of its full tile. Rejects with ENOENT if neither exists.
   */
  async read(tile: Tile, options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    const read = async (t: Tile): Promise<Uint8Array> =>
      new Uint8Array(
        await readFile(tileFile(this.#layout, t), options.signal ? { signal: options.signal } : {})
      );
    try {
      return await read(tile);
    } catch (e) {
      if (!isMissing(e) || tile.width === TILE_WIDTH) throw e;
    }
    const full = await read({ ...tile, width: TILE_WIDTH });
    if (tile.level === ENTRY_BUNDLE_LEVEL) {
      return encodeEntryBundle(decodeEntryBundle(full, TILE_WIDTH).slice(0, tile.width));
    }
    return full.subarray(0, tile.width * HASH_SIZE);
  }

  /** Writes tiles and bundles durably at their paths (disk.ts). */
  async publish(tiles: readonly TileFile[]): Promise<void> {
    await writeFilesDurably(
      tiles.map(({ tile, data }) => ({ path: tileFile(this.#layout, tile), data }))
    );
  }

  /**
   * Writes tiles and bundles durably under `dir` (which must exist), by names of their own, for
   * publishStaged to move to their paths later: the slow part of publishing (one fsync a file),
   * done early.
   */
  async stage(tiles: readonly TileFile[], dir: string): Promise<StagedTile[]> {
    return Promise.all(
      tiles.map(async ({ tile, data }) => {
        const file = join(dir, randomBytes(8).toString('hex'));
        await writeNewFileDurably(file, data);
        return { tile, file };
      })
    );
  }

  /** Moves staged tiles and bundles to their paths, durably. */
  async publishStaged(staged: readonly StagedTile[]): Promise<void> {
    await moveFilesDurably(
      staged.map(({ tile, file }) => ({ from: file, to: tileFile(this.#layout, tile) }))
    );
  }

  /**
   * Removes the partial versions (<N>.p/) of the full tiles and bundles among `tiles`. Call it
   * only once those full tiles are durable. Best effort: a leftover partial is harmless.
   */
  async prunePartials(tiles: readonly Tile[]): Promise<void> {
    const full = tiles.filter((t) => t.width === TILE_WIDTH);
    await removeDurably(full.map((t) => `${tileFile(this.#layout, t)}.p`)).catch(() => undefined);
  }
}
