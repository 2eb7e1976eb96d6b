// Reading many node hashes from hash tiles (c2sp.org/tlog-tiles) fast: each tile's eight levels
// are hashed once (255 hashes for a full tile) and kept, so that every node of it is then a
// lookup, where core's hashFromTile hashes up to 255 times per node. The receipts of a batch
// read thousands of nodes from a handful of tiles.
//
// Tile data must be checked (core/tile-reader.ts tileHashReader) before it is given here. The
// cache is keyed by tile path: a path's content never changes once published (tile-store.ts),
// but a batch that failed before its commit may have used paths that the next batch fills
// differently, so the owner clears the cache whenever it recovers.

import { HASH_SIZE } from '../../core/hash.ts';
import { nodeHash, type HashReader, type NodeRef } from '../../core/merkle.ts';
import { tileForNode, tilePath, TILE_HEIGHT, TILE_WIDTH, type Tile } from '../../core/tiles.ts';

/** The levels of tiles, the most recently used kept. */
export class TileLevels {
  readonly #max: number;
  readonly #levels = new Map<string, Uint8Array[][]>();

  /** Keeps the levels of at most `maxTiles` tiles (about 50 KB each). */
  constructor(maxTiles = 64) {
    this.#max = maxTiles;
  }

  /** A HashReader for the tree of size treeSize over these checked tiles. */
  reader(treeSize: number, tiles: readonly Tile[], data: readonly Uint8Array[]): HashReader {
    const given = new Map(tiles.map((tile, i) => [tilePath(tile), data[i] as Uint8Array]));
    // Proofs of neighbouring leaves share most nodes: remember each node read, by height.
    const seen: Map<number, Uint8Array>[] = [];
    const read = (node: NodeRef): Uint8Array => {
      const byIndex = (seen[node.height] ??= new Map());
      let hash = byIndex.get(node.index);
      if (hash !== undefined) return hash;
      const tile = tileForNode(treeSize, node);
      const levels = this.#get(tilePath(tile), given);
      const r = node.height - TILE_HEIGHT * tile.level;
      hash = levels[r]?.[node.index - tile.index * (TILE_WIDTH / 2 ** r)];
      if (hash === undefined) throw new Error('bug: node not in its tile');
      byIndex.set(node.index, hash);
      return hash;
    };
    return (nodes) => nodes.map(read);
  }

  /** Forgets every tile. */
  clear(): void {
    this.#levels.clear();
  }

  #get(path: string, given: ReadonlyMap<string, Uint8Array>): Uint8Array[][] {
    let levels = this.#levels.get(path);
    if (levels !== undefined) {
      this.#levels.delete(path); // re-inserted below: most recently used last
    } else {
      const data = given.get(path);
      if (data === undefined) throw new RangeError(`${path} was not given`);
      levels = hashLevels(data);
    }
    this.#levels.set(path, levels);
    if (this.#levels.size > this.#max) {
      const oldest = this.#levels.keys().next();
      if (oldest.done !== true) this.#levels.delete(oldest.value);
    }
    return levels;
  }
}

/** Level r holds the MTH of each run of 2^r hashes: level 0 the hashes, up to one full root. */
function hashLevels(data: Uint8Array): Uint8Array[][] {
  const width = data.length / HASH_SIZE;
  const levels = [
    Array.from({ length: width }, (_, i) => data.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE)),
  ];
  for (let below = levels[0] as Uint8Array[]; below.length > 1;) {
    const above = Array.from({ length: Math.floor(below.length / 2) }, (_, i) =>
      nodeHash(below[2 * i] as Uint8Array, below[2 * i + 1] as Uint8Array)
    );
    levels.push(above);
    below = above;
  }
  return levels;
}
