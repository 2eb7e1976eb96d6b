// c2sp.org/tlog-tiles: tile and entry bundle coordinates, paths, and reading nodes from tiles.
//
// Tiles have height 8: a tile holds up to 256 hashes. Hash i of tile n at level l is
// MTH(D[(n·256+i)·256^l : (n·256+i+1)·256^l]), the node { height: 8l, index: n·256+i }. A tree
// of size s has floor(s/256^l) hashes at level l: full tiles of 256, then a partial tile of
// width floor(s/256^l) mod 256 if that is not 0 (empty tiles do not exist). Partial tiles are
// never hashed into the level above. An entry bundle is the entries behind one level 0 tile.

import { assertBytes } from './bytes.ts';
import { UndersignedError } from './errors.ts';
import { HASH_SIZE } from './hash.ts';
import { assertIndex, perfectRoot, type NodeRef } from './merkle.ts';

/** Hashes per tile level: a tile covers 8 levels of the tree. */
export const TILE_HEIGHT = 8;
/** Hashes in a full tile, 2^TILE_HEIGHT. */
export const TILE_WIDTH = 256;
/** The level of entry bundles (tile/entries/...), as in Go's tlog: not a hash tile. */
export const ENTRY_BUNDLE_LEVEL = -1;

/**
 * A hash tile (level 0..63) or an entry bundle (level ENTRY_BUNDLE_LEVEL): its index at that
 * level and its width, 1..255 for a partial tile, TILE_WIDTH for a full one.
 */
export type Tile = { readonly level: number; readonly index: number; readonly width: number };

function assertTile(tile: Tile): void {
  const { level, index, width } = tile;
  if (!Number.isInteger(level) || level < ENTRY_BUNDLE_LEVEL || level > 63) {
    throw new RangeError(`tile level expected -1..63, got ${String(level)}`);
  }
  assertIndex(index, 'tile.index');
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH) {
    throw new RangeError(`tile width expected 1..${TILE_WIDTH}, got ${String(width)}`);
  }
}

/** The path of a tile: tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>]. */
export function tilePath(tile: Tile): string {
  assertTile(tile);
  // <N> in zero-padded 3-digit groups, all but the last prefixed with x: 1234067 → x001/x234/067.
  let digits = String(tile.index);
  digits = digits.padStart(Math.ceil(digits.length / 3) * 3, '0');
  const groups = digits.match(/.../g) ?? [];
  const n = groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
  const level = tile.level === ENTRY_BUNDLE_LEVEL ? 'entries' : String(tile.level);
  const partial = tile.width < TILE_WIDTH ? `.p/${tile.width}` : '';
  return `tile/${level}/${n}${partial}`;
}

const PATH =
  /^tile\/(entries|0|[1-9][0-9]?)\/((?:x[0-9]{3}\/)*)([0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/;

/** Parses a tile path strictly: the one canonical path of each tile, or MALFORMED_TILE_PATH. */
export function parseTilePath(path: string): Tile {
  if (typeof path !== 'string') throw new TypeError('"path" expected a string');
  const bad = (why: string): UndersignedError => new UndersignedError('MALFORMED_TILE_PATH', why);
  // The longest canonical path, tile/entries/ + 6 groups (2^53) + .p/255, has 47 characters.
  if (path.length > 64) throw bad('tile path too long');
  const m = PATH.exec(path);
  if (m === null) throw bad('not a tile path');
  const [, levelText = '', xGroups = '', last = '', widthText] = m;
  const level = levelText === 'entries' ? ENTRY_BUNDLE_LEVEL : Number(levelText);
  if (level > 63) throw bad('tile level above 63');
  if (xGroups.startsWith('x000')) throw bad('tile index with a leading zero group');
  const index = Number(xGroups.replaceAll('x', '').replaceAll('/', '') + last);
  if (!Number.isSafeInteger(index)) throw bad('tile index beyond 2^53');
  const width = widthText === undefined ? TILE_WIDTH : Number(widthText);
  if (widthText !== undefined && width >= TILE_WIDTH) throw bad('partial tile width above 255');
  return { level, index, width };
}

/** The tiles of one level holding `count` hashes (or entries) from tile `from` on. */
function levelTiles(level: number, count: number, from: number, out: Tile[]): void {
  const full = Math.floor(count / TILE_WIDTH);
  for (let index = from; index < full; index++) out.push({ level, index, width: TILE_WIDTH });
  if (count % TILE_WIDTH > 0) out.push({ level, index: full, width: count % TILE_WIDTH });
}

/** The hashes at tile level `level` in a tree of size treeSize: floor(s/256^l). */
function levelCount(treeSize: number, level: number): number {
  return Math.floor(treeSize / TILE_WIDTH ** level);
}

/** Every hash tile of the tree of size treeSize, full and partial, by level then index. */
export function tilesForSize(treeSize: number): Tile[] {
  return newTiles(0, treeSize);
}

/** The partial tiles of the tree of size treeSize, one per level at most, by level. */
export function partialTilesForSize(treeSize: number): Tile[] {
  assertIndex(treeSize, 'treeSize');
  const out: Tile[] = [];
  for (let level = 0; levelCount(treeSize, level) > 0; level++) {
    const count = levelCount(treeSize, level);
    levelTiles(level, count, Math.floor(count / TILE_WIDTH), out);
  }
  return out;
}

/**
 * The hash tiles that differ between the trees of size oldSize and newSize: tiles that are new
 * or wider, by level then index (Go's tlog.NewTiles). These are the tiles a log writes.
 */
export function newTiles(oldSize: number, newSize: number): Tile[] {
  assertIndex(oldSize, 'oldSize');
  assertIndex(newSize, 'newSize');
  if (oldSize > newSize) throw new RangeError(`old size ${oldSize} > new size ${newSize}`);
  const out: Tile[] = [];
  for (let level = 0; levelCount(newSize, level) > 0; level++) {
    const oldCount = levelCount(oldSize, level);
    const newCount = levelCount(newSize, level);
    if (oldCount !== newCount) levelTiles(level, newCount, Math.floor(oldCount / TILE_WIDTH), out);
  }
  return out;
}

/** Every entry bundle of the tree of size treeSize, full and partial, by index. */
export function entryBundlesForSize(treeSize: number): Tile[] {
  return newEntryBundles(0, treeSize);
}

/** The entry bundles that are new or wider from oldSize to newSize, by index. */
export function newEntryBundles(oldSize: number, newSize: number): Tile[] {
  assertIndex(oldSize, 'oldSize');
  assertIndex(newSize, 'newSize');
  if (oldSize > newSize) throw new RangeError(`old size ${oldSize} > new size ${newSize}`);
  const out: Tile[] = [];
  if (oldSize < newSize) {
    levelTiles(ENTRY_BUNDLE_LEVEL, newSize, Math.floor(oldSize / TILE_WIDTH), out);
  }
  return out;
}

/** The entry bundles of the tree of size treeSize that hold the entries [start, end). */
export function entryBundlesForRange(treeSize: number, start: number, end: number): Tile[] {
  assertIndex(treeSize, 'treeSize');
  assertIndex(start, 'start');
  assertIndex(end, 'end');
  if (start > end || end > treeSize) throw new RangeError(`bad range [${start}, ${end})`);
  const out: Tile[] = [];
  if (start === end) return out;
  for (let index = Math.floor(start / TILE_WIDTH); index * TILE_WIDTH < end; index++) {
    const width = Math.min(TILE_WIDTH, treeSize - index * TILE_WIDTH);
    out.push({ level: ENTRY_BUNDLE_LEVEL, index, width });
  }
  return out;
}

/**
 * The hash tile of the tree of size treeSize that holds the node: a node at height h = 8l + r
 * (0 <= r < 8) and index n is the MTH of 2^r hashes of level l, starting at n·2^r.
 */
export function tileForNode(treeSize: number, node: NodeRef): Tile {
  assertIndex(treeSize, 'treeSize');
  assertIndex(node.height, 'node.height');
  assertIndex(node.index, 'node.index');
  if ((node.index + 1) * 2 ** node.height > treeSize) {
    throw new RangeError(`node is not complete in a tree of size ${treeSize}`);
  }
  const level = Math.floor(node.height / TILE_HEIGHT);
  const start = node.index * 2 ** (node.height % TILE_HEIGHT);
  const index = Math.floor(start / TILE_WIDTH);
  const width = Math.min(TILE_WIDTH, levelCount(treeSize, level) - index * TILE_WIDTH);
  return { level, index, width };
}

/**
 * The hash of `node` from the data of a hash tile that holds it: the MTH of its 2^r hashes
 * (r = height - 8·level, 0..8: 8 is the root of a full tile). MALFORMED_TILE if `data` is not
 * exactly width·32 bytes; RangeError if the tile does not hold the node.
 */
export function hashFromTile(tile: Tile, data: Uint8Array, node: NodeRef): Uint8Array {
  assertTile(tile);
  if (tile.level === ENTRY_BUNDLE_LEVEL) throw new RangeError('an entry bundle holds no hashes');
  assertBytes(data, undefined, 'data');
  if (data.length !== tile.width * HASH_SIZE) {
    throw new UndersignedError(
      'MALFORMED_TILE',
      `tile of width ${tile.width} has ${data.length} bytes`
    );
  }
  const r = node.height - TILE_HEIGHT * tile.level;
  if (!Number.isInteger(r) || r < 0 || r > TILE_HEIGHT) throw new RangeError('node not in tile');
  const count = 2 ** r;
  const offset = node.index * count - tile.index * TILE_WIDTH;
  if (!(offset >= 0 && offset + count <= tile.width)) throw new RangeError('node not in tile');
  return perfectRoot(data, offset, count);
}
