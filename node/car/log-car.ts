// An offline copy of a log: one CARv1 file (node/car/car.ts) whose root is a UnixFS directory
// (node/car/unixfs.ts) laying out the log at its c2sp.org/tlog-tiles paths:
//
//   checkpoint                  the signed checkpoint, with the cosignatures it had (PROTOCOL §6.3)
//   letter                      the letter file (§2.2)
//   vkey                        the log's verifier key (§6.2) the exporter verified it with, and LF
//   tile/<L>/<N>[.p/<W>]        every hash tile of the checkpoint's tree size (§6.5)
//   tile/entries/<N>[.p/<W>]    every entry bundle of it
//
// Every file is a raw block (CIDv1, raw, SHA-256). The CAR is canonical: blocks in depth-first
// order from the root, each once, nothing else, so one log gives one CAR, byte for byte, and its
// root is the directory CID a mirror announces for that checkpoint (PROTOCOL §8.2). Reading
// a CAR re-encodes what it found and demands the same bytes.

import type { CID } from 'multiformats/cid';
import { equalBytes, utf8Decode, utf8Encode } from '../../core/bytes.ts';
import { UndersignedError } from '../../core/errors.ts';
import { entryBundlesForSize, tilePath, tilesForSize } from '../../core/tiles.ts';
import { formatCar, parseCar } from './car.ts';
import { buildDirectory, walkDirectory } from './unixfs.ts';

/** The files of a log copy; `tiles` holds hash tiles and entry bundles by their tile path. */
export type LogCopy = {
  readonly checkpoint: Uint8Array;
  readonly letter: Uint8Array;
  readonly vkey: string;
  readonly tiles: ReadonlyMap<string, Uint8Array>;
};

const CHECKPOINT = 'checkpoint';
const LETTER = 'letter';
const VKEY = 'vkey';
const MAX_VKEY = 1024;

/** Every file of a copy at its path in the directory. */
export function logCopyFiles(copy: LogCopy): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>([
    [CHECKPOINT, copy.checkpoint],
    [LETTER, copy.letter],
    [VKEY, utf8Encode(`${copy.vkey}\n`)],
  ]);
  for (const [path, bytes] of copy.tiles) {
    if (!path.startsWith('tile/'))
      throw new RangeError(`"${path.slice(0, 80)}" is not a tile path`);
    files.set(path, bytes);
  }
  return files;
}

/** The CAR of a log copy, and its root: the CID of the log's directory. */
export function formatLogCar(copy: LogCopy): { car: Uint8Array; root: CID } {
  const { root, blocks } = buildDirectory(logCopyFiles(copy));
  return { car: formatCar(root, blocks), root };
}

/**
 * Reads a log copy from a CAR: every block checked against its CID, the directory walked from
 * the root, and the whole file compared with the canonical CAR of what was found. Only the
 * structure is checked here; verifyLogCopy (node/car/verify-copy.ts) checks the log.
 */
export function parseLogCar(bytes: Uint8Array): { root: CID; copy: LogCopy } {
  const bad = (why: string): UndersignedError => new UndersignedError('MALFORMED_CAR', why);
  const car = parseCar(bytes);
  const blocks = new Map(car.blocks.map((b) => [b.cid.toString(), b.bytes]));
  const files = walkDirectory(car.root, (cid) => blocks.get(cid.toString()));
  const take = (path: string): Uint8Array => {
    const file = files.get(path);
    if (file === undefined) throw bad(`the car holds no "${path}" file`);
    files.delete(path);
    return file;
  };
  const checkpoint = take(CHECKPOINT);
  const letter = take(LETTER);
  const vkey = parseVkeyFile(take(VKEY));
  for (const path of files.keys())
    if (!path.startsWith('tile/')) throw bad('the car holds a file outside the log layout');
  const copy: LogCopy = { checkpoint, letter, vkey, tiles: files };
  if (!equalBytes(formatLogCar(copy).car, bytes))
    throw bad('the car is not the canonical car of its log (block order, sizes or extra blocks)');
  return { root: car.root, copy };
}

/** The tile paths a log of `treeSize` has: every hash tile, then every entry bundle. */
export function logTilePaths(treeSize: number): string[] {
  return [...tilesForSize(treeSize), ...entryBundlesForSize(treeSize)].map((t) => tilePath(t));
}

function parseVkeyFile(bytes: Uint8Array): string {
  const bad = new UndersignedError('MALFORMED_CAR', 'the vkey file is not one line of text');
  if (bytes.length > MAX_VKEY) throw bad;
  let text: string;
  try {
    text = utf8Decode(bytes);
  } catch {
    throw bad;
  }
  if (!text.endsWith('\n') || text.indexOf('\n') !== text.length - 1) throw bad;
  return text.slice(0, -1);
}
