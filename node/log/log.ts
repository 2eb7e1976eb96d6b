// A mirror's own log on disk: appending a batch of entries crash-safely, and proving inclusion
// from the stored tiles. c2sp.org/tlog-tiles layout (layout.ts), c2sp.org/tlog-checkpoint
// checkpoints signed with the log key (log-key.ts).
//
// The commit order of a batch, after Sunlight's sequencePool; each step is durable before the
// next begins, and recovery.ts turns a crash between any two steps into a consistent log:
//
//   1. check   the new tree extends the last signed one: a consistency proof computed from the
//              new tiles (core/tile-reader.ts) is checked against both roots (RFC 9162 §2.1.4.2)
//   2. stage   write every new tile and bundle to state/staging/<size>-<root>, one file
//   3. sign    the new checkpoint, in memory: nobody has seen it yet
//   4. store   compare-and-swap it into state/checkpoint (log-lock.ts): THE COMMIT POINT
//   5. publish write the tiles and bundles to log/tile/…
//   6. publish write log/checkpoint
//   7. unstage delete the staging file; prune partial tiles that became full
//   8. return  only now may the caller acknowledge the entries
//
// A crash before 4 loses the batch, whose entries nobody was told about: restart deletes its
// staging file and the checkpoint signed in 3 dies with the process. A crash after 4 keeps it:
// restart publishes the staging file again. Since tiles are written only in 5, every file under
// log/ is final once it exists, and a checkpoint is only signed to extend the stored one.

import { utf8Encode } from '../../core/bytes.ts';
import { formatCheckpoint, type Checkpoint } from '../../core/checkpoint.ts';
import { encodeEntryBundle } from '../../core/entry-bundle.ts';
import { proveRecord, recordHash, recordProofNodes } from '../../core/merkle.ts';
import { signNote } from '../../core/note.ts';
import { tilesForNodes, tileHashReader } from '../../core/tile-reader.ts';
import { newEntryBundles, tileForNode, TILE_WIDTH, type Tile } from '../../core/tiles.ts';
import type { TileWriter } from '../../core/tile-writer.ts';
import { HASH_SIZE } from '../../core/hash.ts';
import { removeDurably, writeFileDurably } from './disk.ts';
import { makeDirectories, stagingFile, type Layout } from './layout.ts';
import type { LogKey } from './log-key.ts';
import { LogLock } from './log-lock.ts';
import { recoverLog } from './recovery.ts';
import { formatStaging, type TileFile } from './staging.ts';
import { checkExtends } from './consistency.ts';
import { TileLevels } from './tile-levels.ts';
import { TileStore } from './tile-store.ts';

/** The steps of a commit, reported to `onStep` after each one (tests inject crashes there). */
export type CommitStep =
  'checked' | 'staged' | 'signed' | 'stored' | 'published' | 'checkpoint' | 'unstaged';

export type LogOptions = {
  readonly layout: Layout;
  readonly key: LogKey;
  /** Called after each commit step; a throw there stops the commit as a crash would. */
  readonly onStep?: (step: CommitStep) => void | Promise<void>;
};

/** Inclusion proofs of several leaves in one signed checkpoint. */
export type RecordProofs = { readonly checkpoint: string; readonly proofs: Uint8Array[][] };

/** An open log. One process, one instance: the directory is locked (log-lock.ts). */
export class Log {
  readonly #options: LogOptions;
  readonly #lock: LogLock;
  readonly tiles: TileStore;
  readonly #levels = new TileLevels();
  #signed = '';
  #checkpoint!: Checkpoint;
  #writer!: TileWriter;
  #tail: Uint8Array[] = [];
  #state: 'ready' | 'appending' | 'failed' | 'closed' = 'ready';

  private constructor(options: LogOptions, lock: LogLock) {
    this.#options = options;
    this.#lock = lock;
    this.tiles = new TileStore(options.layout);
  }

  /** Locks the directory and recovers the log in it (recovery.ts); creates a new log if empty. */
  static async open(options: LogOptions): Promise<Log> {
    await makeDirectories(options.layout);
    const log = new Log(options, await LogLock.acquire(options.layout));
    try {
      await log.recover();
    } catch (e) {
      await log.close();
      throw e;
    }
    return log;
  }

  /** The last signed (and published) checkpoint note. */
  get signed(): string {
    return this.#signed;
  }

  /** The last signed checkpoint, parsed. */
  get checkpoint(): Checkpoint {
    return this.#checkpoint;
  }

  get treeSize(): number {
    return this.#checkpoint.treeSize;
  }

  /** Brings memory back in line with the disk, as a restart would, after a failed append. */
  async recover(): Promise<void> {
    if (this.#state === 'closed' || this.#state === 'appending')
      throw new Error(`bug: recover while ${this.#state}`);
    this.#levels.clear(); // a failed batch may have cached tiles that will now differ
    const recovered = await recoverLog(
      this.#options.layout,
      this.#lock,
      this.#options.key,
      this.tiles
    );
    this.#signed = recovered.signed;
    this.#checkpoint = recovered.checkpoint;
    this.#writer = recovered.writer;
    this.#tail = recovered.tail;
    this.#state = 'ready';
  }

  /**
   * Appends `entries` in this order and signs the new checkpoint (the commit order above).
   * Resolves once everything is durable and published. The signal is checked before the batch
   * starts only: stopping in the middle is what a crash does. If it rejects, the log must be
   * recover()ed before the next append; the batch may or may not be in it then (compare sizes).
   * `leafHashes`, when the caller has them already, must be recordHash of each entry.
   */
  async append(
    entries: readonly Uint8Array[],
    options: { signal?: AbortSignal; leafHashes?: readonly Uint8Array[] } = {}
  ): Promise<{ start: number }> {
    if (this.#state !== 'ready') throw new Error(`bug: append while ${this.#state}`);
    if (entries.length === 0) throw new RangeError('"entries" expected at least one entry');
    const leafHashes = options.leafHashes ?? entries.map((e) => recordHash(e));
    if (leafHashes.length !== entries.length)
      throw new RangeError('"leafHashes" expected one hash an entry');
    options.signal?.throwIfAborted();
    this.#state = 'appending';
    try {
      const start = await this.#commit(entries, leafHashes);
      this.#state = 'ready';
      return { start };
    } catch (e) {
      this.#state = 'failed';
      throw e;
    }
  }

  async #commit(
    entries: readonly Uint8Array[],
    leafHashes: readonly Uint8Array[]
  ): Promise<number> {
    const step = async (name: CommitStep): Promise<void> => this.#options.onStep?.(name);
    const { key, layout } = this.#options;
    const old = this.#checkpoint;

    const hashTiles = this.#writer.append(leafHashes);
    const treeSize = this.#writer.size;
    const rootHash = this.#writer.root();
    const { bundles, tail } = this.#bundles(old.treeSize, treeSize, entries);
    const batch: TileFile[] = [...hashTiles, ...bundles];
    const checkpoint: Checkpoint = { origin: key.origin, treeSize, rootHash, extensions: [] };
    await checkExtends(old, checkpoint, hashTiles, this.tiles, this.#levels);
    await step('checked');

    const staging = stagingFile(layout, treeSize, rootHash);
    await writeFileDurably(staging, formatStaging({ treeSize, rootHash, tiles: batch }));
    await step('staged');
    const signed = signNote(formatCheckpoint(checkpoint), [key.signer]);
    await step('signed');
    await this.#lock.compareAndSwap(this.#signed, signed);
    await step('stored');

    await this.tiles.publish(batch);
    await step('published');
    await writeFileDurably(layout.checkpointFile, utf8Encode(signed));
    await step('checkpoint');
    await removeDurably([staging]);
    await this.tiles.prunePartials(batch.map((t) => t.tile));
    await step('unstaged');

    this.#signed = signed;
    this.#checkpoint = checkpoint;
    this.#tail = tail;
    return old.treeSize;
  }

  /** The entry bundles from oldSize to newSize, and the entries of the new partial bundle. */
  #bundles(
    oldSize: number,
    newSize: number,
    entries: readonly Uint8Array[]
  ): { bundles: TileFile[]; tail: Uint8Array[] } {
    const base = Math.floor(oldSize / TILE_WIDTH) * TILE_WIDTH;
    const all = [...this.#tail, ...entries];
    const bundles = newEntryBundles(oldSize, newSize).map((tile) => {
      const offset = tile.index * TILE_WIDTH - base;
      return { tile, data: encodeEntryBundle(all.slice(offset, offset + tile.width)) };
    });
    return { bundles, tail: all.slice(Math.floor(newSize / TILE_WIDTH) * TILE_WIDTH - base) };
  }

  /** The leaf hash at `index` of the last signed tree, read from its level 0 tile. */
  async leafHash(index: number): Promise<Uint8Array> {
    const tile = tileForNode(this.treeSize, { height: 0, index });
    const data = await this.tiles.read(tile);
    const offset = (index - tile.index * TILE_WIDTH) * HASH_SIZE;
    return data.slice(offset, offset + HASH_SIZE);
  }

  /**
   * Inclusion proofs of leaves `indexes` in the last signed tree, from its tiles, each tile
   * checked against the checkpoint's root hash. Each tile's levels are hashed once for all the proofs.
   */
  async proveRecords(
    indexes: readonly number[],
    options: { signal?: AbortSignal } = {}
  ): Promise<RecordProofs> {
    const signed = this.#signed;
    const { treeSize, rootHash } = this.#checkpoint;
    const seen: Set<number>[] = []; // the proofs share most nodes: plan each tile once
    const nodes = indexes
      .flatMap((index) => recordProofNodes(treeSize, index).flat())
      .filter(
        ({ height, index }) =>
          !(seen[height] ??= new Set()).has(index) && Boolean(seen[height].add(index))
      );
    const need = tilesForNodes(treeSize, nodes);
    const data = await Promise.all(need.map((tile: Tile) => this.tiles.read(tile, options)));
    tileHashReader(treeSize, rootHash, need, data); // checks every tile against the root hash
    const reader = this.#levels.reader(treeSize, need, data);
    return {
      checkpoint: signed,
      proofs: indexes.map((index) => proveRecord(treeSize, index, reader)),
    };
  }

  /** Releases the directory. The log is durable at every instant, so there is nothing to flush. */
  async close(): Promise<void> {
    this.#state = 'closed';
    await this.#lock.release();
  }
}
