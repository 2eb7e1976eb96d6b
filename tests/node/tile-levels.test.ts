import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { utf8Encode } from '../../core/bytes.ts';
import {
  proveRecord,
  proveTree,
  readTreeHash,
  recordHash,
  recordProofNodes,
  subtreeNodes,
  treeProofNodes,
  type NodeRef,
} from '../../core/merkle.ts';
import { tileHashes } from '../../core/tile-writer.ts';
import { tileHashReader, tilesForNodes } from '../../core/tile-reader.ts';
import { TileLevels } from '../../node/log/tile-levels.ts';

// Every tile of a tree of 70,000 leaves: three levels, full and partial tiles.
const leaves = Array.from({ length: 70_000 }, (_, i) => recordHash(utf8Encode(`leaf ${i}`)));
const all = new Map(
  tileHashes(leaves).map(({ tile, data }) => [`${tile.level}/${tile.index}`, data])
);

/** The tiles of the tree of size `size` that hold `nodes`, cut from the big tree's tiles. */
function tilesFor(
  size: number,
  nodes: readonly NodeRef[]
): { need: ReturnType<typeof tilesForNodes>; data: Uint8Array[] } {
  const need = tilesForNodes(size, nodes);
  const data = need.map((tile) =>
    (all.get(`${tile.level}/${tile.index}`) ?? new Uint8Array(0)).subarray(0, tile.width * 32)
  );
  return { need, data };
}

describe('TileLevels', () => {
  it('reads the same nodes as core’s tileHashReader, for any tree, leaf and older tree', () => {
    const levels = new TileLevels(4); // small, so that it evicts too
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70_000 }), fc.nat(), fc.nat(), (size, leaf, old) => {
        const index = leaf % size;
        const oldSize = old % (size + 1);
        const nodes = [
          ...recordProofNodes(size, index).flat(),
          ...treeProofNodes(size, oldSize).flat(),
          ...subtreeNodes(0, size),
        ];
        const { need, data } = tilesFor(size, nodes);
        const ours = levels.reader(size, need, data);
        // tileHashReader hashes the tiles itself and throws unless they give this root.
        const core = tileHashReader(size, readTreeHash(size, ours), need, data);
        expect(ours(nodes)).toEqual(core(nodes));
        expect(proveRecord(size, index, ours)).toEqual(proveRecord(size, index, core));
        expect(proveTree(size, oldSize, ours)).toEqual(proveTree(size, oldSize, core));
      }),
      { numRuns: 60 }
    );
  });

  it('forgets every tile on clear(), so that a path filled differently is hashed again', () => {
    const levels = new TileLevels();
    const { need, data } = tilesFor(300, subtreeNodes(0, 300));
    const before = readTreeHash(300, levels.reader(300, need, data));
    const other = data.map((d) => d.map((b) => b ^ 1));
    expect(readTreeHash(300, levels.reader(300, need, other))).toEqual(before); // cached
    levels.clear();
    expect(readTreeHash(300, levels.reader(300, need, other))).not.toEqual(before);
  });
});
