// Opening a log directory after a clean stop or a crash at any instant (the other half of the
// commit order in log.ts). The stored checkpoint in state/checkpoint is the truth; everything
// else is brought in line with it:
//
//   1. No stored checkpoint: a new log. Refuse if tiles exist (they would have no checkpoint);
//      otherwise sign and store the checkpoint of the empty tree.
//   2. Open the stored checkpoint with the log key (signature, origin).
//   3. Staging: the file of exactly the stored tree was committed but maybe not published, so
//      publish it again (idempotent) and prune; any other staging file is a batch that was never
//      committed, whose entries were never acknowledged: delete it. Delete the temporary files
//      of writes cut short, too.
//   4. Publish the stored checkpoint at log/checkpoint if it is not there.
//   5. Load the partial tiles and the partial entry bundle, and check they hash to the stored
//      root: a log that does not is refused (CORRUPT_DATA), never repaired by guesswork.
// Then delete the applied staging file. (The whole log is checked again when the dedup index
// is built, entry-index.ts.)

import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UndersignedError } from '../../core/errors.ts';
import { equalBytes, utf8Decode, utf8Encode } from '../../core/bytes.ts';
import { formatCheckpoint, openCheckpoint, type Checkpoint } from '../../core/checkpoint.ts';
import { decodeEntryBundle } from '../../core/entry-bundle.ts';
import { EMPTY_ROOT, recordHash } from '../../core/merkle.ts';
import { signNote } from '../../core/note.ts';
import { ENTRY_BUNDLE_LEVEL, partialTilesForSize, TILE_WIDTH } from '../../core/tiles.ts';
import { TileWriter } from '../../core/tile-writer.ts';
import { HASH_SIZE } from '../../core/hash.ts';
import { isMissing, removeDurably, removeTemporaries, writeFileDurably } from './disk.ts';
import { stagingName, tileFile, type Layout } from './layout.ts';
import type { LogKey } from './log-key.ts';
import type { LogLock } from './log-lock.ts';
import { parseStaging } from './staging.ts';
import type { TileStore } from './tile-store.ts';

/** The state of a log as recovered from disk. */
export type RecoveredLog = {
  readonly signed: string;
  readonly checkpoint: Checkpoint;
  readonly writer: TileWriter;
  /** The entries of the partial entry bundle, 0..255 of them. */
  readonly tail: Uint8Array[];
};

/** Recovers the log in `layout` (see above). Throws CORRUPT_DATA. */
export async function recoverLog(
  layout: Layout,
  lock: LogLock,
  key: LogKey,
  tiles: TileStore
): Promise<RecoveredLog> {
  let signed = await lock.lastSigned();
  if (signed === undefined) {
    if ((await readdir(join(layout.logDir, 'tile'))).length > 0) {
      throw corrupt(`${layout.logDir} has tiles but ${layout.stateFile} is missing`);
    }
    const text = formatCheckpoint({
      origin: key.origin,
      treeSize: 0,
      rootHash: EMPTY_ROOT,
      extensions: [],
    });
    signed = signNote(text, [key.signer]);
    await lock.compareAndSwap(undefined, signed);
  }
  let checkpoint: Checkpoint;
  try {
    checkpoint = openCheckpoint(signed, [key.verifier], key.origin).checkpoint;
  } catch (cause) {
    throw new UndersignedError(
      'CORRUPT_DATA',
      `${layout.stateFile} is not a checkpoint signed by the log key`,
      { cause }
    );
  }

  const applied = await applyStaging(layout, checkpoint, tiles);
  // Temporary files of writes that a crash cut short (disk.ts) are never served; remove them.
  await removeTemporaries([layout.stateDir, layout.logDir, ...(applied?.dirs ?? [])]);
  if ((await readText(layout.checkpointFile)) !== signed) {
    await writeFileDurably(layout.checkpointFile, utf8Encode(signed));
  }
  if (applied !== undefined) await removeDurably([applied.path]);
  return { signed, checkpoint, ...(await loadPartials(checkpoint, tiles)) };
}

/**
 * Publishes the staging file of the stored tree, if there is one, and deletes every other
 * staging file. Returns the applied file and the directories it wrote to.
 */
async function applyStaging(
  layout: Layout,
  checkpoint: Checkpoint,
  tiles: TileStore
): Promise<{ path: string; dirs: string[] } | undefined> {
  const committed = stagingName(checkpoint.treeSize, checkpoint.rootHash);
  const stale: string[] = [];
  let applied: { path: string; dirs: string[] } | undefined;
  for (const name of await readdir(layout.stagingDir)) {
    const path = join(layout.stagingDir, name);
    if (name !== committed) {
      stale.push(path);
      continue;
    }
    const batch = parseStaging(new Uint8Array(await readFile(path)));
    if (
      batch.treeSize !== checkpoint.treeSize ||
      !equalBytes(batch.rootHash, checkpoint.rootHash)
    ) {
      throw corrupt(`staging file ${name} is not of its tree`);
    }
    await tiles.publish(batch.tiles);
    await tiles.prunePartials(batch.tiles.map((t) => t.tile));
    applied = {
      path,
      dirs: [...new Set(batch.tiles.map((t) => dirname(tileFile(layout, t.tile))))],
    };
  }
  await removeDurably(stale);
  return applied;
}

/** The partial tiles and bundle of the stored tree, checked against its root hash. */
async function loadPartials(
  checkpoint: Checkpoint,
  tiles: TileStore
): Promise<{ writer: TileWriter; tail: Uint8Array[] }> {
  const { treeSize, rootHash } = checkpoint;
  const partials = partialTilesForSize(treeSize);
  let data: Uint8Array[];
  try {
    data = await Promise.all(partials.map((tile) => tiles.read(tile)));
  } catch (cause) {
    throw new UndersignedError(
      'CORRUPT_DATA',
      `a partial tile of the tree of size ${treeSize} is missing`,
      { cause }
    );
  }
  let writer: TileWriter;
  try {
    writer = new TileWriter(treeSize, data);
  } catch (cause) {
    throw new UndersignedError('CORRUPT_DATA', 'a partial tile has the wrong size', { cause });
  }
  if (!equalBytes(writer.root(), rootHash))
    throw corrupt('the tiles do not hash to the last signed checkpoint');

  const width = treeSize % TILE_WIDTH;
  if (width === 0) return { writer, tail: [] };
  const bundle = { level: ENTRY_BUNDLE_LEVEL, index: Math.floor(treeSize / TILE_WIDTH), width };
  let tail: Uint8Array[];
  try {
    tail = decodeEntryBundle(await tiles.read(bundle), width).map((e) => e.slice());
  } catch (cause) {
    throw new UndersignedError('CORRUPT_DATA', 'the partial entry bundle is missing or damaged', {
      cause,
    });
  }
  // The level 0 partial tile holds the leaf hashes of exactly these entries.
  const level0 = data[0] as Uint8Array;
  tail.forEach((entry, i) => {
    if (!equalBytes(recordHash(entry), level0.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE))) {
      throw corrupt('the partial entry bundle does not match its tile');
    }
  });
  return { writer, tail };
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return utf8Decode(new Uint8Array(await readFile(path)));
  } catch (e) {
    if (isMissing(e) || (e as { code?: unknown }).code === 'MALFORMED_UTF8') return undefined;
    throw e;
  }
}

function corrupt(why: string): UndersignedError {
  return new UndersignedError('CORRUPT_DATA', why);
}
