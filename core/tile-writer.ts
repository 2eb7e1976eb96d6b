// Writing c2sp.org/tlog-tiles hash tiles as a log grows.
//
// A TileWriter holds the partial tile of every level, which is all it needs: when the partial
// tile of level l fills up to 256 hashes it becomes a full tile, and its root (the MTH of its
// 256 hashes) is appended to level l + 1. Partial tiles are never hashed into the level above.
// The partial tiles also give the root hash, so a node resumes from the partial tiles it wrote.

import { HASH_SIZE } from './hash.ts';
import { assertIndex, EMPTY_ROOT, subtreeHash, subtreeNodes } from './merkle.ts';
import {
  hashFromTile,
  partialTilesForSize,
  tileForNode,
  TILE_HEIGHT,
  TILE_WIDTH,
  type Tile,
} from './tiles.ts';
import { UndersignedError } from './errors.ts';

/** A hash tile and its contents, the concatenated 32-byte hashes. */
export type TileData = { readonly tile: Tile; readonly data: Uint8Array };

type Level = { buffer: Uint8Array; count: number; index: number };

/** Appends leaf hashes in batches and returns the tiles each batch creates or widens. */
export class TileWriter {
  #size = 0;
  readonly #levels: Level[] = [];

  /**
   * A writer for the empty tree, or one that resumes at treeSize from the contents of its
   * partial tiles, in the order of partialTilesForSize(treeSize). The caller should check that
   * root() equals the root hash it last signed: the contents are not checked here.
   */
  constructor(treeSize = 0, partialTiles: readonly Uint8Array[] = []) {
    assertIndex(treeSize, 'treeSize');
    const tiles = partialTilesForSize(treeSize);
    if (partialTiles.length !== tiles.length) {
      throw new RangeError(`a tree of size ${treeSize} has ${tiles.length} partial tiles`);
    }
    for (let level = 0; Math.floor(treeSize / TILE_WIDTH ** level) > 0; level++) {
      const count = Math.floor(treeSize / TILE_WIDTH ** level);
      this.#levels.push(newLevel(Math.floor(count / TILE_WIDTH)));
    }
    tiles.forEach((tile, i) => {
      const data = partialTiles[i] as Uint8Array;
      if (!(data instanceof Uint8Array)) throw new TypeError('partial tiles expected Uint8Array');
      if (data.length !== tile.width * HASH_SIZE) {
        throw new UndersignedError(
          'MALFORMED_TILE',
          `partial tile of width ${tile.width} has ${data.length} bytes`
        );
      }
      const level = this.#levels[tile.level] as Level;
      level.buffer.set(data);
      level.count = tile.width;
    });
    this.#size = treeSize;
  }

  /** The number of leaves appended so far. */
  get size(): number {
    return this.#size;
  }

  /**
   * Appends leaf hashes and returns the contents of the tiles that changed, as listed by
   * newTiles(old size, new size): full tiles completed in this batch, then the new partial tile
   * of every level whose hash count changed. Each data is a fresh copy.
   */
  append(leafHashes: readonly Uint8Array[]): TileData[] {
    for (const h of leafHashes) {
      if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) {
        throw new RangeError(`leaf hashes must be ${HASH_SIZE} bytes`);
      }
    }
    const counts = this.#levels.map((level) => level.index * TILE_WIDTH + level.count);
    const out: TileData[] = [];
    for (const h of leafHashes) {
      this.#push(0, h, out);
      this.#size++;
    }
    this.#levels.forEach((level, l) => {
      const changed = level.index * TILE_WIDTH + level.count !== (counts[l] ?? 0);
      if (changed && level.count > 0) {
        const tile = { level: l, index: level.index, width: level.count };
        out.push({ tile, data: level.buffer.slice(0, level.count * HASH_SIZE) });
      }
    });
    return out.sort((a, b) => a.tile.level - b.tile.level || a.tile.index - b.tile.index);
  }

  #push(l: number, hash: Uint8Array, out: TileData[]): void {
    const level = this.#levels[l] ?? newLevel(0);
    this.#levels[l] = level;
    level.buffer.set(hash, level.count * HASH_SIZE);
    if (++level.count < TILE_WIDTH) return;
    const tile = { level: l, index: level.index, width: TILE_WIDTH };
    const data = level.buffer.slice();
    out.push({ tile, data });
    level.count = 0;
    level.index++;
    this.#push(
      l + 1,
      hashFromTile(tile, data, { height: TILE_HEIGHT * (l + 1), index: tile.index }),
      out
    );
  }

  /** The contents of the partial tile of every level, as partialTilesForSize(size) lists them. */
  partialTiles(): TileData[] {
    return partialTilesForSize(this.#size).map((tile) => {
      const level = this.#levels[tile.level] as Level;
      return { tile, data: level.buffer.slice(0, tile.width * HASH_SIZE) };
    });
  }

  /** MTH(D[0:size]), RFC 6962 §2.1, from the partial tiles; EMPTY_ROOT for the empty tree. */
  root(): Uint8Array {
    if (this.#size === 0) return EMPTY_ROOT.slice();
    const hashes = subtreeNodes(0, this.#size).map((node) => {
      const tile = tileForNode(this.#size, node);
      const level = this.#levels[tile.level] as Level;
      return hashFromTile(tile, level.buffer.subarray(0, tile.width * HASH_SIZE), node);
    });
    return subtreeHash(hashes);
  }
}

function newLevel(index: number): Level {
  return { buffer: new Uint8Array(TILE_WIDTH * HASH_SIZE), count: 0, index };
}

/** The contents of every hash tile of the tree with these leaf hashes, as tilesForSize lists. */
export function tileHashes(leafHashes: readonly Uint8Array[]): TileData[] {
  return new TileWriter().append(leafHashes);
}
