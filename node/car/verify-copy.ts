// Verifying a log copy (node/car/log-car.ts) and making one from a log source: docs/PROTOCOL.md
// §7 (core/verifier.ts verifyLog) plus what a copy adds: it holds exactly the tiles of its
// checkpoint's tree size, and every hash tile equals the one recomputed from the entries
// (c2sp.org/tlog-tiles), so a copy served as a log answers proofs correctly.

import { parseCheckpoint } from '../../core/checkpoint.ts';
import { decodeEntryBundle } from '../../core/entry-bundle.ts';
import { equalBytes } from '../../core/bytes.ts';
import { UndersignedError } from '../../core/errors.ts';
import { letterId, parseLetter, type Letter } from '../../core/letter.ts';
import { recordHash } from '../../core/merkle.ts';
import { newVerifier, parseNote } from '../../core/note.ts';
import { parseVerifierKey } from '../../core/note-key.ts';
import { TileWriter } from '../../core/tile-writer.ts';
import { entryBundlesForSize, tilePath, type Tile } from '../../core/tiles.ts';
import { verifyLog, type LogVerification, type VerifyProgress } from '../../core/verifier.ts';
import type { LogSource } from '../log-source.ts';
import { nodeEd25519 } from '../ed25519/verifier.ts';
import { logTilePaths, type LogCopy } from './log-car.ts';

export type VerifyCopyOptions = {
  /** Trusted log keys; by default the copy's own vkey (which checks the copy is consistent). */
  readonly vkeys?: readonly string[];
  readonly witnessKeys?: readonly string[];
  readonly onProgress?: (progress: VerifyProgress) => void;
  readonly signal?: AbortSignal;
};

/** A verified copy: the verification, the parsed letter and the vkey that verified it. */
export type VerifiedCopy = LogVerification & { readonly letter: Letter; readonly vkey: string };

/**
 * Verifies a log copy: exactly the tiles of its tree size, the log (verifyLog), and every hash
 * tile against the entries. Throws MALFORMED_CAR, MALFORMED_TILE, or what verifyLog throws.
 */
export async function verifyLogCopy(
  copy: LogCopy,
  options: VerifyCopyOptions = {}
): Promise<VerifiedCopy> {
  const letter = parseLetter(copy.letter);
  // The tree size is read unverified only to list the files; verifyLog then checks the note.
  const { treeSize } = parseCheckpoint(parseNote(copy.checkpoint).text);
  const expected = logTilePaths(treeSize);
  if (expected.length !== copy.tiles.size || expected.some((p) => !copy.tiles.has(p)))
    throw new UndersignedError(
      'MALFORMED_CAR',
      `the car does not hold exactly the tiles of a tree of size ${treeSize}`
    );
  const vkeys =
    options.vkeys !== undefined && options.vkeys.length > 0 ? options.vkeys : [copy.vkey];
  const read = (tile: Tile): Promise<Uint8Array> => {
    const bytes = copy.tiles.get(tilePath(tile));
    if (bytes === undefined) throw new Error('bug: a bundle missing after the file check');
    return Promise.resolve(bytes);
  };
  const result = await verifyLog({
    checkpoint: copy.checkpoint,
    logKeys: vkeys.map((k) => newVerifier(k)),
    witnessKeys: (options.witnessKeys ?? []).map((k) => newVerifier(k)),
    letterId: letterId(letter),
    stampBits: letter.stampBits,
    ed25519: nodeEd25519(),
    readEntryBundle: read,
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  for (const [path, data] of hashTiles(copy.tiles, treeSize)) {
    if (!equalBytes(data, copy.tiles.get(path) ?? new Uint8Array()))
      throw new UndersignedError('MALFORMED_TILE', `hash tile ${path} does not match the entries`);
  }
  return { ...result, letter, vkey: signingVkey(vkeys, result) };
}

/** The hash tiles of the log whose entry bundles are in `bundles`, by tile path. */
export function hashTiles(
  bundles: ReadonlyMap<string, Uint8Array>,
  treeSize: number
): Map<string, Uint8Array> {
  const writer = new TileWriter();
  const out = new Map<string, Uint8Array>();
  for (const bundle of entryBundlesForSize(treeSize)) {
    const bytes = bundles.get(tilePath(bundle));
    if (bytes === undefined) throw new Error('bug: hashTiles without every bundle');
    const leaves = decodeEntryBundle(bytes, bundle.width).map((e) => recordHash(e));
    for (const { tile, data } of writer.append(leaves)) out.set(tilePath(tile), data);
  }
  // Partial tiles that later filled up are superseded: keep the tiles of this tree size.
  const wanted = new Set(logTilePaths(treeSize));
  for (const path of out.keys()) if (!wanted.has(path)) out.delete(path);
  return out;
}

/**
 * Reads a log from `source` and verifies it (the checkpoint is read once, so a growing log is
 * copied at one tree size), then returns its copy: the checkpoint as read, the letter, the vkey
 * that verified it, its entry bundles and the hash tiles recomputed from them.
 */
export async function collectLog(
  source: LogSource,
  options: {
    readonly letter: Uint8Array;
    readonly vkeys: readonly string[];
    readonly witnessKeys?: readonly string[];
    readonly onProgress?: (progress: VerifyProgress) => void;
    readonly signal?: AbortSignal;
  }
): Promise<{ copy: LogCopy; verification: VerifiedCopy }> {
  const { signal } = options;
  const letter = parseLetter(options.letter);
  const checkpoint = await source.read('checkpoint', signal === undefined ? {} : { signal });
  const bundles = new Map<string, Uint8Array>();
  const result = await verifyLog({
    checkpoint,
    logKeys: options.vkeys.map((k) => newVerifier(k)),
    witnessKeys: (options.witnessKeys ?? []).map((k) => newVerifier(k)),
    letterId: letterId(letter),
    stampBits: letter.stampBits,
    ed25519: nodeEd25519(),
    readEntryBundle: async (tile, opts) => {
      const bytes = await source.read(tilePath(tile), opts);
      bundles.set(tilePath(tile), bytes);
      return bytes;
    },
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    ...(signal === undefined ? {} : { signal }),
  });
  const tiles = new Map([...hashTiles(bundles, result.treeSize), ...bundles]);
  const vkey = signingVkey(options.vkeys, result);
  return {
    copy: { checkpoint, letter: options.letter, vkey, tiles },
    verification: { ...result, letter, vkey },
  };
}

/** The trusted vkey that signed the checkpoint: the one named by its origin if several did. */
function signingVkey(vkeys: readonly string[], result: LogVerification): string {
  const signed = vkeys.filter((k) => result.signedBy.includes(parseVerifierKey(k).name));
  const vkey = signed.find((k) => parseVerifierKey(k).name === result.origin) ?? signed[0];
  if (vkey === undefined) throw new Error('bug: verifyLog passed without a trusted signature');
  return vkey;
}
