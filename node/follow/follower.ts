// Following one peer log (DESIGN.md "Logs", docs/PROTOCOL.md §6.4, §7): take each signed
// checkpoint offered (by gossip or by polling its URLs), check it against everything verified
// before, fetch the new entry bundles, recompute the tree from them incrementally (TileWriter,
// from the saved partial tiles), and only when the root hash matches store it (follow-store.ts),
// cosign it and hand its entries to our own sequencer.
//
// Checks of a checkpoint C against the last verified V, in order:
//   - C is signed by the log key and names the log (openCheckpoint);
//   - size(C) = size(V): the roots must be equal, else evidence;
//   - size(C) < size(V): a consistency proof from our own (verified) tiles, else evidence;
//   - size(C) > size(V): the old entries in the first new bundle must equal ours, and the root
//     of our tree plus the new entries must be root(C). If not, either the peer served a bad
//     bundle (rejected: we stay at V) or C does not extend V (evidence): told apart by a
//     consistency proof from C's hash tiles, which are checked against root(C) first.
// Each bundle is checked on a worker as it arrives (§5: format, letter, stamp, signature; and
// its leaf hashes), and its valid entries go to our sequencer before the root check: an entry's
// validity does not depend on the log it came from. Entries that do not count stay in the
// mirrored log, as the peer served them, and are left out of ours.

import { toBase64, equalBytes } from '../../core/bytes.ts';
import { openCheckpoint, type Checkpoint } from '../../core/checkpoint.ts';
import { decodeEntryBundle } from '../../core/entry-bundle.ts';
import { readingInRanges } from '../../core/bundle-range.ts';
import { checkTree, proveTree } from '../../core/merkle.ts';
import { formatNote, parseNote } from '../../core/note.ts';
import type { Verifier } from '../../core/note-key.ts';
import { tileHashReader, tilesForTreeProof } from '../../core/tile-reader.ts';
import { newEntryBundles, tilePath, TILE_WIDTH, type Tile } from '../../core/tiles.ts';
import { UndersignedError } from '../../core/errors.ts';
import { HASH_SIZE } from '../../core/hash.ts';
import type { BundleCheck } from '../../core/bundle-check.ts';
import type { CheckedEntry } from '../log/pending.ts';
import type { TileFile } from '../log/staging.ts';
import type { StagedTile } from '../log/tile-store.ts';
import type { EvidenceStore } from '../witness/evidence.ts';
import type { WitnessKey } from '../witness/witness-key.ts';
import type { FollowMeta, FollowState, FollowStore } from './follow-store.ts';
import { readFromAny, readRangeFromAny } from './peer-source.ts';

/** What a follower needs from the mirror. */
export type FollowerOptions = {
  readonly store: FollowStore;
  readonly meta: FollowMeta;
  readonly state: FollowState;
  readonly logVerifier: Verifier;
  readonly witness: WitnessKey;
  readonly evidence: EvidenceStore;
  /**
   * Checks an entry bundle of this log against our letter (core/bundle-check.ts: leaf hashes,
   * entry checks, signatures), on a worker; `bytes` are left as they are.
   */
  readonly checkBundle: (bytes: Uint8Array, bundle: Tile) => Promise<BundleCheck>;
  /** Submits checked entries to our own log (Sequencer.submitChecked); resolves once settled. */
  readonly submitChecked: (entries: readonly CheckedEntry[]) => Promise<void>;
  /** Publishes our cosigned note of this log's checkpoint (gossip type 0x03). */
  readonly publishCosigned: (note: string) => void;
  /** The base URLs to fetch from, as currently known. */
  readonly urls: () => readonly string[];
  /** POSIX seconds. */
  readonly now: () => number;
  readonly onError: (error: unknown) => void;
  readonly signal: AbortSignal;
};

/** Bundles fetched ahead. */
const BUNDLES_AHEAD = 8;
/**
 * Bundles whose entries are being checked or wait in our sequencer's queue, a sliding window:
 * 32,768 entries, more than the workers check in a batch period and a batch write, so that
 * they are not starved while our log catches up (bench/catch-up.ts). A bundle leaves the
 * window as soon as its entries are in our log; batches take the queue in order, so the
 * oldest is always the next to leave. Several followers may together pass the sequencer's
 * maxPending (50,000): submitChecked then waits for room.
 */
const MAX_IN_FLIGHT = 128;

/** One followed log. Checkpoints are taken one at a time, in the order offered. */
export class Follower {
  readonly #o: FollowerOptions;
  #state: FollowState;
  #queue: Promise<void> = Promise.resolve();
  #cosigned: string | undefined;
  #latestSize = 0;

  constructor(options: FollowerOptions) {
    this.#o = options;
    this.#state = options.state;
  }

  get checkpoint(): Checkpoint {
    return this.#state.checkpoint;
  }

  /** The largest tree size of a checkpoint signed by the log's key seen so far (node/metrics/). */
  get latestSize(): number {
    return Math.max(this.#latestSize, this.#state.checkpoint.treeSize);
  }

  /** The latest verified note (with the cosignatures held), if any. */
  get note(): string | undefined {
    return this.#state.note;
  }

  /** Our cosigned note of the latest verified checkpoint, if we cosigned it. */
  get cosigned(): string | undefined {
    return this.#cosigned;
  }

  /** Takes `note` after those offered before; resolves once it was handled (never rejects). */
  offer(note: string): Promise<void> {
    const next = this.#queue
      .then(() => this.#consider(note))
      .catch((e: unknown) => {
        if (!this.#o.signal.aborted) this.#o.onError(e);
      });
    this.#queue = next;
    return next;
  }

  async #consider(note: string): Promise<void> {
    const { meta } = this.#o;
    if (this.#o.signal.aborted) return;
    const opened = openCheckpoint(note, [this.#o.logVerifier], meta.origin);
    const c = opened.checkpoint;
    this.#latestSize = Math.max(this.#latestSize, c.treeSize);
    const v = this.#state.checkpoint;
    if (c.treeSize === v.treeSize) {
      if (equalBytes(c.rootHash, v.rootHash)) {
        if (this.#cosigned === undefined && !this.#o.evidence.has(meta.origin)) this.#cosign();
        return;
      }
      await this.#lied(note, 'two checkpoints of one size with different root hashes', []);
      return;
    }
    if (c.treeSize < v.treeSize) {
      const proof = await this.#proveFromOwnTiles(c.treeSize);
      if (!checkTree(proof, v.treeSize, v.rootHash, c.treeSize, c.rootHash))
        await this.#lied(note, 'an older checkpoint is not a prefix of a newer one', proof);
      return;
    }
    await this.#grow(c, note);
  }

  async #grow(c: Checkpoint, note: string): Promise<void> {
    const v = this.#state.checkpoint;
    const writer = this.#state.writer;
    const bundles = newEntryBundles(v.treeSize, c.treeSize);
    const fetches = new Map<number, Promise<Uint8Array>>();
    // Full bundles 16 at a time where the peer serves ranges (§6.7), else one by one.
    const read = readingInRanges(
      c.treeSize,
      (tile) => this.#read(`log/${tilePath(tile)}`),
      (range) => readRangeFromAny(this.#o.urls(), range, this.#o.signal)
    );
    const start = (i: number): void => {
      const b = bundles[i];
      if (b === undefined || fetches.has(i)) return;
      const p = read(b, { signal: this.#o.signal });
      p.catch(() => undefined);
      fetches.set(i, p);
    };
    for (let i = 0; i < BUNDLES_AHEAD; i++) start(i);
    // Bundles and full hash tiles are written durably under staging/ as they come, so that the
    // commit after the root check only moves them (follow-store.ts).
    const staged: Promise<StagedTile[]>[] = [];
    const stage = (files: readonly TileFile[]): void => {
      const p = this.#o.store.stage(files);
      p.catch(() => undefined);
      staged.push(p);
    };
    // The new leaf hashes go into the writer in log order, as the checks of their bundles come
    // back from the workers.
    let appended: Promise<void> = Promise.resolve();
    const inFlight: Promise<unknown>[] = [];
    let tail = this.#state.tail;
    let matches: boolean;
    try {
      for (let i = 0; i < bundles.length; i++) {
        const b = bundles[i] as Tile;
        const bytes = await (fetches.get(i) as Promise<Uint8Array>);
        fetches.delete(i);
        start(i + BUNDLES_AHEAD);
        const entries = decodeEntryBundle(bytes, b.width);
        const first = b.index * TILE_WIDTH;
        const skip = Math.max(0, v.treeSize - first); // entries we hold already
        if (
          skip > 0 &&
          !entries.slice(0, skip).every((e, k) => equalBytes(e, tail[k] as Uint8Array))
        ) {
          await this.#mismatch(c, note);
          return;
        }
        stage([{ tile: b, data: bytes }]); // decoded strictly above: the canonical encoding
        // Checked on a worker; its leaf hashes serve both trees, its valid entries our own log.
        const check = this.#o.checkBundle(bytes, b);
        appended = appended.then(async () => {
          const { leafHashes } = await check;
          const leaves: Uint8Array[] = [];
          for (let at = skip * HASH_SIZE; at < leafHashes.length; at += HASH_SIZE)
            leaves.push(leafHashes.subarray(at, at + HASH_SIZE));
          const full = writer.append(leaves).filter((t) => t.tile.width === TILE_WIDTH);
          if (full.length > 0) stage(full);
        });
        appended.catch(() => undefined); // awaited below
        const submitted = check.then(({ leafHashes, valid }) =>
          this.#o.submitChecked(
            valid.flatMap(({ index, publicKey, kind }) => {
              const j = index - first;
              if (j < skip) return [];
              const leafHash = leafHashes.subarray(j * HASH_SIZE, (j + 1) * HASH_SIZE);
              return [{ bytes: entries[j] as Uint8Array, leafHash, publicKey, kind }];
            })
          )
        );
        inFlight.push(submitted.catch(() => undefined));
        if (inFlight.length >= MAX_IN_FLIGHT) await inFlight.shift();
        tail = b.width === TILE_WIDTH ? [] : entries;
      }
      await appended;
      matches = equalBytes(writer.root(), c.rootHash);
      if (matches) {
        const files = (await Promise.all(staged)).flat();
        await this.#o.store.commit(writer.partialTiles(), note, files);
      }
    } catch (e) {
      await this.#undo(appended, staged);
      throw e;
    }
    if (!matches) {
      await this.#undo(appended, staged);
      await this.#mismatch(c, note);
      return;
    }
    this.#state = { note, checkpoint: c, writer, tail };
    this.#cosigned = undefined;
    await Promise.all(inFlight);
    if (!this.#o.evidence.has(this.#o.meta.origin)) this.#cosign();
  }

  /** Back to the last verified state, once the appends and writes under way are done. */
  async #undo(appended: Promise<void>, staged: readonly Promise<unknown>[]): Promise<void> {
    await appended.catch(() => undefined);
    await Promise.allSettled(staged);
    this.#state = await this.#o.store.load(this.#o.meta.origin); // removes what was staged
  }

  /** The entries do not hash to root(C): a bad bundle, or C does not extend V (evidence). */
  async #mismatch(c: Checkpoint, note: string): Promise<void> {
    const v = this.#state.checkpoint;
    const need = tilesForTreeProof(c.treeSize, v.treeSize);
    const data = await Promise.all(need.map((t) => this.#read(`log/${tilePath(t)}`)));
    const reader = tileHashReader(c.treeSize, c.rootHash, need, data); // ROOT_MISMATCH: bad tiles
    const proof = proveTree(c.treeSize, v.treeSize, reader);
    if (!checkTree(proof, c.treeSize, c.rootHash, v.treeSize, v.rootHash)) {
      await this.#lied(note, 'a newer checkpoint does not extend an older one', proof);
      return;
    }
    throw new UndersignedError(
      'ROOT_MISMATCH',
      `${this.#o.meta.origin}: the entry bundles served do not hash to its checkpoint`
    );
  }

  /** The proof that the tree of size `oldSize` is a prefix of our verified tree. */
  async #proveFromOwnTiles(oldSize: number): Promise<Uint8Array[]> {
    const v = this.#state.checkpoint;
    const need = tilesForTreeProof(v.treeSize, oldSize);
    const data = await Promise.all(need.map((t) => this.#o.store.tiles.read(t)));
    return proveTree(v.treeSize, oldSize, tileHashReader(v.treeSize, v.rootHash, need, data));
  }

  async #lied(note: string, reason: string, proof: readonly Uint8Array[]): Promise<void> {
    const { evidence, meta } = this.#o;
    const verified = this.#state.note;
    if (verified === undefined) throw new Error('bug: evidence against nothing verified');
    await evidence.record({
      origin: meta.origin,
      checkpoints: [verified, note],
      reason,
      proof: proof.map((h) => toBase64(h)),
    });
    this.#o.onError(new UndersignedError('INCONSISTENT_CHECKPOINTS', `${meta.origin}: ${reason}`));
  }

  /** Cosigns the verified checkpoint (§6.4) and publishes it. */
  #cosign(): void {
    const note = this.#state.note;
    if (note === undefined) return;
    const parsed = parseNote(note);
    const line = this.#o.witness.cosign(parsed.text, this.#o.now());
    const own = parsed.signatures.filter((s) => s.name !== line.name);
    this.#cosigned = formatNote({ text: parsed.text, signatures: [...own, line] });
    this.#o.publishCosigned(this.#cosigned);
  }

  #read(path: string): Promise<Uint8Array> {
    return readFromAny(this.#o.urls(), path, this.#o.signal);
  }
}
