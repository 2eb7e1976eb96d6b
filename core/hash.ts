// SHA-256 (FIPS 180-4), the one hash of every format here, in two implementations of the same
// function: hash-wasm's WebAssembly build wherever WebAssembly may be compiled, and
// @noble/hashes where it may not (a page whose Content-Security-Policy forbids it). Verifying a
// log is millions of hashes of inputs under 300 bytes, and for those the WebAssembly build is
// about 2× noble in Node and 3–4× in Chromium (reference/perf.md §3; bench/hashes.ts here).
// tests/core/hash.test.ts holds the two to the same outputs.

import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { createSHA256, type IHasher } from 'hash-wasm';

export const HASH_SIZE = 32;

// One hasher per thread, ready a few milliseconds after this module loads (until then, and where
// WebAssembly may not be compiled, noble hashes). sha256 runs it from init to digest without
// yielding, so calls never interleave. No top-level await: a module worker that awaited here
// would miss the messages posted to it meanwhile.
let wasm: IHasher | undefined;

/** Resolves once sha256 runs on WebAssembly, or once it is known that it cannot here. */
export const sha256Ready: Promise<void> = createSHA256().then(
  (hasher) => {
    wasm = hasher;
  },
  () => undefined
);

/** The implementation sha256 uses in this thread now. */
export function sha256Backend(): 'wasm' | 'noble' {
  return wasm === undefined ? 'noble' : 'wasm';
}

/** SHA-256 of the concatenation of `parts`. */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  if (wasm === undefined) return nobleSha256Of(parts);
  wasm.init();
  for (const part of parts) wasm.update(part);
  return wasm.digest('binary');
}

/** sha256 through @noble/hashes alone, whatever this thread can do. */
export function nobleSha256Of(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1 && parts[0] !== undefined) return nobleSha256(parts[0]);
  const h = nobleSha256.create();
  for (const part of parts) h.update(part);
  return h.digest();
}
