// A Web Worker that verifies Ed25519 signatures (docs/PROTOCOL.md §4) with core's verifier:
// WebCrypto where it verifies Ed25519 correctly, the pure path otherwise. Chromium runs
// WebCrypto on the calling thread (reference/perf.md), so the page runs one of these per core
// (lib/worker-pool.ts). Messages: { id, buffer } in (lib/signature-batch.ts), { id, verdicts }
// or { id, error } out, buffers transferred both ways; { id, backend: true } asks the backend.

import { createEd25519Verifier } from '../../core/ed25519-batch.ts';
import { packVerdicts, unpackSignatures } from '../lib/signature-batch.ts';
import type { WorkerRequest, WorkerScope } from '../lib/worker-pool.ts';

const scope = globalThis as unknown as WorkerScope;
const ed25519 = createEd25519Verifier();

scope.onmessage = (event: MessageEvent<WorkerRequest>) => {
  const { id } = event.data;
  const answer = async (): Promise<void> => {
    if ('backend' in event.data) {
      scope.postMessage({ id, backend: await ed25519.backend() }, []);
      return;
    }
    const verdicts = packVerdicts(await ed25519.verifyMany(unpackSignatures(event.data.buffer)));
    scope.postMessage({ id, verdicts }, [verdicts]);
  };
  answer().catch((e: unknown) => {
    scope.postMessage({ id, error: e instanceof Error ? e.message : String(e) }, []);
  });
};
