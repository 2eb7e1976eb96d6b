import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { concatBytes } from '../../core/bytes.ts';
import { isUndersignedError } from '../../core/errors.ts';
import { subtreeNodes } from '../../core/merkle.ts';
import {
  ENTRY_BUNDLE_LEVEL,
  entryBundlesForRange,
  entryBundlesForSize,
  hashFromTile,
  newEntryBundles,
  newTiles,
  parseTilePath,
  partialTilesForSize,
  tileForNode,
  tilePath,
  tilesForSize,
  TILE_WIDTH,
  type Tile,
} from '../../core/tiles.ts';
import { leafHashes, memoReader } from '../helpers/merkle.ts';
import { readSharedJson } from '../helpers/vectors.ts';

type TileVectors = {
  paths: { level?: number; index: number; width: number; path: string; go_xmod_0_7_path: string }[];
  invalid_paths: string[];
  trees: { size: number; tiles: string[]; entry_bundles: string[] }[];
};
const vectors = readSharedJson<TileVectors>('tiles.json');
const LEAVES = leafHashes(70_000);
const MEMO = memoReader(LEAVES);

/** Tile data built from node hashes directly, independently of tile-writer.ts. */
function tileData(tile: Tile): Uint8Array {
  const nodes = Array.from({ length: tile.width }, (_, i) => ({
    height: 8 * tile.level,
    index: tile.index * TILE_WIDTH + i,
  }));
  return concatBytes(...MEMO(nodes));
}

const bigIndex = fc.oneof(
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  fc.integer({ min: 2 ** 31 - 300, max: 2 ** 31 + 300 }),
  fc.integer({ min: 2 ** 32 - 300, max: 2 ** 32 + 300 }),
  fc.integer({ min: Number.MAX_SAFE_INTEGER - 300, max: Number.MAX_SAFE_INTEGER }),
  fc.nat(2000)
);
const anyTile = fc.record({
  level: fc.integer({ min: ENTRY_BUNDLE_LEVEL, max: 63 }),
  index: bigIndex,
  width: fc.oneof(fc.integer({ min: 1, max: 256 }), fc.constant(256)),
});

describe('tilePath and parseTilePath', () => {
  it('format and parse every path of tiles.json', () => {
    for (const v of vectors.paths) {
      const tile = { level: v.level ?? ENTRY_BUNDLE_LEVEL, index: v.index, width: v.width };
      expect(tilePath(tile)).toBe(v.path);
      expect(parseTilePath(v.path)).toEqual(tile);
      // Go's x/mod 0.7 paths carry the tile height and tile/8/data: not C2SP paths.
      expect(() => parseTilePath(v.go_xmod_0_7_path)).toThrowCode('MALFORMED_TILE_PATH');
    }
  });

  it('refuse every invalid path of tiles.json', () => {
    expect(vectors.invalid_paths.length).toBeGreaterThan(10);
    for (const path of vectors.invalid_paths) {
      expect(() => parseTilePath(path), path).toThrowCode('MALFORMED_TILE_PATH');
    }
  });

  it('refuse non-canonical and out-of-range paths', () => {
    for (const path of [
      '',
      'tile/0/000/',
      '/tile/0/000',
      'tile/0/000.p/256',
      'tile/0/x000/000',
      'tile/0/x009/x007/x199/x254/x740/992', // 2^53
      'tile/0/x001/x000/x000/x000/x000/x000/000',
      'tile/0/x9/000',
      'tile/0/00a',
      'tile/0/000.p/1/',
      'tile/0/000.P/1',
      'tile/0/000.p/+1',
      'tile/0/ 000',
      'tile/entries/000.p/00',
      'tile/0/000\n',
      'tile/0/x'.padEnd(100, '0'),
    ]) {
      expect(() => parseTilePath(path), path).toThrowCode('MALFORMED_TILE_PATH');
    }
    expect(parseTilePath('tile/0/x009/x007/x199/x254/x740/991')).toEqual({
      level: 0,
      index: Number.MAX_SAFE_INTEGER,
      width: 256,
    });
  });

  it('round-trip tiles with indexes across 2^31, 2^32 and up to 2^53 - 1', () => {
    fc.assert(
      fc.property(anyTile, (tile) => {
        const path = tilePath(tile);
        expect(parseTilePath(path)).toEqual(tile);
        expect(path.length).toBeLessThanOrEqual(47);
      })
    );
    expect(tilePath({ level: 0, index: 2 ** 32, width: 7 })).toBe('tile/0/x004/x294/x967/296.p/7');
    expect(tilePath({ level: 2, index: 2 ** 31 - 1, width: 256 })).toBe(
      'tile/2/x002/x147/x483/647'
    );
  });

  it('parse any string as a canonical path or throw MALFORMED_TILE_PATH', () => {
    const check = (path: string): void => {
      try {
        expect(tilePath(parseTilePath(path))).toBe(path);
      } catch (e) {
        expect(isUndersignedError(e, 'MALFORMED_TILE_PATH'), String(e)).toBe(true);
      }
    };
    const alphabet = fc.constantFrom(...'tile/entries0123456789x.p-+ '.split(''));
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: alphabet }), anyTile.map(tilePath)),
        check
      )
    );
    // Every substring and every one-character change of some valid paths.
    for (const path of ['tile/entries/x001/x234/067.p/89', 'tile/63/x123/456.p/1', 'tile/0/000']) {
      for (let i = 0; i < path.length; i++) {
        for (let j = i; j <= path.length; j++) check(path.slice(i, j));
        for (const c of '0159x/.pe-') check(path.slice(0, i) + c + path.slice(i + 1));
      }
    }
  });

  it('refuse to format impossible tiles', () => {
    for (const tile of [
      { level: 0, index: 0, width: 0 },
      { level: 0, index: 0, width: 257 },
      { level: -2, index: 0, width: 1 },
      { level: 64, index: 0, width: 1 },
      { level: 0, index: -1, width: 1 },
      { level: 0, index: 0.5, width: 1 },
      { level: 0, index: 2 ** 53, width: 1 },
    ]) {
      expect(() => tilePath(tile), JSON.stringify(tile)).toThrow(/expected/);
    }
  });
});

describe('tilesForSize, entryBundlesForSize, newTiles', () => {
  it('list the tiles and entry bundles of every tree of tiles.json', () => {
    for (const t of vectors.trees) {
      expect(tilesForSize(t.size).map(tilePath)).toEqual(t.tiles);
      expect(entryBundlesForSize(t.size).map(tilePath)).toEqual(t.entry_bundles);
    }
    expect(tilesForSize(0)).toEqual([]);
    expect(entryBundlesForSize(0)).toEqual([]);
  });

  it('follow the example of the spec: size 70,000 and size 256', () => {
    const tiles = tilesForSize(70_000);
    expect(tiles.filter((t) => t.level === 0 && t.width === 256)).toHaveLength(273);
    expect(partialTilesForSize(70_000).map(tilePath)).toEqual([
      'tile/0/273.p/112',
      'tile/1/001.p/17',
      'tile/2/000.p/1',
    ]);
    expect(tiles.filter((t) => t.level === 1).map(tilePath)).toEqual([
      'tile/1/000',
      'tile/1/001.p/17',
    ]);
    expect(tilesForSize(256).map(tilePath)).toEqual(['tile/0/000', 'tile/1/000.p/1']);
  });

  it('list the partial tiles of trees past 2^32', () => {
    expect(partialTilesForSize(2 ** 32 + 5).map(tilePath)).toEqual([
      'tile/0/x016/x777/216.p/5',
      'tile/4/000.p/1',
    ]);
    expect(partialTilesForSize(2 ** 53 - 1).map((t) => [t.level, t.width])).toEqual([
      [0, 255],
      [1, 255],
      [2, 255],
      [3, 255],
      [4, 255],
      [5, 255],
      [6, 31],
    ]);
  });

  it('newTiles and newEntryBundles list what is new or wider', () => {
    const paths = (tiles: Tile[]): Set<string> => new Set(tiles.map(tilePath));
    fc.assert(
      fc.property(fc.nat(200_000), fc.nat(200_000), (a, b) => {
        const [oldSize, newSize] = a <= b ? [a, b] : [b, a];
        const old = paths(tilesForSize(oldSize));
        expect(newTiles(oldSize, newSize)).toEqual(
          tilesForSize(newSize).filter((t) => !old.has(tilePath(t)))
        );
        const oldBundles = paths(entryBundlesForSize(oldSize));
        expect(newEntryBundles(oldSize, newSize)).toEqual(
          entryBundlesForSize(newSize).filter((t) => !oldBundles.has(tilePath(t)))
        );
        expect(partialTilesForSize(newSize)).toEqual(
          tilesForSize(newSize).filter((t) => t.width < 256)
        );
      })
    );
    expect(() => newTiles(5, 4)).toThrow(RangeError);
    expect(() => newEntryBundles(5, 4)).toThrow(RangeError);
  });

  it('entryBundlesForRange lists the bundles that hold a range of entries', () => {
    fc.assert(
      fc.property(
        bigIndex.chain((n) =>
          fc
            .tuple(fc.constant(n), fc.nat(n), fc.nat(3000))
            .map(([n, end, length]) => [n, Math.max(0, end - length), end] as const)
        ),
        ([n, start, end]) => {
          const bundles = entryBundlesForRange(n, start, end);
          expect(bundles.length).toBe(
            start === end ? 0 : Math.ceil(end / 256) - Math.floor(start / 256)
          );
          bundles.forEach((t, i) => {
            expect(t.level).toBe(ENTRY_BUNDLE_LEVEL);
            expect(t.index).toBe(Math.floor(start / 256) + i);
            expect(t.width).toBe(Math.min(256, n - t.index * 256));
          });
        }
      )
    );
    expect(entryBundlesForRange(1000, 0, 1000)).toEqual(entryBundlesForSize(1000));
    expect(() => entryBundlesForRange(1000, 0, 1001)).toThrow(RangeError);
    expect(() => entryBundlesForRange(1000, 5, 4)).toThrow(RangeError);
  });
});

describe('tileForNode and hashFromTile', () => {
  it('compute any node of a tree from the tile that holds it', () => {
    const arbitrary = fc
      .integer({ min: 1, max: 70_000 })
      .chain((n) =>
        fc.tuple(fc.constant(n), fc.integer({ min: 0, max: Math.floor(Math.log2(n)) }), fc.nat())
      );
    fc.assert(
      fc.property(arbitrary, ([n, height, i]) => {
        const node = { height, index: i % Math.floor(n / 2 ** height) };
        const tile = tileForNode(n, node);
        expect(tile.level).toBe(Math.floor(height / 8));
        expect(tilesForSize(n).map(tilePath)).toContain(tilePath(tile));
        expect(hashFromTile(tile, tileData(tile), node)).toEqual(MEMO([node])[0]);
      })
    );
  });

  it('compute the root of a full tile from it (height 8·(level + 1))', () => {
    const tile = { level: 0, index: 3, width: 256 };
    expect(hashFromTile(tile, tileData(tile), { height: 8, index: 3 })).toEqual(
      MEMO([{ height: 8, index: 3 }])[0]
    );
  });

  it('find the tiles of the nodes that make up trees past 2^32', () => {
    const n = 2 ** 32 + 2 ** 20 + 5;
    expect(subtreeNodes(0, n).map((node) => tilePath(tileForNode(n, node)))).toEqual([
      'tile/4/000.p/1',
      'tile/2/256.p/16',
      'tile/0/x016/x781/312.p/5', // 4 leaves
      'tile/0/x016/x781/312.p/5', // and 1
    ]);
  });

  it('refuse data of the wrong length, and nodes the tile does not hold', () => {
    const tile = { level: 0, index: 1, width: 10 };
    const data = tileData(tile);
    expect(() => hashFromTile(tile, data.subarray(1), { height: 0, index: 256 })).toThrowCode(
      'MALFORMED_TILE'
    );
    expect(() =>
      hashFromTile(tile, concatBytes(data, new Uint8Array(32)), { height: 0, index: 256 })
    ).toThrowCode('MALFORMED_TILE');
    expect(() => hashFromTile(tile, data, { height: 0, index: 266 })).toThrow(RangeError);
    expect(() => hashFromTile(tile, data, { height: 0, index: 255 })).toThrow(RangeError);
    expect(() => hashFromTile(tile, data, { height: 4, index: 16 })).toThrow(RangeError); // 256..271
    expect(() => hashFromTile(tile, data, { height: 8, index: 1 })).toThrow(RangeError);
    expect(() => hashFromTile(tile, data, { height: 9, index: 0 })).toThrow(RangeError);
    expect(() => hashFromTile({ ...tile, level: -1 }, data, { height: 0, index: 256 })).toThrow(
      RangeError
    );
    expect(() => tileForNode(1000, { height: 3, index: 125 })).toThrow(RangeError);
    expect(hashFromTile(tile, data, { height: 3, index: 32 })).toEqual(
      MEMO([{ height: 3, index: 32 }])[0]
    );
  });
});
