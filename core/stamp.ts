// The anti-spam stamp (docs/PROTOCOL.md §3.4): a hashcash-style proof of work over an entry's
// body. The letter sets the difficulty in bits; checking a stamp costs one SHA-256.
//
//   stamp hash = SHA-256("undersigned/stamp/v1" || 0x00 || body)
//   valid iff the stamp hash starts with at least `stampBits` zero bits
//
// The body includes the signer's public key and the 8-byte stamp nonce, so a stamp is bound to
// one key and one entry and cannot be reused.

import { utf8Encode } from './bytes.ts';
import { sha256 } from './hash.ts';

export const STAMP_CONTEXT: Uint8Array = utf8Encode('undersigned/stamp/v1\0');
export const STAMP_NONCE_SIZE = 8;

/** The number of leading zero bits of SHA-256(STAMP_CONTEXT || body). */
export function stampZeroBits(body: Uint8Array): number {
  return leadingZeroBits(sha256(STAMP_CONTEXT, body));
}

/** Whether the entry body carries a stamp of at least `stampBits` bits. */
export function hasStamp(body: Uint8Array, stampBits: number): boolean {
  if (stampBits === 0) return true;
  return stampZeroBits(body) >= stampBits;
}

/**
 * Searches stamp nonces for `body`, whose nonce occupies the 8 bytes at `nonceOffset`, trying at
 * most `tries` counter values from `start`. On success the nonce is left in `body` and the
 * counter value that worked is returned; otherwise `body` holds the last nonce tried and the
 * result is undefined. The search is synchronous and bounded so that callers can yield, show
 * progress and honour an AbortSignal between calls.
 */
export function searchStamp(
  body: Uint8Array,
  nonceOffset: number,
  stampBits: number,
  start: number,
  tries: number
): number | undefined {
  for (let counter = start; counter < start + tries; counter++) {
    writeCounter(body, nonceOffset, counter);
    if (hasStamp(body, stampBits)) return counter;
  }
  return undefined;
}

/** Expected number of tries for a stamp of `stampBits` bits. */
export function expectedStampTries(stampBits: number): number {
  return 2 ** stampBits;
}

function writeCounter(body: Uint8Array, offset: number, counter: number): void {
  let n = counter;
  for (let i = STAMP_NONCE_SIZE - 1; i >= 0; i--) {
    body[offset + i] = n % 256;
    n = Math.floor(n / 256);
  }
}

function leadingZeroBits(hash: Uint8Array): number {
  let bits = 0;
  for (const byte of hash) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}
