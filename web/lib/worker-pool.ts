// An Ed25519BatchVerifier (core/ed25519-batch.ts) that spreads signatures over Web Workers, one
// per core (reference/perf.md: Chromium runs WebCrypto Ed25519 on the calling thread, so
// signatures in flight on one thread do not add parallelism; workers do).
//
// Each verifyMany call is cut into one slice per worker, and each slice goes to the worker with
// the fewest signatures outstanding, as one transferred buffer (lib/signature-batch.ts). The
// log verifier keeps two batches in flight (core/verifier.ts), so every worker always has the
// next slice queued while it verifies the current one.

import type {
  Ed25519Backend,
  Ed25519BatchVerifier,
  SignedMessage,
} from '../../core/ed25519-batch.ts';
import { packSignatures, unpackVerdicts } from './signature-batch.ts';

/** A message to a verification worker. */
export type WorkerRequest =
  | { readonly id: number; readonly buffer: ArrayBuffer }
  | { readonly id: number; readonly backend: true };

/** A message from a verification worker. */
export type WorkerAnswer =
  | { readonly id: number; readonly verdicts: ArrayBuffer }
  | { readonly id: number; readonly backend: Ed25519Backend }
  | { readonly id: number; readonly error: string };

/** The part of a worker's global scope the workers use. */
export type WorkerScope = {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown, transfer: Transferable[]): void;
};

/** The part of a Worker the pool uses (a fake one in tests). */
export type WorkerLike = {
  onmessage: ((event: MessageEvent<WorkerAnswer>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  postMessage(message: WorkerRequest, transfer: Transferable[]): void;
  terminate(): void;
};

export type WorkerPool = Ed25519BatchVerifier & {
  /** The number of workers. */
  readonly size: number;
  /** Stops every worker; pending calls reject. */
  close(): void;
};

type Pending = { resolve: (a: WorkerAnswer) => void; reject: (e: Error) => void; items: number };

/** A pool of `size` workers made by `spawn`. */
export function createWorkerPool(size: number, spawn: () => WorkerLike): WorkerPool {
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError('"size" expected >= 1');
  let nextId = 1;
  const lanes = Array.from({ length: size }, () => {
    const worker = spawn();
    const pending = new Map<number, Pending>();
    const lane = { worker, pending, outstanding: 0 };
    worker.onmessage = (event) => {
      const job = pending.get(event.data.id);
      if (job === undefined) return; // an aborted call's answer
      pending.delete(event.data.id);
      lane.outstanding -= job.items;
      job.resolve(event.data);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      for (const job of pending.values())
        job.reject(new Error(`verification worker failed: ${event.message}`));
      pending.clear();
      lane.outstanding = 0;
    };
    return lane;
  });

  function ask(
    request: (id: number) => WorkerRequest,
    items: number,
    transfer: Transferable[],
    signal?: AbortSignal
  ): Promise<WorkerAnswer> {
    const lane = lanes.reduce((a, b) => (b.outstanding < a.outstanding ? b : a));
    const id = nextId++;
    return new Promise<WorkerAnswer>((resolve, reject) => {
      const onAbort = (): void => {
        if (lane.pending.delete(id)) lane.outstanding -= items;
        reject(signal?.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = (): void => signal?.removeEventListener('abort', onAbort);
      lane.pending.set(id, {
        items,
        resolve: (a) => {
          done();
          resolve(a);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      });
      lane.outstanding += items;
      lane.worker.postMessage(request(id), transfer);
    });
  }

  async function verifySlice(
    items: readonly SignedMessage[],
    signal?: AbortSignal
  ): Promise<boolean[]> {
    const buffer = packSignatures(items);
    const answer = await ask((id) => ({ id, buffer }), items.length, [buffer], signal);
    if ('error' in answer) throw new Error(`verification worker failed: ${answer.error}`);
    if (!('verdicts' in answer)) throw new Error('bug: a worker answered the wrong question');
    const verdicts = unpackVerdicts(answer.verdicts);
    if (verdicts.length !== items.length) throw new Error('bug: a worker lost verdicts');
    return verdicts;
  }

  const pool: WorkerPool = {
    size,
    async backend() {
      const answer = await ask((id) => ({ id, backend: true }), 0, []);
      if (!('backend' in answer)) throw new Error('verification worker failed');
      return answer.backend;
    },
    async verify(publicKey, message, signature) {
      const [ok] = await verifySlice([{ publicKey, message, signature }]);
      return ok === true;
    },
    async verifyMany(items, { signal } = {}) {
      signal?.throwIfAborted();
      if (items.length === 0) return [];
      const per = Math.ceil(items.length / size);
      const slices: Promise<boolean[]>[] = [];
      for (let at = 0; at < items.length; at += per)
        slices.push(verifySlice(items.slice(at, at + per), signal));
      return (await Promise.all(slices)).flat();
    },
    close() {
      for (const lane of lanes) {
        lane.worker.terminate();
        for (const job of lane.pending.values())
          job.reject(new Error('the verification pool was closed'));
        lane.pending.clear();
      }
    },
  };
  return pool;
}

/** One worker per core (at least 1, at most 8), as the browser reports them. */
export function defaultPoolSize(hardwareConcurrency: number | undefined): number {
  return Math.min(8, Math.max(1, hardwareConcurrency ?? 2));
}

/** A pool of the app's verification workers (web/workers/verify-worker.ts). */
export function createVerifyPool(
  size = defaultPoolSize(globalThis.navigator.hardwareConcurrency)
): WorkerPool {
  return createWorkerPool(
    size,
    () =>
      new Worker(new URL('../workers/verify-worker.ts', import.meta.url), {
        type: 'module',
      })
  );
}
