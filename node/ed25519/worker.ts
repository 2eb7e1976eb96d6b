// A worker thread that verifies Ed25519 signatures with libsodium (libsodium.ts), for the pool
// of verifier.ts. In: { id, items } with items as packed bytes (core/signature-pack.ts). Out: { id, verdicts }
// with one byte per signature (1 valid, 0 not), transferred.

import { parentPort } from 'node:worker_threads';
import { verifyWithLibsodium } from './libsodium.ts';
import { packVerdicts, unpackSignatures } from '../../core/signature-pack.ts';

type Request = { readonly id: number; readonly packed: ArrayBuffer };

if (parentPort === null) throw new Error('node/ed25519/worker.ts runs as a worker thread');
const port = parentPort;

port.on('message', ({ id, packed }: Request) => {
  const verdicts = packVerdicts(
    unpackSignatures(packed).map(({ publicKey, message, signature }) =>
      verifyWithLibsodium(publicKey, message, signature)
    )
  );
  port.postMessage({ id, verdicts }, [verdicts]);
});
