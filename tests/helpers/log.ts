// Builds a complete C2SP tlog-tiles log from entries, the way a mirror lays one out: signed
// checkpoint, hash tiles and entry bundles, in memory and optionally on disk.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { encodeEntryBundle } from '../../core/entry-bundle.ts';
import { recordHash } from '../../core/merkle.ts';
import { tileHashes } from '../../core/tile-writer.ts';
import { entryBundlesForSize, tilePath, TILE_WIDTH } from '../../core/tiles.ts';
import { TreeBuilder } from '../../core/tree.ts';
import { formatCheckpoint } from '../../core/checkpoint.ts';
import { signNote } from '../../core/note.ts';
import {
  ed25519Signer,
  formatVerifierKey,
  generateSignerKey,
  verifierKeyOf,
} from '../../core/note-key.ts';
import { logOrigin } from '../../core/origin.ts';
import { publicKeyFromSeed } from '../../core/ed25519.ts';
import { sha256 } from '../../core/hash.ts';
import { utf8Encode } from '../../core/bytes.ts';

export type BuiltLog = {
  readonly origin: string;
  readonly vkey: string;
  readonly checkpoint: string;
  readonly files: Map<string, Uint8Array>;
};

/** A log of `entries` for `letterId`, signed by a key made from `keyLabel`. */
export function buildLog(
  letterId: Uint8Array,
  entries: readonly Uint8Array[],
  keyLabel = 'test log'
): BuiltLog {
  const seed = sha256(utf8Encode(keyLabel));
  const origin = logOrigin(letterId, publicKeyFromSeed(seed));
  const key = generateSignerKey(origin, seed);
  const files = new Map<string, Uint8Array>();
  const leafHashes = entries.map((e) => recordHash(e));
  for (const { tile, data } of tileHashes(leafHashes)) files.set(tilePath(tile), data);
  for (const bundle of entryBundlesForSize(entries.length)) {
    const start = bundle.index * TILE_WIDTH;
    files.set(tilePath(bundle), encodeEntryBundle(entries.slice(start, start + bundle.width)));
  }
  const tree = new TreeBuilder();
  for (const h of leafHashes) tree.append(h);
  const text = formatCheckpoint({
    origin,
    treeSize: entries.length,
    rootHash: tree.root(),
    extensions: [],
  });
  const checkpoint = signNote(text, [ed25519Signer(key)]);
  files.set('checkpoint', utf8Encode(checkpoint));
  return { origin, vkey: formatVerifierKey(verifierKeyOf(key)), checkpoint, files };
}

/** Writes a built log's files under `dir`. */
export function writeLog(log: BuiltLog, dir: string): void {
  for (const [path, data] of log.files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), data);
  }
}
