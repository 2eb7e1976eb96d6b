// Reading node hashes from c2sp.org/tlog-tiles tiles, checked against a checkpoint's root hash
// (Go's tlog.TileHashReader, split into plan and check because core/ does no I/O):
//
//   const need = tilesForRecordProof(treeSize, index);   // plan
//   const data = await fetchAll(need.map(tilePath));      // the caller fetches
//   const reader = tileHashReader(treeSize, rootHash, need, data); // checks every tile
//   const proof = proveRecord(treeSize, index, reader);
//
// Tile data from the network is suspect until checked. The partial tiles of a tree hold the
// perfect subtrees that make up [0, treeSize), so they are checked against the root hash; every
// full tile is checked against the hash of it in its parent tile, one level up; following
// parents always ends at a partial tile. So every plan includes all partial tiles of the tree.

import { equalBytes } from './bytes.ts';
import { UndersignedError } from './errors.ts';
import { HASH_SIZE } from './hash.ts';
import {
  assertIndex,
  EMPTY_ROOT,
  recordProofNodes,
  subtreeHash,
  subtreeNodes,
  treeProofNodes,
  type HashReader,
  type NodeRef,
} from './merkle.ts';
import {
  hashFromTile,
  partialTilesForSize,
  tileForNode,
  tilePath,
  TILE_HEIGHT,
  TILE_WIDTH,
  type Tile,
} from './tiles.ts';

/** The tile one level up that holds the root of a full tile, as wide as the tree allows. */
function tileParent(treeSize: number, tile: Tile): Tile {
  return tileForNode(treeSize, { height: TILE_HEIGHT * (tile.level + 1), index: tile.index });
}

function byLevelThenIndex(a: Tile, b: Tile): number {
  return a.level - b.level || a.index - b.index;
}

/**
 * The tiles to fetch to read `nodes` of the tree of size treeSize and check them against its
 * root hash: the tiles that hold them, their full ancestors, and all partial tiles.
 */
export function tilesForNodes(treeSize: number, nodes: readonly NodeRef[]): Tile[] {
  const need = new Map<string, Tile>();
  for (const tile of partialTilesForSize(treeSize)) need.set(tilePath(tile), tile);
  for (const node of nodes) {
    let tile = tileForNode(treeSize, node);
    // Climb until a tile already planned; partial tiles are, so this ends.
    while (!need.has(tilePath(tile))) {
      need.set(tilePath(tile), tile);
      tile = tileParent(treeSize, tile);
    }
  }
  return [...need.values()].sort(byLevelThenIndex);
}

/** The tiles to fetch to prove that leaf `index` is in the tree of size treeSize. */
export function tilesForRecordProof(treeSize: number, index: number): Tile[] {
  return tilesForNodes(treeSize, recordProofNodes(treeSize, index).flat());
}

/** The tiles of the new tree to fetch to prove that the old tree is a prefix of it. */
export function tilesForTreeProof(newSize: number, oldSize: number): Tile[] {
  return tilesForNodes(newSize, treeProofNodes(newSize, oldSize).flat());
}

/** Whether the tree of size treeSize has exactly this hash tile (same width). */
function treeHasTile(treeSize: number, tile: Tile): boolean {
  if (tile.level < 0) return false;
  const count = Math.floor(treeSize / TILE_WIDTH ** tile.level);
  const full = Math.floor(count / TILE_WIDTH);
  if (tile.index < full) return tile.width === TILE_WIDTH;
  return tile.index === full && tile.width === count % TILE_WIDTH;
}

/**
 * Checks fetched tiles against the root hash of the tree of size treeSize and returns a
 * HashReader over them. `tiles` must include all partial tiles of the tree and the parent of
 * every full tile (as tilesForNodes plans); a full tile fetched in place of a partial one (the
 * partial is gone once the full tile exists) is passed as its first width·32 bytes.
 * Throws MALFORMED_TILE for data of the wrong length and ROOT_MISMATCH for tiles that do not
 * hash up to the root; the reader throws RangeError for a node in none of the tiles.
 */
export function tileHashReader(
  treeSize: number,
  rootHash: Uint8Array,
  tiles: readonly Tile[],
  data: readonly Uint8Array[]
): HashReader {
  assertIndex(treeSize, 'treeSize');
  if (!(rootHash instanceof Uint8Array) || rootHash.length !== HASH_SIZE) {
    throw new RangeError(`"rootHash" expected ${HASH_SIZE} bytes`);
  }
  if (tiles.length !== data.length) throw new RangeError('"tiles" and "data" differ in length');
  const tileData = new Map<string, Uint8Array>();
  tiles.forEach((tile, i) => {
    const path = tilePath(tile);
    if (!treeHasTile(treeSize, tile))
      throw new RangeError(`${path} is not a tile of size ${treeSize}`);
    if (tileData.has(path)) throw new RangeError(`${path} given twice`);
    const d = data[i] as Uint8Array;
    if (!(d instanceof Uint8Array)) throw new TypeError(`data of ${path} expected Uint8Array`);
    if (d.length !== tile.width * HASH_SIZE) {
      throw new UndersignedError('MALFORMED_TILE', `${path} has ${d.length} bytes`);
    }
    tileData.set(path, d);
  });
  const read = (node: NodeRef): Uint8Array => {
    const tile = tileForNode(treeSize, node);
    const d = tileData.get(tilePath(tile));
    if (d === undefined) throw new RangeError(`${tilePath(tile)} was not given`);
    return hashFromTile(tile, d, node);
  };

  // The partial tiles against the root hash: MTH(D[0:n]) is the right fold of its subtrees.
  const root = treeSize === 0 ? EMPTY_ROOT : subtreeHash(subtreeNodes(0, treeSize).map(read));
  if (!equalBytes(root, rootHash)) {
    throw new UndersignedError('ROOT_MISMATCH', 'tiles do not hash to the root hash');
  }
  // Full tiles against their parents, top down, so that each parent is checked first.
  for (const tile of [...tiles].sort(byLevelThenIndex).reverse()) {
    if (tile.width < TILE_WIDTH) continue;
    const node = { height: TILE_HEIGHT * (tile.level + 1), index: tile.index };
    const own = hashFromTile(tile, tileData.get(tilePath(tile)) as Uint8Array, node);
    if (!equalBytes(own, read(node))) {
      throw new UndersignedError('ROOT_MISMATCH', `${tilePath(tile)} does not match its parent`);
    }
  }
  return (nodes) => nodes.map(read);
}
