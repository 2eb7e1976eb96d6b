// A Web Worker that checks entry bundles and verifies Ed25519 signatures (docs/PROTOCOL.md §4,
// §7) for the page's pool (lib/worker-pool.ts), with core's code: checkEntryBundle
// (core/bundle-check.ts) and the signature backend that uses WebCrypto where it verifies Ed25519
// correctly, the pure path otherwise. Chromium runs WebCrypto on the calling thread
// (reference/perf.md), so the page runs one of these per core. The messages and answers are in
// lib/worker-answer.ts; buffers are transferred both ways.

import { createEd25519Verifier } from '../../core/ed25519-batch.ts';
import { answerRequest } from '../lib/worker-answer.ts';
import type { WorkerRequest, WorkerScope } from '../lib/worker-pool.ts';

const scope = globalThis as unknown as WorkerScope;
const ed25519 = createEd25519Verifier();

scope.onmessage = (event: MessageEvent<WorkerRequest>) => {
  void answerRequest(event.data, ed25519).then(({ answer, transfer }) => {
    scope.postMessage(answer, transfer);
  });
};
