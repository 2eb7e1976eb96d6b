// The node's Ed25519BatchVerifier (core/ed25519-batch.ts): libsodium (libsodium.ts) on a pool of
// worker threads, one per core, so that signatures leave the thread that serves HTTP and
// sequences the log. Where the addon has no binary, core's WebCrypto verifier is used instead.
//
// Single verify() calls (one per HTTP submission) are not sent one by one: those made in one
// turn of the event loop go together, as one message, at the next setImmediate. verifyMany()
// sends slices of at most SLICE signatures, each to the worker with the fewest outstanding.
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
import { packSignatures, unpackVerdicts } from '../../core/signature-pack.ts';
import { PUBLIC_KEY_SIZE, SIGNATURE_SIZE } from '../../core/ed25519.ts';
import { hasLibsodium, verifyWithLibsodium } from './libsodium.ts';

/** Signatures per message to a worker: enough to make the message cost nothing per signature. */
const SLICE = 256;
const WORKER = new URL('./worker.ts', import.meta.url);

export type NodeEd25519Verifier = Ed25519BatchVerifier & {
  /** Stops the worker threads; calls still pending reject. */
  close(): Promise<void>;
};

export type NodeEd25519VerifierOptions = {
  /** Worker threads (default: one per core). */
  readonly workers?: number;
  /** Told when a worker fails (its signatures are then verified on the calling thread). */
  readonly onError?: (error: unknown) => void;
};

type Job = { resolve: (verdicts: boolean[]) => void; items: readonly SignedMessage[] };
type Lane = { worker: Worker; jobs: Map<number, Job>; outstanding: number; online: boolean };
type Waiting = { item: SignedMessage; resolve: (ok: boolean) => void; reject: (e: Error) => void };

let shared: NodeEd25519Verifier | undefined;

/** The process's verifier: made on first use, shared by every caller, never closed. */
export function nodeEd25519(): Ed25519BatchVerifier {
  return (shared ??= createNodeEd25519Verifier());
}

/** libsodium on worker threads where it loads, else core's verifier (WebCrypto). */
export function createNodeEd25519Verifier(
  options: NodeEd25519VerifierOptions = {}
): NodeEd25519Verifier {
  if (!hasLibsodium()) {
    return Object.assign(createEd25519Verifier(), { close: () => Promise.resolve() });
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
    worker.on('message', ({ id, verdicts }: { id: number; verdicts: ArrayBuffer }) => {
      const job = lane.jobs.get(id);
      if (job === undefined) return;
      lane.jobs.delete(id);
      lane.outstanding -= job.items.length;
      if (lane.jobs.size === 0) worker.unref();
      job.resolve(unpackVerdicts(verdicts));
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
    for (const job of lane.jobs.values()) job.resolve(job.items.map(verifyHere));
    lane.jobs.clear();
    if (!closed && lane.online) lanes.push(spawnLane());
  }

  /**
   * Verdicts for items: a key or signature of the wrong size is false at once, a message too long
   * to pack (none is, in a log) is verified on this thread, the rest on a worker.
   */
  function send(items: readonly SignedMessage[]): Promise<boolean[]> {
    if (closed) return Promise.reject(new Error('the signature verifier is closed'));
    if (lanes.length === 0) return Promise.resolve(items.map(verifyHere));
    const sized = items.filter(wellSized);
    const lane = lanes.reduce((a, b) => (b.outstanding < a.outstanding ? b : a));
    const id = nextId++;
    const packed = packSignatures(sized);
    const answer = new Promise<boolean[]>((resolve) => {
      if (sized.length === 0) {
        resolve([]);
        return;
      }
      lane.jobs.set(id, { resolve, items: sized });
      lane.outstanding += sized.length;
      lane.worker.ref();
      lane.worker.postMessage({ id, packed }, [packed]);
    });
    if (sized.length === items.length) return answer;
    return answer.then((verdicts) => {
      let next = 0;
      return items.map((item) => (wellSized(item) ? verdicts[next++] === true : verifyHere(item)));
    });
  }

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
