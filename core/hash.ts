// SHA-256 (FIPS 180-4) through @noble/hashes, the one hash of every format here.

import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';

export const HASH_SIZE = 32;

/** SHA-256 of the concatenation of `parts`. */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1 && parts[0] !== undefined) return nobleSha256(parts[0]);
  const h = nobleSha256.create();
  for (const part of parts) h.update(part);
  return h.digest();
}
