// The submissions a sequencer holds between their admission and their batch (sequencer.ts): one
// per public key and kind, so that a second submission of the same entry joins the first and a
// different one by the same key is seen as a duplicate before it reaches the log.

import type { EntryKind } from '../../core/entry.ts';

/** The answer to an accepted submission: its index and its receipt (core/receipt.ts). */
export type Accepted = { readonly index: number; readonly receipt: string };

/** What the dedup rule reads of an entry: its key and kind. */
export type KeyAndKind = { readonly publicKey: Uint8Array; readonly kind: EntryKind };

/** An entry that passed every check of docs/PROTOCOL.md §5, signature included. */
export type CheckedEntry = KeyAndKind & {
  readonly bytes: Uint8Array;
  /** recordHash(bytes), RFC 6962 §2.1. */
  readonly leafHash: Uint8Array;
};

/**
 * An admitted submission waiting for its batch, and its submitters' answer. The answer's promise
 * is made only when someone asks for it: a followed log's entries come by the hundred thousand,
 * and nobody waits on most of them (Sequencer.submitChecked).
 */
export class Pending implements CheckedEntry {
  readonly key: string;
  readonly publicKey: Uint8Array;
  readonly kind: EntryKind;
  readonly bytes: Uint8Array;
  readonly leafHash: Uint8Array;
  /** Whether a submitter wants a receipt (replication does not: sequencer.ts). */
  wantsReceipt: boolean;
  #outcome: { readonly accepted: Accepted } | { readonly error: Error } | undefined;
  #promise: Promise<Accepted> | undefined;
  #settle: { resolve(a: Accepted): void; reject(e: Error): void } | undefined;

  constructor(entry: CheckedEntry, wantsReceipt: boolean) {
    this.key = keyOf(entry);
    this.publicKey = entry.publicKey;
    this.kind = entry.kind;
    this.bytes = entry.bytes;
    this.leafHash = entry.leafHash;
    this.wantsReceipt = wantsReceipt;
  }

  /** The answer, once the batch is written (or refused). */
  get result(): Promise<Accepted> {
    if (this.#promise !== undefined) return this.#promise;
    const outcome = this.#outcome;
    if (outcome === undefined) {
      this.#promise = new Promise<Accepted>((resolve, reject) => {
        this.#settle = { resolve, reject };
      });
    } else {
      this.#promise =
        'accepted' in outcome ? Promise.resolve(outcome.accepted) : Promise.reject(outcome.error);
    }
    this.#promise.catch(() => undefined); // its submitters may all have stopped waiting
    return this.#promise;
  }

  /** Answers the submitters: the entry is in a signed checkpoint. */
  resolve(accepted: Accepted): void {
    this.#outcome ??= { accepted };
    this.#settle?.resolve(accepted);
  }

  /** Answers the submitters with a refusal. */
  reject(error: Error): void {
    this.#outcome ??= { error };
    this.#settle?.reject(error);
  }
}

/** The admitted submissions: queued for the next batch, or in the batch being written. */
export class PendingSet {
  readonly #byKey = new Map<string, Pending>();
  #queue: Pending[] = [];

  /** Queued and being written. */
  get size(): number {
    return this.#byKey.size;
  }

  /** Queued for the next batch. */
  get queued(): number {
    return this.#queue.length;
  }

  /** The submission of the same key and kind as `entry`, if one is held. */
  get(entry: KeyAndKind): Pending | undefined {
    return this.#byKey.get(keyOf(entry));
  }

  /**
   * Holds a new submission and queues it; `entry.bytes` must be the caller's to give. The caller
   * checked that none of its key and kind is held.
   */
  add(entry: CheckedEntry, wantsReceipt = true): Pending {
    const pending = new Pending(entry, wantsReceipt);
    this.#byKey.set(pending.key, pending);
    this.#queue.push(pending);
    return pending;
  }

  /** Takes the queue as the next batch; its submissions stay held until released. */
  takeQueue(): Pending[] {
    const batch = this.#queue;
    this.#queue = [];
    return batch;
  }

  /** Stops holding `batch` (written to the log, or refused). */
  release(batch: readonly Pending[]): void {
    for (const p of batch) if (this.#byKey.get(p.key) === p) this.#byKey.delete(p.key);
  }

  /** Releases `batch` and answers its submitters with an error. */
  refuse(batch: readonly Pending[], error: () => Error): void {
    this.release(batch);
    for (const p of batch) p.reject(error());
  }
}

/** The kind's initial and the key's 32 bytes as characters: a short string to hash. */
function keyOf(entry: KeyAndKind): string {
  return (entry.kind === 'sign' ? 's' : 'w') + String.fromCharCode(...entry.publicKey);
}

/** `result`, or the signal's reason as soon as it aborts. */
export function waitFor<T>(result: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return result;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      reject(signal.reason as Error);
    };
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    result.then(resolve, reject).finally(() => {
      signal.removeEventListener('abort', onAbort);
    });
  });
}
