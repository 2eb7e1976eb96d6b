// Our log's tiles and entry bundles as IPFS blocks (DESIGN.md "Replication over IPFS/libp2p",
// docs/PROTOCOL.md §8.2 "cid"): every tile and bundle is put into the blockstore as a raw block
// (CIDv1, raw, SHA-256), so peers can fetch it over bitswap, and each announced checkpoint
// names the UnixFS directory of the tree's tiles at their tlog-tiles paths.
//
// Policy: the directory lists the full tiles and bundles and the partial ones of the announced
// tree size only; it is rebuilt at most once per tree size, from the tiles published since the
// last one (read from the log's files, which are final once they exist: node/log/log.ts).

import type { CID } from 'multiformats/cid';
import {
  entryBundlesForSize,
  newEntryBundles,
  newTiles,
  tilePath,
  tilesForSize,
  TILE_WIDTH,
  type Tile,
} from '../../core/tiles.ts';
import type { TileStore } from '../log/tile-store.ts';
import type { MirrorP2P } from '../p2p/mirror-p2p.ts';

/** Keeps the blockstore in step with the log and names its directory. */
export class TileBlocks {
  readonly #p2p: MirrorP2P;
  readonly #tiles: TileStore;
  readonly #full = new Map<string, CID>();
  #size = 0;
  #directory: { size: number; cid: CID } | undefined;

  constructor(p2p: MirrorP2P, tiles: TileStore) {
    this.#p2p = p2p;
    this.#tiles = tiles;
  }

  /** The CID of the directory of the tree of size `treeSize` (its tiles stored as blocks). */
  async directory(treeSize: number): Promise<CID> {
    if (this.#directory?.size === treeSize) return this.#directory.cid;
    const added = [...newTiles(this.#size, treeSize), ...newEntryBundles(this.#size, treeSize)];
    for (const tile of added.filter((t) => t.width === TILE_WIDTH)) {
      this.#full.set(tilePath(tile), await this.#put(tile));
    }
    this.#size = treeSize;
    const partial = [...tilesForSize(treeSize), ...entryBundlesForSize(treeSize)].filter(
      (t) => t.width < TILE_WIDTH
    );
    const entries = [...this.#full].map(([path, cid]) => ({ path, cid }));
    for (const tile of partial) entries.push({ path: tilePath(tile), cid: await this.#put(tile) });
    const cid = await this.#p2p.putDirectory(entries);
    this.#directory = { size: treeSize, cid };
    return cid;
  }

  async #put(tile: Tile): Promise<CID> {
    return this.#p2p.putBlock(await this.#tiles.read(tile));
  }
}
