// The sequencer of a mirror's log (docs/PROTOCOL.md §8.3): it admits submissions, collects them,
// and every `batchMs` appends the batch in a shuffled order (log.ts), then answers each waiting
// submitter with a receipt (§9). Zero merge delay, as in Sunlight: a submitter hears "accepted"
// only once the entry is in a signed, published checkpoint.
//
// Admission, in order: the checks of §5 but the signature (format, letter, key, stamp); the dedup
// rule (entry-index.ts); the signature, verified on worker threads (node/ed25519/verifier.ts);
// the dedup rule again, since another submission may have come in meanwhile.
//
// Policy: the order within a batch is a uniform shuffle by node:crypto, so that a log's order
// tells nothing about who submitted first within a second. Nothing about a submission is kept
// but the entry: no time, no address.

import { randomInt } from 'node:crypto';
import { UndersignedError } from '../../core/errors.ts';
import { equalBytes } from '../../core/bytes.ts';
import type { Ed25519BatchVerifier } from '../../core/ed25519-batch.ts';
import { nodeEd25519 } from '../ed25519/verifier.ts';
import { entrySigningMessage, type Entry } from '../../core/entry.ts';
import { checkEntry } from '../../core/entry-check.ts';
import { letterId, type Letter } from '../../core/letter.ts';
import { recordHash } from '../../core/merkle.ts';
import type { EntryIndex } from './entry-index.ts';
import type { Log } from './log.ts';
import {
  PendingSet,
  waitFor,
  type Accepted,
  type CheckedEntry,
  type KeyAndKind,
  type Pending,
} from './pending.ts';
import { logReceipts } from './receipts.ts';

export type { Accepted, CheckedEntry } from './pending.ts';

export type SequencerOptions = {
  readonly log: Log;
  readonly index: EntryIndex;
  readonly letter: Letter;
  /** The batch period in milliseconds (default 1000). */
  readonly batchMs?: number;
  /** Submissions waiting for a batch beyond which new ones are refused, UNAVAILABLE (default 50,000). */
  readonly maxPending?: number;
  readonly ed25519?: Ed25519BatchVerifier;
  /** Told about a batch that failed to be written (its submitters get UNAVAILABLE). */
  readonly onError?: (error: unknown) => void;
  /** Told after each batch is written: its size, how many wanted no receipt (node/metrics/). */
  readonly onBatch?: (batch: { entries: number; replicated: number }) => void;
};

type Lookup =
  | { readonly kind: 'none' | 'other' }
  | { readonly kind: 'same'; readonly result: Promise<Accepted> };

/** Collects submissions and writes them to the log in batches. */
export class Sequencer {
  readonly #options: SequencerOptions;
  readonly #letterId: Uint8Array;
  readonly #ed25519: Ed25519BatchVerifier;
  readonly #pending = new PendingSet();
  #state: 'new' | 'running' | 'stopping' | 'stopped' | 'failed' = 'new';
  #loop: Promise<void> = Promise.resolve();
  /** The receipts of written batches still being made (#answer never rejects). */
  #answering: Promise<void> = Promise.resolve();
  #wake: () => void = () => undefined;
  /** submitChecked calls waiting for the queue to shrink below maxPending. */
  #roomWaiters: (() => void)[] = [];

  constructor(options: SequencerOptions) {
    this.#options = options;
    this.#letterId = letterId(options.letter);
    this.#ed25519 = options.ed25519 ?? nodeEd25519();
  }

  /** Starts sequencing batches. */
  start(): void {
    if (this.#state !== 'new') throw new Error(`bug: start while ${this.#state}`);
    this.#state = 'running';
    this.#loop = this.#run();
  }

  /**
   * Resolves when sequencing ends: after stop(), or when the log can no longer be written (a
   * failed batch whose recovery failed too). Then `failed` tells which.
   */
  ended(): Promise<void> {
    return this.#loop;
  }

  /** Whether the log could no longer be written: every submission is refused, UNAVAILABLE. */
  get failed(): boolean {
    return this.#state === 'failed';
  }

  /** Stops taking submissions, writes what is queued as a last batch, and resolves after it. */
  async stop(): Promise<void> {
    if (this.#state === 'running') this.#state = 'stopping';
    this.#wake();
    await this.#loop;
    if (this.#state !== 'failed') this.#state = 'stopped';
  }

  /**
   * Submits an entry and resolves with its receipt once it is in a signed checkpoint; an entry
   * already in the log resolves at once with a receipt for the last checkpoint. With
   * `receipt: false` (replication, node/follow/) the answer's receipt is "" and no inclusion
   * proof is made for it. Rejects with a
   * §5 reject code, DUPLICATE_KEY, or UNAVAILABLE (retry later). The signal only stops the
   * waiting: an admitted entry is appended all the same.
   */
  async submit(
    bytes: Uint8Array,
    options: { signal?: AbortSignal; receipt?: boolean } = {}
  ): Promise<Accepted> {
    this.#checkRunning();
    const wantsReceipt = options.receipt ?? true;
    const verdict = checkEntry(bytes, this.#letterId, this.#options.letter.stampBits);
    if (!verdict.ok) throw new UndersignedError(verdict.code, verdict.reason);
    const { entry } = verdict;
    const leafHash = recordHash(bytes);
    const first = await this.#lookup(entry, bytes, leafHash, wantsReceipt);
    if (first.kind === 'same') return waitFor(first.result, options.signal);
    const { publicKey, body, signature } = entry;
    if (!(await this.#ed25519.verify(publicKey, entrySigningMessage(body), signature))) {
      throw new UndersignedError('BAD_ENTRY_SIGNATURE', 'entry signature does not verify');
    }
    if (first.kind === 'other') throw duplicate(entry);
    // Look again: another submission may have come in while the signature was verified. When
    // there is none, #lookup says so synchronously, and nothing awaits from there to the queue,
    // so no other submission can slip in between.
    let found = this.#lookup(entry, bytes, leafHash, wantsReceipt);
    if (found instanceof Promise) found = await found;
    if (found.kind === 'same') return waitFor(found.result, options.signal);
    if (found.kind === 'other') throw duplicate(entry);
    this.#checkRunning();
    if (this.#pending.size >= (this.#options.maxPending ?? 50_000)) {
      throw new UndersignedError('UNAVAILABLE', 'the node is busy: retry later');
    }
    const checked = { publicKey, kind: entry.kind, bytes: bytes.slice(), leafHash };
    return waitFor(this.#pending.add(checked, wantsReceipt).result, options.signal);
  }

  /**
   * Submits entries that passed every check already (a followed log's, checked on a worker:
   * node/ed25519/verifier.ts), without receipts; the entries' bytes are kept as given, not
   * copied (views into an entry bundle, say). Duplicates and entries already held are
   * skipped. A full queue (maxPending) is waited out, not refused: followers have nobody to
   * retry for them. Resolves once every admitted entry is in a signed checkpoint (or was
   * refused, UNAVAILABLE, by a failed batch); rejects UNAVAILABLE if the sequencer stops.
   */
  async submitChecked(entries: readonly CheckedEntry[]): Promise<void> {
    this.#checkRunning();
    const waits: Promise<Accepted>[] = [];
    let last: Pending | undefined;
    for (const entry of entries) {
      while (this.#pending.size >= (this.#options.maxPending ?? 50_000)) {
        await new Promise<void>((resolve) => this.#roomWaiters.push(resolve));
        this.#checkRunning();
      }
      // As in submit(): from a 'none' lookup to the queue nothing awaits.
      let found = this.#lookup(entry, entry.bytes, entry.leafHash, false);
      if (found instanceof Promise) found = await found;
      if (found.kind === 'same') waits.push(found.result);
      if (found.kind !== 'none') continue;
      this.#checkRunning();
      last = this.#pending.add(entry, false);
    }
    // Batches take the queue in order: once the last entry queued here is written (or refused),
    // so is every one queued before it.
    if (last !== undefined) waits.push(last.result);
    await Promise.allSettled(waits);
  }

  /**
   * Whether the log or the queue holds an entry of the same key and kind: the same entry (then
   * its answer), another one, or none. Synchronous unless the log holds one.
   */
  #lookup(
    entry: KeyAndKind,
    bytes: Uint8Array,
    leafHash: Uint8Array,
    wantsReceipt: boolean
  ): Lookup | Promise<Lookup> {
    const logged = this.#options.index.get(entry.publicKey, entry.kind);
    if (logged !== undefined) {
      return this.#options.log.leafHash(logged).then((hash): Lookup => {
        if (!equalBytes(hash, leafHash)) return { kind: 'other' };
        if (!wantsReceipt)
          return { kind: 'same', result: Promise.resolve({ index: logged, receipt: '' }) };
        const result = logReceipts(this.#options.log, [{ index: logged, entry: bytes }]).then(
          ([accepted]) => accepted as Accepted
        );
        result.catch(() => undefined); // awaited by the caller, maybe after a signature check
        return { kind: 'same', result };
      });
    }
    const pending = this.#pending.get(entry);
    if (pending === undefined) return { kind: 'none' };
    if (!equalBytes(pending.leafHash, leafHash)) return { kind: 'other' };
    if (wantsReceipt) pending.wantsReceipt = true;
    return { kind: 'same', result: pending.result };
  }

  /** One batch every period, counted from the start of the last; the last batch on stop. */
  async #run(): Promise<void> {
    const period = this.#options.batchMs ?? 1000;
    let next = performance.now() + period;
    try {
      while (this.#state === 'running') {
        await this.#sleep(next - performance.now());
        next = performance.now() + period;
        if (this.#pending.queued > 0) await this.#sequence();
      }
      if (this.#state === 'stopping' && this.#pending.queued > 0) await this.#sequence();
    } catch (error) {
      this.#options.onError?.(error); // a bug: stop sequencing rather than guess
      this.#state = 'failed';
    } finally {
      // Whatever is still queued will not be written: its submitters may retry elsewhere or later.
      this.#pending.refuse(
        this.#pending.takeQueue(),
        () => new UndersignedError('UNAVAILABLE', 'the node stopped: retry')
      );
      this.#wakeRoomWaiters(); // they find the sequencer stopped
      await this.#answering; // what was written is answered before the log may be closed
    }
  }

  /** Appends the queue as one shuffled batch and answers its submitters. */
  async #sequence(): Promise<void> {
    const batch = this.#pending.takeQueue();
    shuffle(batch);
    const { log, index } = this.#options;
    const sizeBefore = log.treeSize;
    let start = sizeBefore;
    try {
      ({ start } = await log.append(
        batch.map((p) => p.bytes),
        { leafHashes: batch.map((p) => p.leafHash) }
      ));
    } catch (error) {
      this.#options.onError?.(error);
      if (!(await this.#recover()) || log.treeSize !== sizeBefore + batch.length) {
        this.#pending.refuse(
          batch,
          () => new UndersignedError('UNAVAILABLE', 'the batch could not be written: retry')
        );
        this.#wakeRoomWaiters();
        return;
      }
      // The batch was committed before the failure, and recovery published it.
    }
    batch.forEach((p, i) => {
      index.add(p.publicKey, p.kind, start + i);
    });
    this.#pending.release(batch);
    this.#wakeRoomWaiters();
    const replicated = batch.reduce((n, p) => (p.wantsReceipt ? n : n + 1), 0);
    this.#options.onBatch?.({ entries: batch.length, replicated });
    const wanted = batch.flatMap((p, i) => (p.wantsReceipt ? [{ p, index: start + i }] : []));
    batch.forEach((p, i) => {
      if (!p.wantsReceipt) p.resolve({ index: start + i, receipt: '' });
    });
    if (wanted.length === 0) return;
    // The receipts are made while the next batch is written: the batch cycle is bound by fsync
    // latency, and proofs against this checkpoint (or a later one) stay valid meanwhile. One
    // batch's receipts at a time, so that a slow disk cannot pile them up.
    const previous = this.#answering;
    this.#answering = previous.then(() => this.#answer(wanted));
  }

  /** Answers the submitters of a written batch with their receipts. */
  async #answer(wanted: readonly { p: Pending; index: number }[]): Promise<void> {
    try {
      const items = wanted.map(({ p, index }) => ({ index, entry: p.bytes }));
      const receipts = await logReceipts(this.#options.log, items);
      wanted.forEach(({ p }, i) => {
        p.resolve(receipts[i] as Accepted);
      });
    } catch (error) {
      this.#options.onError?.(error);
      const why = 'the receipt could not be made: retry';
      for (const { p } of wanted) p.reject(new UndersignedError('UNAVAILABLE', why));
    }
  }

  /** Lets submitChecked calls waiting for room look again (the queue shrank, or stopped). */
  #wakeRoomWaiters(): void {
    for (const wake of this.#roomWaiters.splice(0)) wake();
  }

  async #recover(): Promise<boolean> {
    try {
      await this.#options.log.recover();
      return true;
    } catch (error) {
      this.#options.onError?.(error);
      this.#state = 'failed';
      return false;
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, ms));
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  #checkRunning(): void {
    if (this.#state === 'running') return;
    const why = this.#state === 'failed' ? 'the log cannot be written' : 'the node is not running';
    throw new UndersignedError('UNAVAILABLE', `${why}: retry later`);
  }
}

/** Fisher–Yates with node:crypto's uniform randomInt. */
function shuffle(items: unknown[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
}

function duplicate(entry: Entry): UndersignedError {
  return new UndersignedError(
    'DUPLICATE_KEY',
    `this key already has another ${entry.kind} entry in the log`
  );
}
