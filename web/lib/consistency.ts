// Consistency between two checkpoints of one log (docs/PROTOCOL.md §6.1, §7 step 6): the older
// tree must be a prefix of the newer. The proof is computed from hash tiles of the newer tree,
// which are first checked against its root hash (core/tile-reader.ts), then checked as
// RFC 9162 §2.1.4.2. Two checkpoints of one log that are not consistent prove that the log lied.

import { UndersignedError } from '../../core/errors.ts';
import { equalBytes } from '../../core/bytes.ts';
import { checkTree, proveTree } from '../../core/merkle.ts';
import { tileHashReader, tilesForTreeProof } from '../../core/tile-reader.ts';
import type { LogSource } from './mirror-api.ts';
import { readTile } from './tile-fetch.ts';

/** A tree of a log: its size and root hash. */
export type TreeHead = { readonly treeSize: number; readonly rootHash: Uint8Array };

/**
 * Checks that `older` is a prefix of `newer` (a checkpoint already verified), reading the tiles
 * of `newer` from `source`. Throws INCONSISTENT_CHECKPOINTS when the log contradicts itself or
 * went back to a smaller tree; ROOT_MISMATCH or MALFORMED_TILE when the mirror's tiles do not
 * match `newer` (the mirror is at fault); FETCH_FAILED or NOT_FOUND when it cannot be read.
 */
export async function checkConsistency(
  source: LogSource,
  older: TreeHead,
  newer: TreeHead,
  options: { signal?: AbortSignal } = {}
): Promise<void> {
  if (older.treeSize > newer.treeSize) {
    throw new UndersignedError(
      'INCONSISTENT_CHECKPOINTS',
      `the log went back from ${older.treeSize} to ${newer.treeSize} entries`
    );
  }
  if (older.treeSize === newer.treeSize) {
    if (!equalBytes(older.rootHash, newer.rootHash)) {
      throw new UndersignedError(
        'INCONSISTENT_CHECKPOINTS',
        'two different trees of the same size'
      );
    }
    return;
  }
  if (older.treeSize === 0) return; // §6.1: the empty tree is a prefix of every tree
  const tiles = tilesForTreeProof(newer.treeSize, older.treeSize);
  const data = await Promise.all(tiles.map((tile) => readTile(source, tile, options)));
  const reader = tileHashReader(newer.treeSize, newer.rootHash, tiles, data);
  const proof = proveTree(newer.treeSize, older.treeSize, reader);
  if (!checkTree(proof, newer.treeSize, newer.rootHash, older.treeSize, older.rootHash)) {
    throw new UndersignedError(
      'INCONSISTENT_CHECKPOINTS',
      `the tree of ${older.treeSize} entries is not a prefix of the tree of ${newer.treeSize}`
    );
  }
}
