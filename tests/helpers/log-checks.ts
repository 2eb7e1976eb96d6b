// Checks on a mirror's log as a reader sees it (a directory or an HTTP prefix, node/log-source.ts):
// it verifies, two of its checkpoints are consistent, and which entries it holds.

import { openCheckpoint, type Checkpoint } from '../../core/checkpoint.ts';
import { decodeEntryBundle } from '../../core/entry-bundle.ts';
import { letterId, type Letter } from '../../core/letter.ts';
import { checkTree, proveTree } from '../../core/merkle.ts';
import { newVerifier } from '../../core/note.ts';
import { tileHashReader, tilesForTreeProof } from '../../core/tile-reader.ts';
import { entryBundlesForSize, tilePath, TILE_WIDTH } from '../../core/tiles.ts';
import { verifyLog, type LogVerification } from '../../core/verifier.ts';
import { toBase64, utf8Decode } from '../../core/bytes.ts';
import { isUndersignedError } from '../../core/errors.ts';
import type { LogSource } from '../../node/log-source.ts';

/** Verifies the whole log behind `source` with its log key (core/verifier.ts). */
export async function verifyServedLog(
  source: LogSource,
  vkey: string,
  letter: Letter
): Promise<LogVerification> {
  return verifyLog({
    checkpoint: await source.read('checkpoint'),
    logKeys: [newVerifier(vkey)],
    letterId: letterId(letter),
    stampBits: letter.stampBits,
    readEntryBundle: (tile, options) => source.read(tilePath(tile), options),
  });
}

/** Opens a signed checkpoint of the log of `vkey`. */
export function openLogCheckpoint(signed: string | Uint8Array, vkey: string): Checkpoint {
  return openCheckpoint(signed, [newVerifier(vkey)]).checkpoint;
}

/**
 * Whether the tree of the checkpoint `older` is a prefix of that of `newer`: a consistency proof
 * (RFC 6962 §2.1.2) made from the tiles that `source` serves for `newer`, checked against both
 * roots. A partial tile that is gone is read from its full tile, as tlog-tiles allows.
 */
export async function isConsistent(
  source: LogSource,
  vkey: string,
  older: string,
  newer: string
): Promise<boolean> {
  const old = openLogCheckpoint(older, vkey);
  const next = openLogCheckpoint(newer, vkey);
  if (old.treeSize > next.treeSize) return false;
  const need = tilesForTreeProof(next.treeSize, old.treeSize);
  const data = await Promise.all(
    need.map(async (tile) => {
      try {
        return await source.read(tilePath(tile));
      } catch (e) {
        if (!isUndersignedError(e, 'NOT_FOUND') || tile.width === TILE_WIDTH) throw e;
        const full = await source.read(tilePath({ ...tile, width: TILE_WIDTH }));
        return full.subarray(0, tile.width * 32);
      }
    })
  );
  const reader = tileHashReader(next.treeSize, next.rootHash, need, data);
  const proof = proveTree(next.treeSize, old.treeSize, reader);
  return checkTree(proof, next.treeSize, next.rootHash, old.treeSize, old.rootHash);
}

/** The base64 of every entry in the log's first `treeSize` leaves, in order. */
export async function logEntries(source: LogSource, treeSize: number): Promise<string[]> {
  const out: string[] = [];
  for (const bundle of entryBundlesForSize(treeSize)) {
    let bytes: Uint8Array;
    try {
      bytes = await source.read(tilePath(bundle));
    } catch (e) {
      if (!isUndersignedError(e, 'NOT_FOUND') || bundle.width === TILE_WIDTH) throw e;
      bytes = await source.read(tilePath({ ...bundle, width: TILE_WIDTH }));
      out.push(
        ...decodeEntryBundle(bytes, TILE_WIDTH)
          .slice(0, bundle.width)
          .map((e) => toBase64(e))
      );
      continue;
    }
    out.push(...decodeEntryBundle(bytes, bundle.width).map((e) => toBase64(e)));
  }
  return out;
}

/** The checkpoint a source serves, as text. */
export async function servedCheckpoint(source: LogSource): Promise<string> {
  return utf8Decode(await source.read('checkpoint'));
}
