// The page's verification workers, one per core (reference/perf.md: Chromium runs WebCrypto
// Ed25519 on the calling thread, so signatures in flight on one thread do not add parallelism;
// workers do). The pool is two things:
//   - a BundleChecker (core/bundle-check.ts) for the log verifier (core/verifier.ts): each entry
//     bundle's bytes are transferred to a worker, which runs checkEntryBundle on them (decode,
//     leaf hashes, entry checks, signatures) and answers with one packed buffer
//     (core/bundle-result.ts). The page keeps only what spans bundles: the tree, the tally.
//     lib/log-verify.ts keeps BUNDLES_PER_WORKER bundles per worker in flight, so that every
//     worker has the next bundle queued while it checks the current one;
//   - an Ed25519BatchVerifier (core/ed25519-batch.ts): each verifyMany call is cut into one
//     slice per worker, sent as one transferred buffer (core/signature-pack.ts).
// Each request goes to the worker with the fewest entries or signatures outstanding. A worker's
// typed error (an UndersignedError: a malformed bundle) is rethrown here with its code.

import { UndersignedError, type ErrorCode } from '../../core/errors.ts';
import type {
  Ed25519Backend,
  Ed25519BatchVerifier,
  SignedMessage,
} from '../../core/ed25519-batch.ts';
import type { BundleChecker } from '../../core/bundle-check.ts';
import { ENTRY_BUNDLE_LEVEL } from '../../core/tiles.ts';
import { packSignatures, unpackVerdicts } from '../../core/signature-pack.ts';
import {
  readBundleCheckAnswer,
  type BundleCheckAnswer,
  type BundleCheckRequest,
} from '../../core/bundle-result.ts';

/** A message to a verification worker. */
export type WorkerRequest =
  | { readonly id: number; readonly buffer: ArrayBuffer }
  | { readonly id: number; readonly backend: true }
  | BundleCheckRequest;

/** A message from a verification worker. */
export type WorkerAnswer =
  | { readonly id: number; readonly verdicts: ArrayBuffer }
  | { readonly id: number; readonly backend: Ed25519Backend }
  | BundleCheckAnswer;

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
  /** Checks an entry bundle in a worker; takes `bytes` (their buffer is transferred if whole). */
  readonly checkBundle: BundleChecker;
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
    if ('error' in answer) throw workerError(answer);
    if (!('verdicts' in answer)) throw new Error('bug: a worker answered the wrong question');
    const verdicts = unpackVerdicts(answer.verdicts);
    if (verdicts.length !== items.length) throw new Error('bug: a worker lost verdicts');
    return verdicts;
  }

  const pool: WorkerPool = {
    size,
    async checkBundle(bytes, bundle, { letterId, stampBits, signal }) {
      signal?.throwIfAborted();
      const { index, width } = bundle;
      const buffer = ownBuffer(bytes);
      const answer = await ask(
        (id) => ({
          id,
          bundle: { level: ENTRY_BUNDLE_LEVEL, index, width },
          bytes: buffer,
          letterId,
          stampBits,
        }),
        width,
        [buffer],
        signal
      );
      if (!('check' in answer || 'error' in answer))
        throw new Error('bug: a worker answered the wrong question');
      return readBundleCheckAnswer(answer, bundle);
    },
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

/** A worker's error: typed if the worker threw an UndersignedError (a malformed bundle). */
function workerError(answer: { readonly error: string; readonly code?: ErrorCode }): Error {
  return answer.code === undefined
    ? new Error(`verification worker failed: ${answer.error}`)
    : new UndersignedError(answer.code, answer.error);
}

/** The buffer of `bytes` if they span all of it, to be transferred; else a copy. */
function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  const { buffer, byteOffset, byteLength } = bytes;
  if (buffer instanceof ArrayBuffer && byteOffset === 0 && byteLength === buffer.byteLength) {
    return buffer;
  }
  return bytes.slice().buffer;
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
