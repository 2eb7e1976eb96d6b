// In-process stand-ins for the page's verification workers (web/workers/verify-worker.ts): the
// same answers (web/lib/worker-answer.ts), asynchronously, without a thread.

import { createEd25519Verifier } from '../../core/ed25519-batch.ts';
import { unpackSignatures } from '../../core/signature-pack.ts';
import { answerRequest } from '../../web/lib/worker-answer.ts';
import type { WorkerAnswer, WorkerLike, WorkerRequest } from '../../web/lib/worker-pool.ts';

/** A fake worker; `log` gets the number of signatures or entries of each request. */
export function fakeWorker(log: number[] = []): WorkerLike {
  const ed25519 = createEd25519Verifier();
  const worker: WorkerLike = {
    onmessage: null,
    onerror: null,
    postMessage(message: WorkerRequest) {
      if ('buffer' in message) log.push(unpackSignatures(message.buffer).length);
      if ('bundle' in message) log.push(message.bundle.width);
      void answerRequest(message, ed25519).then(({ answer }) => {
        worker.onmessage?.({ data: answer } as MessageEvent<WorkerAnswer>);
      });
    },
    terminate() {},
  };
  return worker;
}
