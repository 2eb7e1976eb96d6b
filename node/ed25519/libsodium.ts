// Ed25519 verification (RFC 8032 §5.1.7) under the rule of core/ed25519.ts, through libsodium
// (the sodium-native addon, which ships prebuilt binaries): about 3× the signatures per
// CPU-second of Node's WebCrypto (reference/perf.md §1: 18.8k/s on one core, against 8.7k/s
// for OpenSSL with a key object made once). Node only; core/ stays pure.
//
// libsodium's crypto_sign_verify_detached is cofactorless and refuses a small-order or
// non-canonical A, a small-order R and S ≥ L, which is our rule; the byte checks of the rule
// still run first, as for every backend, so that no library's edge cases decide a verdict
// (tests/vectors/ed25519/ holds the cases every backend is tested against).

import { createRequire } from 'node:module';
import type { Ed25519BatchVerifier } from '../../core/ed25519-batch.ts';
import {
  isAcceptablePublicKey,
  isCanonicalScalar,
  isSmallOrderEncoding,
  PUBLIC_KEY_SIZE,
  SIGNATURE_SIZE,
} from '../../core/ed25519.ts';

type Sodium = {
  crypto_sign_verify_detached(signature: Buffer, message: Buffer, publicKey: Buffer): boolean;
};

let loaded: Sodium | null | undefined;

/** libsodium's verify, or undefined where the addon has no binary for this platform. */
export function loadSodium(): Sodium | undefined {
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)('sodium-native') as Sodium;
    } catch {
      loaded = null;
    }
  }
  return loaded ?? undefined;
}

/** Whether libsodium can be used here. */
export function hasLibsodium(): boolean {
  return loadSodium() !== undefined;
}

/** One signature under the rule, synchronously. Throws if libsodium is not loaded. */
export function verifyWithLibsodium(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array
): boolean {
  const sodium = loadSodium();
  if (sodium === undefined) throw new Error('bug: libsodium is not available here');
  if (publicKey.length !== PUBLIC_KEY_SIZE || signature.length !== SIGNATURE_SIZE) return false;
  if (!isCanonicalScalar(signature)) return false; // rule 2
  if (isSmallOrderEncoding(signature.subarray(0, 32))) return false; // rule 2
  if (!isAcceptablePublicKey(publicKey)) return false; // rule 1 but the on-curve test
  return sodium.crypto_sign_verify_detached(view(signature), view(message), view(publicKey));
}

/** verifyWithLibsodium as an Ed25519BatchVerifier, on the calling thread. */
export function libsodiumVerifier(): Ed25519BatchVerifier {
  return {
    backend: () => Promise.resolve('libsodium'),
    verify: (publicKey, message, signature) =>
      Promise.resolve(verifyWithLibsodium(publicKey, message, signature)),
    verifyMany: (items, { signal } = {}) => {
      signal?.throwIfAborted();
      return Promise.resolve(
        items.map((item) => verifyWithLibsodium(item.publicKey, item.message, item.signature))
      );
    },
  };
}

/** A Buffer over the same memory (the addon takes Buffers; no copy). */
function view(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
