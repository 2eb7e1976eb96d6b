// The submissions a sequencer holds between their admission and their batch (sequencer.ts): one
// per public key and kind, so that a second submission of the same entry joins the first and a
// different one by the same key is seen as a duplicate before it reaches the log.

import { toHex } from '../../core/bytes.ts';
import type { Entry } from '../../core/entry.ts';

/** The answer to an accepted submission: its index and its receipt (core/receipt.ts). */
export type Accepted = { readonly index: number; readonly receipt: string };

/** An admitted submission waiting for its batch, and its submitters' answer. */
export type Pending = {
  readonly key: string;
  readonly entry: Entry;
  readonly bytes: Uint8Array;
  readonly leafHash: Uint8Array;
  readonly result: Promise<Accepted>;
  /** Whether a submitter wants a receipt (replication does not: sequencer.ts). */
  wantsReceipt: boolean;
  resolve(accepted: Accepted): void;
  reject(error: unknown): void;
};

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
  get(entry: Entry): Pending | undefined {
    return this.#byKey.get(keyOf(entry));
  }

  /** Holds a new submission and queues it. The caller checked that none of its key and kind is held. */
  add(entry: Entry, bytes: Uint8Array, leafHash: Uint8Array, wantsReceipt = true): Pending {
    let resolve!: (accepted: Accepted) => void;
    let reject!: (error: unknown) => void;
    const result = new Promise<Accepted>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    result.catch(() => undefined); // its submitters may all have stopped waiting
    const pending = {
      key: keyOf(entry),
      entry,
      bytes,
      leafHash,
      result,
      wantsReceipt,
      resolve,
      reject,
    };
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
  refuse(batch: readonly Pending[], error: () => unknown): void {
    this.release(batch);
    for (const p of batch) p.reject(error());
  }
}

function keyOf(entry: Entry): string {
  return `${entry.kind}:${toHex(entry.publicKey)}`;
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
