import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { concatBytes, fromHex, toBase64, toHex } from '../../core/bytes.ts';
import { decodeEntryBundle, encodeEntryBundle } from '../../core/entry-bundle.ts';
import { sha256 } from '../../core/hash.ts';
import { readTreeHash, recordHash } from '../../core/merkle.ts';
import { tileHashes, TileWriter, type TileData } from '../../core/tile-writer.ts';
import {
  entryBundlesForSize,
  newTiles,
  parseTilePath,
  partialTilesForSize,
  tilePath,
  tilesForSize,
  TILE_WIDTH,
  type Tile,
} from '../../core/tiles.ts';
import { leafData, leafHashes, memoReader, SyntheticTree } from '../helpers/merkle.ts';
import { readSharedJson, SHARED_VECTORS } from '../helpers/vectors.ts';

type TileVectors = {
  trees: {
    size: number;
    tiles: string[];
    entry_bundles: string[];
    tile_sha256: string[];
    entry_bundle_sha256: string[];
  }[];
  tree_1000_content: { path: string; data_hex: string }[];
};
const vectors = readSharedJson<TileVectors>('tiles.json');
const LEAVES = leafHashes(70_000);
const MEMO = memoReader(LEAVES);
const SAMPLE_LOG = join(SHARED_VECTORS, 'sample-log-1000');
const SAMPLE_ROOT = 'hEU7UV2yIeAVJB+Rd41UGpHidHKjy71JIrAjsYBFY1k=';

/** The data of a hash tile from node hashes, independently of the TileWriter. */
function expectedData(
  tile: Tile,
  node = (height: number, index: number) => MEMO([{ height, index }])[0]
): Uint8Array {
  const hashes = Array.from({ length: tile.width }, (_, i) =>
    node(8 * tile.level, tile.index * TILE_WIDTH + i)
  );
  return concatBytes(...hashes.map((h) => h as Uint8Array));
}

/** The entry bundle of the "leaf-<i>" log. */
function bundleOf(tile: Tile): Uint8Array {
  return encodeEntryBundle(
    Array.from({ length: tile.width }, (_, i) => leafData(tile.index * TILE_WIDTH + i))
  );
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('tileHashes', () => {
  it('gives the tiles and entry bundles of every tree of tiles.json, byte for byte', () => {
    for (const t of vectors.trees) {
      const tiles = tileHashes(LEAVES.slice(0, t.size));
      expect(tiles.map((d) => tilePath(d.tile))).toEqual(t.tiles);
      expect(tiles.map((d) => toHex(sha256(d.data)))).toEqual(t.tile_sha256);
      const bundles = entryBundlesForSize(t.size);
      expect(bundles.map(tilePath)).toEqual(t.entry_bundles);
      expect(bundles.map((b) => toHex(sha256(bundleOf(b))))).toEqual(t.entry_bundle_sha256);
    }
  });

  it('gives the contents listed in tree_1000_content', () => {
    const tiles = new Map(tileHashes(LEAVES.slice(0, 1000)).map((d) => [tilePath(d.tile), d.data]));
    expect(vectors.tree_1000_content).toHaveLength(9);
    for (const { path, data_hex } of vectors.tree_1000_content) {
      const tile = parseTilePath(path);
      const data = tile.level < 0 ? bundleOf(tile) : tiles.get(path);
      expect(data && toHex(data), path).toBe(data_hex);
    }
  });

  it('rebuilds every tile of sample-log-1000 from its entry bundles, up to its root hash', () => {
    const files = new Map(
      filesUnder(join(SAMPLE_LOG, 'tile')).map((file) => [
        relative(SAMPLE_LOG, file),
        readFileSync(file),
      ])
    );
    const bundles = entryBundlesForSize(1000);
    const expectedPaths = [...tilesForSize(1000), ...bundles].map(tilePath);
    expect([...files.keys()].sort()).toEqual(expectedPaths.sort());
    const leaves = bundles.flatMap((b) => {
      const bytes = new Uint8Array(files.get(tilePath(b)) ?? []);
      return decodeEntryBundle(bytes, b.width).map(recordHash);
    });
    expect(leaves).toHaveLength(1000);
    const writer = new TileWriter();
    for (const { tile, data } of writer.append(leaves)) {
      expect(toHex(data), tilePath(tile)).toBe(
        toHex(new Uint8Array(files.get(tilePath(tile)) ?? []))
      );
    }
    expect(toBase64(writer.root())).toBe(SAMPLE_ROOT);
    expect(readFileSync(join(SAMPLE_LOG, 'checkpoint'), 'utf8').split('\n')[2]).toBe(SAMPLE_ROOT);
  });
});

describe('TileWriter', () => {
  const batches = fc.array(fc.oneof(fc.nat(20), fc.nat(300), fc.nat(3000)), { maxLength: 12 });

  it('returns, for each batch, the tiles newTiles lists, and its partial tiles, with their contents', () => {
    fc.assert(
      fc.property(batches, fc.nat(), (sizes, resumeAt) => {
        let writer = new TileWriter();
        const partial = new Map<number, Uint8Array>(); // the latest partial tile of each level
        sizes.forEach((count, b) => {
          const old = writer.size;
          const written = writer.append(LEAVES.slice(old, old + count));
          expect(writer.size).toBe(old + count);
          expect(written.map((d) => d.tile)).toEqual(newTiles(old, old + count));
          for (const { tile, data } of written) expect(data).toEqual(expectedData(tile));
          expect(writer.root()).toEqual(readTreeHash(writer.size, MEMO));
          const partials = writer.partialTiles();
          expect(partials.map((d) => d.tile)).toEqual(partialTilesForSize(writer.size));
          for (const { tile, data } of partials) expect(data).toEqual(expectedData(tile));
          // Keep the partial tiles, as a node does, and resume from them once.
          for (const { tile, data } of written)
            if (tile.width < TILE_WIDTH) partial.set(tile.level, data);
          if (b === resumeAt % sizes.length) {
            const saved = partialTilesForSize(writer.size).map(
              (t) => partial.get(t.level) ?? new Uint8Array()
            );
            writer = new TileWriter(writer.size, saved);
          }
        });
      }),
      { numRuns: 40 }
    );
  });

  it('grows past 65,536 leaves, a second level of full tiles', () => {
    const writer = new TileWriter();
    const written: TileData[] = [];
    for (let i = 0; i < 70_000; i += 9_999)
      written.push(...writer.append(LEAVES.slice(i, i + 9_999)));
    expect(writer.root()).toEqual(readTreeHash(70_000, MEMO));
    const last = new Map(written.map((d) => [tilePath(d.tile), d]));
    for (const tile of tilesForSize(70_000))
      expect(last.get(tilePath(tile))?.data).toEqual(expectedData(tile));
  });

  it('resumes from the partial tiles of trees past 2^32', () => {
    const synthetic = new SyntheticTree([2 ** 32 + 3, 2 ** 32 + 200]);
    const node = (height: number, index: number): Uint8Array => synthetic.node({ height, index });
    for (const start of [2 ** 32 - 7, 2 ** 32 + 5, 2 ** 40 - 260]) {
      const partial = partialTilesForSize(start).map((tile) => expectedData(tile, node));
      const writer = new TileWriter(start, partial);
      expect(writer.root()).toEqual(synthetic.mth(0, start));
      for (const count of [1, 100, 300]) {
        const old = writer.size;
        const written = writer.append(
          Array.from({ length: count }, (_, i) => synthetic.leafHash(old + i))
        );
        expect(written.map((d) => d.tile)).toEqual(newTiles(old, old + count));
        for (const { tile, data } of written) expect(data).toEqual(expectedData(tile, node));
        expect(writer.root()).toEqual(synthetic.mth(0, old + count));
      }
    }
  });

  it('refuses partial tiles of the wrong number or length, and leaf hashes of the wrong length', () => {
    const tiles = tileHashes(LEAVES.slice(0, 1000)).filter((d) => d.tile.width < 256);
    const data = tiles.map((d) => d.data);
    expect(new TileWriter(1000, data).root()).toEqual(readTreeHash(1000, MEMO));
    expect(() => new TileWriter(1000, data.slice(1))).toThrow(RangeError);
    expect(() => new TileWriter(1000, [data[0] as Uint8Array, new Uint8Array(32 * 4)])).toThrowCode(
      'MALFORMED_TILE'
    );
    expect(() => new TileWriter(1000, [new Uint8Array(0), data[1] as Uint8Array])).toThrowCode(
      'MALFORMED_TILE'
    );
    expect(() => new TileWriter(-1)).toThrow(RangeError);
    const writer = new TileWriter();
    expect(() => writer.append([LEAVES[0] as Uint8Array, new Uint8Array(31)])).toThrow(RangeError);
    expect(writer.size).toBe(0); // nothing appended
    expect(writer.append([])).toEqual([]);
    expect(toHex(writer.root())).toBe(
      toHex(fromHex('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'))
    );
  });
});
