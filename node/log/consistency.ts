// The compare half of the log's compare-and-swap (log.ts): a tree is signed only if it extends
// the last signed one. It is proved, not assumed from how the tree was made: a consistency proof
// (RFC 6962 §2.1.2) is computed from the tiles about to be published and checked against both
// roots (RFC 9162 §2.1.4.2), after every tile is checked against the new root (core/tile-reader).

import { UndersignedError } from '../../core/errors.ts';
import type { Checkpoint } from '../../core/checkpoint.ts';
import { checkTree, proveTree } from '../../core/merkle.ts';
import { tileHashReader, tilesForTreeProof } from '../../core/tile-reader.ts';
import { tilePath } from '../../core/tiles.ts';
import type { TileFile } from './staging.ts';
import type { TileLevels } from './tile-levels.ts';
import type { TileStore } from './tile-store.ts';

/**
 * Checks that the tree of `next` extends that of `old`, reading the tiles of `next` from `fresh`
 * (the batch's, not yet published) or else from `tiles`. Throws CORRUPT_DATA if it does not,
 * and what tileHashReader throws for tiles that do not hash to `next`'s root.
 */
export async function checkExtends(
  old: Checkpoint,
  next: Checkpoint,
  fresh: readonly TileFile[],
  tiles: TileStore,
  levels: TileLevels
): Promise<void> {
  const given = new Map(fresh.map((t) => [tilePath(t.tile), t.data]));
  const need = tilesForTreeProof(next.treeSize, old.treeSize);
  const data = await Promise.all(
    need.map(async (tile) => given.get(tilePath(tile)) ?? (await tiles.read(tile)))
  );
  tileHashReader(next.treeSize, next.rootHash, need, data);
  const proof = proveTree(next.treeSize, old.treeSize, levels.reader(next.treeSize, need, data));
  if (!checkTree(proof, next.treeSize, next.rootHash, old.treeSize, old.rootHash)) {
    throw new UndersignedError(
      'CORRUPT_DATA',
      'the new tree does not extend the last signed checkpoint'
    );
  }
}
