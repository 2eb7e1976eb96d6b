// Making a sign or withdraw entry without blocking the page: the stamp search and the signature
// run in a worker (web/workers/entry-worker.ts); the page shows the expected work as progress.

import type { EntryKind } from '../../core/entry.ts';
import { expectedStampTries } from '../../core/stamp.ts';
import type { SignerKey } from './keys.ts';

/** What the entry worker is asked to make. */
export type EntryJob = {
  readonly letterFile: Uint8Array;
  readonly key: SignerKey;
  readonly kind: EntryKind;
  readonly name: string;
  readonly affiliation: string;
};

type EntryWorkerAnswer = { tries: number } | { entry: Uint8Array } | { error: string };

/** The part of a Worker this module uses. */
export type EntryWorkerLike = {
  onmessage: ((event: MessageEvent<EntryWorkerAnswer>) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  postMessage(job: EntryJob): void;
  terminate(): void;
};

export type MakeEntryOptions = {
  /** Called with the fraction of the expected stamp work done (it can pass 1: work is random). */
  readonly onProgress?: (fraction: number) => void;
  readonly signal?: AbortSignal;
  readonly spawn?: () => EntryWorkerLike;
};

/** Makes an entry in a worker. Rejects with `signal.reason` when aborted. */
export function makeEntry(
  job: EntryJob,
  stampBits: number,
  options: MakeEntryOptions = {}
): Promise<Uint8Array> {
  const { signal } = options;
  signal?.throwIfAborted();
  const spawn = options.spawn ?? defaultSpawn;
  const worker = spawn();
  const expected = expectedStampTries(stampBits);
  return new Promise<Uint8Array>((resolve, reject) => {
    const stop = (): void => {
      worker.terminate();
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      stop();
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.onmessage = (event) => {
      const answer = event.data;
      if ('tries' in answer) {
        options.onProgress?.(Math.min(1, answer.tries / expected));
        return;
      }
      stop();
      if ('entry' in answer) resolve(answer.entry);
      else reject(new Error(answer.error));
    };
    worker.onerror = (event) => {
      stop();
      reject(new Error(`the signing worker failed: ${event.message}`));
    };
    worker.postMessage(job);
  });
}

function defaultSpawn(): EntryWorkerLike {
  return new Worker(new URL('../workers/entry-worker.ts', import.meta.url), {
    type: 'module',
  });
}
