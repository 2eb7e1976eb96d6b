// What a verification worker (web/workers/verify-worker.ts) answers to each request of the pool
// (lib/worker-pool.ts), apart from the worker's wiring so that tests run it in-process:
//   { id, bundle, bytes, letterId, stampBits } → { id, check }: checkEntryBundle
//     (core/bundle-check.ts) on the transferred bytes, packed (lib/bundle-result.ts);
//   { id, buffer } → { id, verdicts }: the signatures of core/signature-pack.ts;
//   { id, backend: true } → { id, backend };
// and { id, error, code? } when a request fails, code being an UndersignedError's (a malformed
// bundle), so that the page rethrows it typed.

import type { Ed25519BatchVerifier } from '../../core/ed25519-batch.ts';
import { isUndersignedError } from '../../core/errors.ts';
import { packVerdicts, unpackSignatures } from '../../core/signature-pack.ts';
import { answerBundleCheck } from '../../core/bundle-result.ts';
import type { WorkerAnswer, WorkerRequest } from './worker-pool.ts';

/** The answer to `request` and the buffers to transfer with it. Never rejects. */
export async function answerRequest(
  request: WorkerRequest,
  ed25519: Ed25519BatchVerifier
): Promise<{ answer: WorkerAnswer; transfer: Transferable[] }> {
  const { id } = request;
  try {
    if ('backend' in request)
      return { answer: { id, backend: await ed25519.backend() }, transfer: [] };
    if ('bundle' in request) {
      const answer = await answerBundleCheck(request, ed25519);
      return { answer, transfer: 'check' in answer ? [answer.check] : [] };
    }
    const verdicts = packVerdicts(await ed25519.verifyMany(unpackSignatures(request.buffer)));
    return { answer: { id, verdicts }, transfer: [verdicts] };
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    return {
      answer: isUndersignedError(e) ? { id, error, code: e.code } : { id, error },
      transfer: [],
    };
  }
}
