// The node's verification pool: libsodium (libsodium.ts) on worker threads (worker.ts), one per
// core, so that signatures leave the thread that serves HTTP and sequences the log. It is an
// Ed25519BatchVerifier (core/ed25519-batch.ts) and a BundleChecker (core/bundle-check.ts): a
// followed log's entry bundles are checked whole on a worker (decode, leaf hashes, entry checks,
// signatures), as the page's workers do, so that catching up leaves little for this thread.
// Where the addon has no binary, core's WebCrypto verifier is used instead, on this thread.
//
// Single verify() calls (one per HTTP submission) are not sent one by one: those made in one
// turn of the event loop go together, as one message, at the next setImmediate. verifyMany()
// sends slices of at most SLICE signatures, and each request goes to the worker with the fewest
// signatures or entries outstanding. A worker that dies has its requests done on this thread.
// Workers are unref'd while idle, so an idle pool never keeps a process alive: one pool serves
// the whole process (nodeEd25519), and needs no closing.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  createEd25519Verifier,
  type Ed25519BatchVerifier,
  type SignedMessage,
  untilAborted,
} from '../../core/ed25519-batch.ts';
import { bundleChecker, type BundleCheck, type BundleChecker } from '../../core/bundle-check.ts';
import { readBundleCheckAnswer, type BundleCheckAnswer } from '../../core/bundle-result.ts';
import { packSignatures, unpackVerdicts } from '../../core/signature-pack.ts';
import { PUBLIC_KEY_SIZE, SIGNATURE_SIZE } from '../../core/ed25519.ts';
import { hasLibsodium, libsodiumVerifier, verifyWithLibsodium } from './libsodium.ts';
import type { WorkerRequest } from './worker.ts';

/** Signatures per message to a worker: enough to make the message cost nothing per signature. */
const SLICE = 256;
const WORKER = new URL('./worker.ts', import.meta.url);

/** The node's verifier: signatures, and whole entry bundles. */
export type NodeVerifier = Ed25519BatchVerifier & {
  /** Checks an entry bundle on a worker (core/bundle-check.ts); `bytes` are left as they are. */
  readonly checkBundle: BundleChecker;
};

export type NodeEd25519Verifier = NodeVerifier & {
  /** Stops the worker threads; calls still pending reject. */
  close(): Promise<void>;
};

export type NodeEd25519VerifierOptions = {
  /** Worker threads (default: one per core). */
  readonly workers?: number;
  /** Told when a worker fails (its signatures are then verified on the calling thread). */
  readonly onError?: (error: unknown) => void;
};

/** A worker's answer (worker.ts). */
type Answer = { readonly id: number; readonly verdicts: ArrayBuffer } | BundleCheckAnswer;
/** A request sent to a worker: its weight (signatures or entries), and how it ends. */
type Job = { weight: number; settle: (answer: Answer) => void; redo: () => void };
type Lane = { worker: Worker; jobs: Map<number, Job>; outstanding: number; online: boolean };
type Waiting = { item: SignedMessage; resolve: (ok: boolean) => void; reject: (e: Error) => void };

let shared: NodeEd25519Verifier | undefined;

/** The process's verifier: made on first use, shared by every caller, never closed. */
export function nodeEd25519(): NodeVerifier {
  return (shared ??= createNodeEd25519Verifier());
}

/** libsodium on worker threads where it loads, else core's verifier (WebCrypto). */
export function createNodeEd25519Verifier(
  options: NodeEd25519VerifierOptions = {}
): NodeEd25519Verifier {
  if (!hasLibsodium()) {
    const verifier = createEd25519Verifier();
    return { ...verifier, checkBundle: bundleChecker(verifier), close: () => Promise.resolve() };
  }
  const { onError } = options;
  const size = options.workers ?? availableParallelism();
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError('"workers" expected >= 1');
  let nextId = 1;
  let closed = false;
  const lanes: Lane[] = [];
  for (let i = 0; i < size; i++) lanes.push(spawnLane());
  let waiting: Waiting[] = [];

  function spawnLane(): Lane {
    // The worker runs worker.ts alone: none of this process's flags (--input-type, say).
    const worker = new Worker(WORKER, { execArgv: [] });
    const lane: Lane = { worker, jobs: new Map(), outstanding: 0, online: false };
    worker.on('online', () => {
      lane.online = true;
    });
    worker.on('message', (answer: Answer) => {
      const job = lane.jobs.get(answer.id);
      if (job === undefined) return;
      lane.jobs.delete(answer.id);
      lane.outstanding -= job.weight;
      if (lane.jobs.size === 0) worker.unref();
      job.settle(answer);
    });
    worker.on('error', (error: Error) => {
      onError?.(new Error(`signature worker failed: ${error.message}`, { cause: error }));
      failLane(lane);
    });
    worker.on('exit', () => {
      failLane(lane);
    });
    worker.unref(); // after the listeners: adding a 'message' listener refs the worker again
    return lane;
  }

  /**
   * A worker died: its jobs are verified here instead, and it is replaced if it had been
   * running (one that could not start would fail again: then the lane is dropped, and with no
   * lane left, signatures are verified on the calling thread).
   */
  function failLane(lane: Lane): void {
    const i = lanes.indexOf(lane);
    if (i < 0) return;
    lanes.splice(i, 1);
    for (const job of lane.jobs.values()) job.redo();
    lane.jobs.clear();
    if (!closed && lane.online) lanes.push(spawnLane());
  }

  /** Sends a request to the worker with the least outstanding, or returns false if none is left. */
  function post(request: WorkerRequest, job: Job, transfer: ArrayBuffer[]): boolean {
    if (lanes.length === 0) return false;
    const lane = lanes.reduce((a, b) => (b.outstanding < a.outstanding ? b : a));
    lane.jobs.set(request.id, job);
    lane.outstanding += job.weight;
    lane.worker.ref();
    lane.worker.postMessage(request, transfer);
    return true;
  }

  /**
   * Verdicts for items: a key or signature of the wrong size is false at once, a message too long
   * to pack (none is, in a log) is verified on this thread, the rest on a worker.
   */
  function send(items: readonly SignedMessage[]): Promise<boolean[]> {
    if (closed) return Promise.reject(new Error('the signature verifier is closed'));
    const sized = items.filter(wellSized);
    const answer = new Promise<boolean[]>((resolve) => {
      const redo = (): void => {
        resolve(sized.map(verifyHere));
      };
      const settle = (a: Answer): void => {
        if ('verdicts' in a) resolve(unpackVerdicts(a.verdicts));
        else redo(); // not an answer to this request: a bug, but the verdicts can still be had
      };
      if (sized.length === 0) resolve([]);
      else {
        const packed = packSignatures(sized);
        const request = { id: nextId++, packed };
        if (!post(request, { weight: sized.length, settle, redo }, [packed])) redo();
      }
    });
    if (sized.length === items.length) return answer;
    return answer.then((verdicts) => {
      let next = 0;
      return items.map((item) => (wellSized(item) ? verdicts[next++] === true : verifyHere(item)));
    });
  }

  const checkHere = bundleChecker(libsodiumVerifier());

  /** checkEntryBundle on a worker; on this thread if none is left or the worker dies. */
  const checkBundle: BundleChecker = (bytes, bundle, context) => {
    if (closed) return Promise.reject(new Error('the signature verifier is closed'));
    const { letterId, stampBits, signal } = context;
    const copy = bytes.slice(); // transferred; `bytes` stays here in case the worker dies
    const check = new Promise<BundleCheck>((resolve, reject) => {
      const redo = (): void => {
        checkHere(bytes, bundle, { letterId, stampBits }).then(resolve, reject);
      };
      const settle = (a: Answer): void => {
        if (!('check' in a || 'error' in a)) {
          redo(); // not an answer to this request: a bug, but the check can still be had
          return;
        }
        try {
          resolve(readBundleCheckAnswer(a, bundle));
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      };
      const request = { id: nextId++, bundle, bytes: copy.buffer, letterId, stampBits };
      if (!post(request, { weight: bundle.width, settle, redo }, [copy.buffer])) redo();
    });
    check.catch(() => undefined); // when aborted, the answer is dropped
    return untilAborted(check, signal);
  };

  function flush(): void {
    const batch = waiting;
    waiting = [];
    for (let at = 0; at < batch.length; at += SLICE) {
      const slice = batch.slice(at, at + SLICE);
      send(slice.map((w) => w.item)).then(
        (verdicts) => {
          slice.forEach((w, i) => {
            w.resolve(verdicts[i] === true);
          });
        },
        (error: unknown) => {
          for (const w of slice) w.reject(error as Error);
        }
      );
    }
  }

  return {
    backend: () => Promise.resolve('libsodium'),
    verify(publicKey, message, signature) {
      return new Promise((resolve, reject) => {
        if (waiting.length === 0) setImmediate(flush);
        waiting.push({ item: { publicKey, message, signature }, resolve, reject });
      });
    },
    async verifyMany(items, { signal } = {}) {
      signal?.throwIfAborted();
      const slices: Promise<boolean[]>[] = [];
      for (let at = 0; at < items.length; at += SLICE) {
        slices.push(send(items.slice(at, at + SLICE)));
      }
      const all = Promise.all(slices);
      all.catch(() => undefined); // when aborted, the answers are dropped
      const verdicts = await untilAborted(all, signal);
      return verdicts.flat();
    },
    checkBundle,
    async close() {
      closed = true;
      await Promise.all([...lanes].map((lane) => lane.worker.terminate()));
    },
  };
}

function wellSized(item: SignedMessage): boolean {
  return (
    item.publicKey.length === PUBLIC_KEY_SIZE &&
    item.signature.length === SIGNATURE_SIZE &&
    item.message.length <= 0xffff
  );
}

function verifyHere({ publicKey, message, signature }: SignedMessage): boolean {
  return verifyWithLibsodium(publicKey, message, signature);
}
