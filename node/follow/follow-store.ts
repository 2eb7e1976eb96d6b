// What a mirror keeps of one peer log it follows (docs/PROTOCOL.md §6.6 /logs/), under
// <data>/follows/<hex SHA-256 of origin>/ in the c2sp.org/tlog-tiles layout:
//
//   follow.json                  origin, vkey, the URLs it is fetched from, the peer's witness vkey
//   checkpoint                   the latest verified checkpoint (with the cosignatures we hold)
//   tile/<L>/<N>[.p/<W>]         hash tiles, computed here from the verified entries
//   tile/entries/<N>[.p/<W>]     entry bundles, as fetched, after they were checked
//   staging/                     tiles and bundles of a checkpoint being verified (stage())
//
// Crash-safe order, as in node/log/log.ts: tiles and bundles first (each file final once it
// exists: written and fsynced under staging/, then moved), then the checkpoint. A crash in
// between leaves the old checkpoint, which the files on disk still extend: the next start
// resumes from it.

import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { equalBytes, toHex, utf8Decode, utf8Encode } from '../../core/bytes.ts';
import { parseCheckpoint, type Checkpoint } from '../../core/checkpoint.ts';
import { decodeEntryBundle } from '../../core/entry-bundle.ts';
import { sha256 } from '../../core/hash.ts';
import { EMPTY_ROOT } from '../../core/merkle.ts';
import { parseNote } from '../../core/note.ts';
import { TileWriter } from '../../core/tile-writer.ts';
import { ENTRY_BUNDLE_LEVEL, partialTilesForSize, TILE_WIDTH } from '../../core/tiles.ts';
import { UndersignedError } from '../../core/errors.ts';
import { isMissing, writeFileDurably } from '../log/disk.ts';
import { dataLayout } from '../log/layout.ts';
import type { TileFile } from '../log/staging.ts';
import { TileStore, type StagedTile } from '../log/tile-store.ts';

/** The settings of a followed log. */
export type FollowMeta = {
  readonly origin: string;
  readonly vkey: string;
  readonly urls: readonly string[];
  readonly witnessVkey?: string | undefined;
};

/** The verified state: the checkpoint note and what it needs to grow. */
export type FollowState = {
  readonly note: string | undefined;
  readonly checkpoint: Checkpoint;
  readonly writer: TileWriter;
  /** The entries of the partial entry bundle. */
  readonly tail: readonly Uint8Array[];
};

/** The directory name of a followed log: hex(SHA-256(origin)). */
export function followName(origin: string): string {
  return toHex(sha256(utf8Encode(origin)));
}

/** The files of one followed log. */
export class FollowStore {
  readonly dir: string;
  readonly tiles: TileStore;
  readonly #stagingDir: string;
  /** The staging directory, once made (discardStaged removes it). */
  #staging: Promise<void> | undefined;

  constructor(followsDir: string, origin: string) {
    this.dir = join(followsDir, followName(origin));
    this.#stagingDir = join(this.dir, 'staging');
    this.tiles = new TileStore({ ...dataLayout(this.dir), logDir: this.dir });
  }

  async readMeta(): Promise<FollowMeta | undefined> {
    const text = await readText(join(this.dir, 'follow.json'));
    return text === undefined ? undefined : (JSON.parse(text) as FollowMeta);
  }

  async writeMeta(meta: FollowMeta): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeFileDurably(join(this.dir, 'follow.json'), utf8Encode(JSON.stringify(meta)));
  }

  /** The stored checkpoint note, as last written (with cosignatures). */
  async readNote(): Promise<string | undefined> {
    return readText(join(this.dir, 'checkpoint'));
  }

  /** Loads the verified state; the empty tree if nothing was verified yet. Throws CORRUPT_DATA. */
  async load(origin: string): Promise<FollowState> {
    await this.discardStaged();
    const note = await this.readNote();
    if (note === undefined) {
      const checkpoint = { origin, treeSize: 0, rootHash: EMPTY_ROOT.slice(), extensions: [] };
      return { note: undefined, checkpoint, writer: new TileWriter(), tail: [] };
    }
    const checkpoint = parseCheckpoint(parseNote(note).text);
    const { treeSize } = checkpoint;
    const partials = await Promise.all(
      partialTilesForSize(treeSize).map((t) => this.tiles.read(t))
    );
    const writer = new TileWriter(treeSize, partials);
    if (!equalBytes(writer.root(), checkpoint.rootHash))
      throw new UndersignedError(
        'CORRUPT_DATA',
        `the tiles of ${origin} do not match its checkpoint`
      );
    const width = treeSize % TILE_WIDTH;
    const tail =
      width === 0
        ? []
        : decodeEntryBundle(
            await this.tiles.read({
              level: ENTRY_BUNDLE_LEVEL,
              index: Math.floor(treeSize / TILE_WIDTH),
              width,
            }),
            width
          );
    return { note, checkpoint, writer, tail };
  }

  /**
   * Writes tiles and bundles durably under staging/, not yet at their paths, while a checkpoint
   * is being verified: commit() then only moves them. What a crash or a failed check leaves
   * there is removed by discardStaged(), which load() calls.
   */
  async stage(files: readonly TileFile[]): Promise<StagedTile[]> {
    // Made once, not for each of the hundreds of files a catch-up stages.
    this.#staging ??= mkdir(this.#stagingDir, { recursive: true }).then(() => undefined);
    await this.#staging;
    return this.tiles.stage(files, this.#stagingDir);
  }

  /** Removes every staged file. */
  async discardStaged(): Promise<void> {
    this.#staging = undefined;
    await rm(this.#stagingDir, { recursive: true, force: true });
  }

  /**
   * Publishes the tiles and bundles of a verified checkpoint, staged or given, then the
   * checkpoint (see above).
   */
  async commit(
    files: readonly TileFile[],
    note: string,
    staged: readonly StagedTile[] = []
  ): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await this.tiles.publishStaged(staged);
    await this.tiles.publish(files);
    await this.writeNote(note);
    await this.tiles.prunePartials([...staged, ...files].map((f) => f.tile));
  }

  /** Rewrites the checkpoint note (same checkpoint, more cosignatures). */
  async writeNote(note: string): Promise<void> {
    await writeFileDurably(join(this.dir, 'checkpoint'), utf8Encode(note));
  }
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return utf8Decode(new Uint8Array(await readFile(path)));
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
}
