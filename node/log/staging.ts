// The staging file of a batch (Sunlight's staging bundle): every hash tile and entry bundle the
// batch creates or widens, in one file, written durably before the batch's checkpoint is signed.
// If the node dies after the checkpoint is stored but before the tiles are all published, the
// restart publishes them again from here (log-recovery.ts). One file, so one rename makes the
// whole batch durable at once.
//
//   "undersigned/staging/v1\n" decimal(tree size) "\n" base64(root hash) "\n"
//   then for each tile, in order:
//     uint16 length || tile path (c2sp.org/tlog-tiles, canonical) || uint32 length || data
//
// Parsing is strict, like every parser here, though we wrote the file: a damaged one must stop
// the node, not be half applied. Throws CORRUPT_DATA.

import { UndersignedError } from '../../core/errors.ts';
import {
  concatBytes,
  fromBase64,
  readUint,
  toBase64,
  utf8Decode,
  utf8Encode,
  writeUint,
} from '../../core/bytes.ts';
import { HASH_SIZE } from '../../core/hash.ts';
import { decodeEntryBundle } from '../../core/entry-bundle.ts';
import { ENTRY_BUNDLE_LEVEL, parseTilePath, tilePath, type Tile } from '../../core/tiles.ts';

const HEADER = 'undersigned/staging/v1';
const MAX_HEADER = HEADER.length + 1 + 16 + 1 + 44 + 1;

/** A hash tile or an entry bundle with its contents. */
export type TileFile = { readonly tile: Tile; readonly data: Uint8Array };

/** The tiles and entry bundles of one batch, and the tree they make. */
export type StagedBatch = {
  readonly treeSize: number;
  readonly rootHash: Uint8Array;
  readonly tiles: readonly TileFile[];
};

/** Encodes a staged batch. */
export function formatStaging(batch: StagedBatch): Uint8Array {
  const parts: Uint8Array[] = [
    utf8Encode(`${HEADER}\n${batch.treeSize}\n${toBase64(batch.rootHash)}\n`),
  ];
  for (const { tile, data } of batch.tiles) {
    const path = utf8Encode(tilePath(tile));
    const head = new Uint8Array(2 + path.length + 4);
    writeUint(head, 0, 2, path.length);
    head.set(path, 2);
    writeUint(head, 2 + path.length, 4, data.length);
    parts.push(head, data);
  }
  return concatBytes(...parts);
}

/** Decodes a staged batch strictly. Throws CORRUPT_DATA. */
export function parseStaging(bytes: Uint8Array): StagedBatch {
  let lines = 0;
  let at = 0;
  while (lines < 3 && at < Math.min(bytes.length, MAX_HEADER)) if (bytes[at++] === 0x0a) lines++;
  if (lines < 3) throw corrupt('no header');
  let header: string;
  try {
    header = utf8Decode(bytes.subarray(0, at));
  } catch {
    throw corrupt('bad header');
  }
  const match = /^undersigned\/staging\/v1\n(0|[1-9][0-9]{0,15})\n([A-Za-z0-9+/=]{44})\n$/.exec(
    header
  );
  if (match === null) throw corrupt('bad header');
  const treeSize = Number(match[1]);
  if (!Number.isSafeInteger(treeSize)) throw corrupt('bad tree size');
  let rootHash: Uint8Array;
  try {
    rootHash = fromBase64(match[2] ?? '', HASH_SIZE);
  } catch {
    throw corrupt('bad root hash');
  }
  const tiles: TileFile[] = [];
  const seen = new Set<string>();
  while (at < bytes.length) {
    if (at + 2 > bytes.length) throw corrupt('truncated path length');
    const pathLength = readUint(bytes, at, 2);
    if (at + 2 + pathLength + 4 > bytes.length) throw corrupt('truncated path');
    let path: string;
    let tile: Tile;
    try {
      path = utf8Decode(bytes.subarray(at + 2, at + 2 + pathLength));
      tile = parseTilePath(path);
    } catch {
      throw corrupt('bad tile path');
    }
    if (seen.has(path)) throw corrupt(`${path} twice`);
    seen.add(path);
    const dataLength = readUint(bytes, at + 2 + pathLength, 4);
    const start = at + 2 + pathLength + 4;
    if (start + dataLength > bytes.length) throw corrupt(`truncated ${path}`);
    const data = bytes.subarray(start, start + dataLength);
    checkTile(tile, data, path);
    tiles.push({ tile, data });
    at = start + dataLength;
  }
  return { treeSize, rootHash, tiles };
}

function checkTile(tile: Tile, data: Uint8Array, path: string): void {
  if (tile.level === ENTRY_BUNDLE_LEVEL) {
    try {
      decodeEntryBundle(data, tile.width);
    } catch {
      throw corrupt(`${path} is not an entry bundle of width ${tile.width}`);
    }
  } else if (data.length !== tile.width * HASH_SIZE) {
    throw corrupt(`${path} has ${data.length} bytes`);
  }
}

function corrupt(why: string): UndersignedError {
  return new UndersignedError('CORRUPT_DATA', `staging file: ${why}`);
}
