import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { concatBytes, fromBase64 } from '../../core/bytes.ts';
import { isUndersignedError } from '../../core/errors.ts';
import {
  checkRecord,
  checkTree,
  EMPTY_ROOT,
  proveRecord,
  proveTree,
  readTreeHash,
  recordHash,
  type HashReader,
} from '../../core/merkle.ts';
import {
  tileHashReader,
  tilesForNodes,
  tilesForRecordProof,
  tilesForTreeProof,
} from '../../core/tile-reader.ts';
import {
  partialTilesForSize,
  tilePath,
  tilesForSize,
  TILE_WIDTH,
  type Tile,
} from '../../core/tiles.ts';
import { leafData, leafHashes, memoReader, SyntheticTree } from '../helpers/merkle.ts';
import { SHARED_VECTORS } from '../helpers/vectors.ts';

const LEAVES = leafHashes(70_000);
const MEMO = memoReader(LEAVES);

/** The data of a hash tile from node hashes, as a server would serve it. */
function serve(tile: Tile, reader: HashReader = MEMO): Uint8Array {
  const nodes = Array.from({ length: tile.width }, (_, i) => ({
    height: 8 * tile.level,
    index: tile.index * TILE_WIDTH + i,
  }));
  return concatBytes(...reader(nodes));
}

const sizeAndIndex = fc
  .oneof(
    fc.integer({ min: 1, max: 70_000 }),
    fc.integer({ min: 1, max: 1100 }),
    fc.constantFrom(256, 65_536, 65_537)
  )
  .chain((n) => fc.tuple(fc.constant(n), fc.nat(n - 1)));

describe('tilesForNodes and its plans for proofs', () => {
  it('plans the partial tiles, the tiles of the nodes and their parents, once each, in order', () => {
    fc.assert(
      fc.property(sizeAndIndex, ([n, m]) => {
        const plan = tilesForRecordProof(n, m);
        const paths = plan.map(tilePath);
        const all = new Set(tilesForSize(n).map(tilePath));
        for (const path of paths) expect(all.has(path)).toBe(true);
        expect(new Set(paths).size).toBe(paths.length);
        for (const tile of partialTilesForSize(n)) expect(paths).toContain(tilePath(tile));
        expect([...plan].sort((a, b) => a.level - b.level || a.index - b.index)).toEqual(plan);
        expect(plan.length).toBeLessThanOrEqual(6);
        expect(tilesForTreeProof(n, m + 1).length).toBeLessThanOrEqual(6);
      })
    );
  });

  it('plans only partial tiles for no nodes, and nothing for the empty tree', () => {
    expect(tilesForNodes(70_000, [])).toEqual(partialTilesForSize(70_000));
    expect(tilesForNodes(0, [])).toEqual([]);
    expect(tilesForTreeProof(1000, 0)).toEqual(partialTilesForSize(1000));
    expect(tilesForRecordProof(256, 0).map(tilePath)).toEqual(['tile/0/000', 'tile/1/000.p/1']);
    expect(() => tilesForNodes(1000, [{ height: 3, index: 125 }])).toThrow(RangeError);
  });
});

describe('tileHashReader', () => {
  it('proves inclusion and consistency from tiles, as from the leaves', () => {
    fc.assert(
      fc.property(sizeAndIndex, ([n, m]) => {
        const root = readTreeHash(n, MEMO);
        const plan = tilesForRecordProof(n, m);
        const reader = tileHashReader(
          n,
          root,
          plan,
          plan.map((t) => serve(t))
        );
        const proof = proveRecord(n, m, reader);
        expect(proof).toEqual(proveRecord(n, m, MEMO));
        expect(checkRecord(proof, n, root, m, LEAVES[m] as Uint8Array)).toBe(true);
        const treePlan = tilesForTreeProof(n, m + 1);
        const treeReader = tileHashReader(
          n,
          root,
          treePlan,
          treePlan.map((t) => serve(t))
        );
        const treeProof = proveTree(n, m + 1, treeReader);
        expect(treeProof).toEqual(proveTree(n, m + 1, MEMO));
        expect(checkTree(treeProof, n, root, m + 1, readTreeHash(m + 1, MEMO))).toBe(true);
      })
    );
  });

  it('refuses tiles with any byte changed, of the wrong length, or for another root', () => {
    fc.assert(
      fc.property(
        sizeAndIndex,
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        ([n, m], t, i, x) => {
          const root = readTreeHash(n, MEMO);
          const plan = tilesForRecordProof(n, m);
          const data = plan.map((tile) => serve(tile));
          const k = t % plan.length;
          const bad = data.map((d, j) => {
            if (j !== k) return d;
            const c = d.slice();
            c[i % c.length] = (c[i % c.length] as number) ^ x;
            return c;
          });
          expect(() => tileHashReader(n, root, plan, bad)).toThrowCode('ROOT_MISMATCH');
          const short = data.map((d, j) => (j === k ? d.subarray(0, d.length - 32) : d));
          expect(() => tileHashReader(n, root, plan, short)).toThrowCode('MALFORMED_TILE');
          const long = data.map((d, j) => (j === k ? concatBytes(d, new Uint8Array(1)) : d));
          expect(() => tileHashReader(n, root, plan, long)).toThrowCode('MALFORMED_TILE');
          const otherRoot = readTreeHash(n === 1 ? 2 : n - 1, MEMO);
          expect(() => tileHashReader(n, otherRoot, plan, data)).toThrowCode('ROOT_MISMATCH');
        }
      )
    );
  });

  it('refuses plans without a needed tile, with extra or repeated tiles', () => {
    fc.assert(
      fc.property(sizeAndIndex, fc.nat(), ([n, m], t) => {
        const root = readTreeHash(n, MEMO);
        const plan = tilesForRecordProof(n, m);
        const k = t % plan.length;
        const without = plan.filter((_, j) => j !== k);
        // Either the tiles cannot be checked, or the proof cannot be read from them.
        let outcome = 'proved';
        try {
          proveRecord(
            n,
            m,
            tileHashReader(
              n,
              root,
              without,
              without.map((x) => serve(x))
            )
          );
        } catch (e) {
          outcome = e instanceof RangeError ? 'RangeError' : String(e);
        }
        expect(outcome).toBe('RangeError');
        const twice = [...plan, plan[k] as Tile];
        expect(() =>
          tileHashReader(
            n,
            root,
            twice,
            twice.map((x) => serve(x))
          )
        ).toThrow(RangeError);
        const beyond = { level: 0, index: Math.ceil(n / 256), width: 256 };
        expect(() =>
          tileHashReader(
            n,
            root,
            [...plan, beyond],
            [...plan.map((x) => serve(x)), new Uint8Array(8192)]
          )
        ).toThrow(RangeError);
      })
    );
  });

  it('accepts the first hashes of a full tile in place of a gone partial tile', () => {
    const root = readTreeHash(900, MEMO);
    const plan = tilesForRecordProof(900, 777);
    expect(plan.map(tilePath)).toContain('tile/0/003.p/132');
    const data = plan.map((t) =>
      t.width < 256 && t.level === 0
        ? serve({ ...t, width: 256 }).subarray(0, t.width * 32)
        : serve(t)
    );
    const proof = proveRecord(900, 777, tileHashReader(900, root, plan, data));
    expect(checkRecord(proof, 900, root, 777, LEAVES[777] as Uint8Array)).toBe(true);
    const full = plan.map((t) => (t.width < 256 && t.level === 0 ? { ...t, width: 256 } : t));
    expect(() =>
      tileHashReader(
        900,
        root,
        full,
        full.map((t) => serve(t))
      )
    ).toThrow(RangeError);
  });

  it('reads the empty tree, and refuses misuse', () => {
    const reader = tileHashReader(0, EMPTY_ROOT, [], []);
    expect(reader([])).toEqual([]);
    expect(() => tileHashReader(0, new Uint8Array(32), [], [])).toThrowCode('ROOT_MISMATCH');
    expect(() => tileHashReader(5, new Uint8Array(31), [], [])).toThrow(RangeError);
    const plan = tilesForRecordProof(10, 3);
    expect(() => tileHashReader(10, readTreeHash(10, MEMO), plan, [])).toThrow(RangeError);
    const ok = tileHashReader(
      10,
      readTreeHash(10, MEMO),
      plan,
      plan.map((t) => serve(t))
    );
    expect(() => ok([{ height: 4, index: 0 }])).toThrow(RangeError); // not in a tree of 10
  });

  it('proves inclusion from the tiles of sample-log-1000 on disk', () => {
    const dir = join(SHARED_VECTORS, 'sample-log-1000');
    const root = fromBase64('hEU7UV2yIeAVJB+Rd41UGpHidHKjy71JIrAjsYBFY1k=', 32);
    for (const m of [0, 255, 256, 500, 767, 768, 999]) {
      const plan = tilesForRecordProof(1000, m);
      const data = plan.map((t) => new Uint8Array(readFileSync(join(dir, tilePath(t)))));
      const proof = proveRecord(1000, m, tileHashReader(1000, root, plan, data));
      expect(checkRecord(proof, 1000, root, m, recordHash(leafData(m)))).toBe(true);
    }
  });

  it('proves from tiles of trees past 2^31 and 2^32', () => {
    const synthetic = new SyntheticTree([2 ** 31 - 1, 2 ** 32 - 300, 2 ** 32 + 2, 2 ** 45 + 7]);
    const reader = synthetic.reader();
    const sizes = [2 ** 31 + 1, 2 ** 32 + 5, 2 ** 32 + 2 ** 20 + 3, 2 ** 46 + 9];
    const indexes = [0, 2 ** 31 - 2, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 4, 2 ** 45 + 6];
    for (const n of sizes) {
      const root = synthetic.mth(0, n);
      for (const m of indexes.filter((i) => i < n)) {
        const plan = tilesForRecordProof(n, m);
        const data = plan.map((t) => serve(t, reader));
        const proof = proveRecord(n, m, tileHashReader(n, root, plan, data));
        expect(proof).toEqual(proveRecord(n, m, reader));
        expect(checkRecord(proof, n, root, m, synthetic.leafHash(m))).toBe(true);
        const treePlan = tilesForTreeProof(n, m + 1);
        const treeData = treePlan.map((t) => serve(t, reader));
        const treeProof = proveTree(n, m + 1, tileHashReader(n, root, treePlan, treeData));
        expect(checkTree(treeProof, n, root, m + 1, synthetic.mth(0, m + 1))).toBe(true);
        const last = treeData.length - 1;
        const bad = treeData.map((d, j) =>
          j === last ? d.map((b, k) => (k === 0 ? b ^ 1 : b)) : d
        );
        let error: unknown;
        try {
          tileHashReader(n, root, treePlan, bad);
        } catch (e) {
          error = e;
        }
        expect(isUndersignedError(error, 'ROOT_MISMATCH')).toBe(true);
      }
    }
  });
});
