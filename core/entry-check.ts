// Checking an entry against a letter (docs/PROTOCOL.md §4): everything but the signature, which
// the caller verifies in batches (core/ed25519-batch.ts), since it is the one costly step.

import { parseEntry, type Entry } from './entry.ts';
import { equalBytes } from './bytes.ts';
import { isUndersignedError, type ErrorCode } from './errors.ts';
import { hasStamp } from './stamp.ts';
import { isAcceptablePublicKey } from './ed25519.ts';

/** Why a log entry does not count. */
export type RejectCode = Extract<
  ErrorCode,
  'MALFORMED_ENTRY' | 'WRONG_LETTER' | 'INSUFFICIENT_STAMP' | 'BAD_ENTRY_SIGNATURE'
>;

export type EntryVerdict =
  | { readonly ok: true; readonly entry: Entry }
  | { readonly ok: false; readonly code: RejectCode; readonly reason: string };

/**
 * Parses `bytes` and checks it is an entry for the letter `letterId` with a stamp of at least
 * `stampBits` bits and an acceptable public key. Does not verify the signature. Never throws for
 * bad input: the verdict says why.
 */
export function checkEntry(
  bytes: Uint8Array,
  letterId: Uint8Array,
  stampBits: number
): EntryVerdict {
  let entry: Entry;
  try {
    entry = parseEntry(bytes);
  } catch (e) {
    if (isUndersignedError(e)) return { ok: false, code: 'MALFORMED_ENTRY', reason: e.message };
    throw e;
  }
  if (!equalBytes(entry.letterId, letterId)) {
    return { ok: false, code: 'WRONG_LETTER', reason: 'entry is for another letter' };
  }
  if (!isAcceptablePublicKey(entry.publicKey)) {
    return {
      ok: false,
      code: 'BAD_ENTRY_SIGNATURE',
      reason: 'public key is not a canonical Ed25519 key of large order',
    };
  }
  if (!hasStamp(entry.body, stampBits)) {
    return {
      ok: false,
      code: 'INSUFFICIENT_STAMP',
      reason: `stamp has fewer than ${stampBits} zero bits`,
    };
  }
  return { ok: true, entry };
}
