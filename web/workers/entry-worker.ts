// A Web Worker that makes one entry (docs/PROTOCOL.md §3): it searches the proof-of-work stamp
// (§3.4), which takes 2^stampBits hashes on average, off the page's thread, reporting progress,
// then signs with the signer's WebCrypto key (structured-cloned in, never exported).
// Cancelling is terminating the worker.

import { parseLetter } from '../../core/letter.ts';
import { createEntry } from '../../core/signer.ts';
import { entrySigner } from '../lib/keys.ts';
import type { EntryJob } from '../lib/make-entry.ts';
import type { WorkerScope } from '../lib/worker-pool.ts';

const scope = globalThis as unknown as WorkerScope;

scope.onmessage = (event: MessageEvent<EntryJob>) => {
  const job = event.data;
  const make = async (): Promise<void> => {
    const entry = await createEntry(parseLetter(job.letterFile), entrySigner(job.key), {
      kind: job.kind,
      name: job.name,
      affiliation: job.affiliation,
      onProgress: (tries) => {
        scope.postMessage({ tries }, []);
      },
    });
    scope.postMessage({ entry }, [entry.buffer]);
  };
  make().catch((e: unknown) => {
    scope.postMessage({ error: e instanceof Error ? e.message : String(e) }, []);
  });
};
