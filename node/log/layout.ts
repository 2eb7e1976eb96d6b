// Where a mirror keeps its log on disk. The published part mirrors the c2sp.org/tlog-tiles paths,
// so that the HTTP server serves it as files and any static host could too:
//
//   <data>/keys/log.key                  the log key, a signed-note skey (PRIVATE+KEY+<origin>+…), 0600
//   <data>/log/checkpoint                the published checkpoint           → GET /log/checkpoint
//   <data>/log/tile/<L>/<N>[.p/<W>]      hash tiles                         → GET /log/tile/…
//   <data>/log/tile/entries/<N>[.p/<W>]  entry bundles                      → GET /log/tile/entries/…
//   <data>/state/checkpoint              the lock: the last signed checkpoint (compare-and-swap)
//   <data>/state/lock                    the process that owns the directory (log-lock.ts)
//   <data>/state/staging/<size>-<root>   a batch's tiles and bundles until they are published
//
// Nothing else is written: no submission times, no network addresses, no request logs. The
// libp2p node (node/p2p/) keeps its own files beside these (peer-key, blocks/, datastore/).

import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { toHex } from '../../core/bytes.ts';
import { tilePath, type Tile } from '../../core/tiles.ts';

/** The paths of one data directory. */
export type Layout = {
  readonly dataDir: string;
  readonly keyFile: string;
  readonly logDir: string;
  readonly checkpointFile: string;
  readonly stateDir: string;
  readonly stateFile: string;
  readonly lockFile: string;
  readonly stagingDir: string;
};

/** The layout of the data directory `dataDir`. */
export function dataLayout(dataDir: string): Layout {
  const root = resolve(dataDir);
  const logDir = join(root, 'log');
  const stateDir = join(root, 'state');
  return {
    dataDir: root,
    keyFile: join(root, 'keys', 'log.key'),
    logDir,
    checkpointFile: join(logDir, 'checkpoint'),
    stateDir,
    stateFile: join(stateDir, 'checkpoint'),
    lockFile: join(stateDir, 'lock'),
    stagingDir: join(stateDir, 'staging'),
  };
}

/**
 * The file of a tile or entry bundle. tilePath is canonical and made of digits, "x", ".p",
 * "entries" and "/", so the result is always inside the log directory.
 */
export function tileFile(layout: Layout, tile: Tile): string {
  return join(layout.logDir, tilePath(tile));
}

/** The staging file of the batch that grows the tree to `treeSize` with root `rootHash`. */
export function stagingFile(layout: Layout, treeSize: number, rootHash: Uint8Array): string {
  return join(layout.stagingDir, stagingName(treeSize, rootHash));
}

/** `<size>-<hex root hash>`: a batch staged and discarded leaves no name for the next to hit. */
export function stagingName(treeSize: number, rootHash: Uint8Array): string {
  return `${treeSize}-${toHex(rootHash)}`;
}

/** Creates the directories of the layout; the data and key directories are private (0700). */
export async function makeDirectories(layout: Layout): Promise<void> {
  await mkdir(layout.dataDir, { recursive: true, mode: 0o700 });
  await mkdir(join(layout.dataDir, 'keys'), { recursive: true, mode: 0o700 });
  await mkdir(join(layout.logDir, 'tile'), { recursive: true });
  await mkdir(layout.stagingDir, { recursive: true });
}
