// A worker thread of the node's verification pool (verifier.ts), with libsodium (libsodium.ts)
// for signatures. Two requests:
//   { id, packed } → { id, verdicts }: the signatures packed by core/signature-pack.ts, one
//     verdict byte each (1 valid, 0 not);
//   { id, bundle, bytes, letterId, stampBits } → { id, check }: checkEntryBundle
//     (core/bundle-check.ts: decode, leaf hashes, entry checks, signatures) on an entry bundle
//     of a followed log, packed by core/bundle-result.ts;
// and { id, error, code? } when a bundle check fails, code being the UndersignedError's
// (a malformed bundle). Answers' buffers are transferred.

import { parentPort } from 'node:worker_threads';
import { libsodiumVerifier, verifyWithLibsodium } from './libsodium.ts';
import { packVerdicts, unpackSignatures } from '../../core/signature-pack.ts';
import { answerBundleCheck, type BundleCheckRequest } from '../../core/bundle-result.ts';

/** A request to a worker of the pool. */
export type WorkerRequest =
  { readonly id: number; readonly packed: ArrayBuffer } | BundleCheckRequest;

if (parentPort === null) throw new Error('node/ed25519/worker.ts runs as a worker thread');
const port = parentPort;
const ed25519 = libsodiumVerifier();

port.on('message', (request: WorkerRequest) => {
  const { id } = request;
  if ('packed' in request) {
    const verdicts = packVerdicts(
      unpackSignatures(request.packed).map(({ publicKey, message, signature }) =>
        verifyWithLibsodium(publicKey, message, signature)
      )
    );
    port.postMessage({ id, verdicts }, [verdicts]);
    return;
  }
  void answerBundleCheck(request, ed25519).then((answer) => {
    port.postMessage(answer, 'check' in answer ? [answer.check] : []);
  });
});
