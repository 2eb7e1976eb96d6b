// One entry bundle's outcome (bundle-check.ts) as one transferable buffer, sent by a
// verification worker back to the thread that asked: the page's (web/lib/worker-pool.ts) or the
// node's (node/ed25519/verifier.ts). reference/perf.md: one transferred buffer, not arrays of
// small objects, keeps the copy cost low. Big-endian throughout:
//
//   entry count N (u16), 1..256, the bundle's width
//   affiliation count A (u16), then A × (length (u8) || UTF-8): the distinct affiliations of
//     the bundle's valid sign entries, each decoded once by the receiver
//   N × leaf hash (32), recordHash of each entry, RFC 6962 §2.1
//   N × verdict, in entry order, entry j being log index bundle.index × 256 + j:
//     0x01 || public key (32) || affiliation number (u16)               a valid sign entry
//     0x02 || public key (32)                                          a valid withdraw entry
//     0x03 || reject code (u8) || reason length (u16) || reason (UTF-8)  a rejected entry
//
// Affiliations are at most 64 bytes (docs/PROTOCOL.md §3.1) and reasons are the checker's own
// short sentences, far below the field limits.

import { utf8Decode, utf8Encode } from './bytes.ts';
import { HASH_SIZE } from './hash.ts';
import { TILE_WIDTH, type Tile } from './tiles.ts';
import {
  assertEntryBundleTile,
  checkEntryBundle,
  type BundleCheck,
  type RejectedEntry,
  type ValidEntry,
} from './bundle-check.ts';
import type { RejectCode } from './entry-check.ts';
import { isUndersignedError, UndersignedError, type ErrorCode } from './errors.ts';
import type { Ed25519BatchVerifier } from './ed25519-batch.ts';

/** A request to a worker to check one entry bundle: its bytes, and what they are checked against. */
export type BundleCheckRequest = {
  readonly id: number;
  readonly bundle: Tile;
  readonly bytes: ArrayBuffer;
  readonly letterId: Uint8Array;
  readonly stampBits: number;
};

/**
 * A worker's answer to a BundleCheckRequest: the outcome packed by packBundleCheck, or the
 * error, with its code when it is an UndersignedError (a malformed bundle).
 */
export type BundleCheckAnswer =
  | { readonly id: number; readonly check: ArrayBuffer }
  | { readonly id: number; readonly error: string; readonly code?: ErrorCode };

/**
 * Answers `request` on a worker: checkEntryBundle (bundle-check.ts) on its bytes with the
 * signature backend `ed25519`, packed; or the error, typed when it is an UndersignedError.
 * Never rejects. Transfer the answer's `check` buffer with it.
 */
export async function answerBundleCheck(
  request: BundleCheckRequest,
  ed25519: Ed25519BatchVerifier
): Promise<BundleCheckAnswer> {
  const { id, bundle, letterId, stampBits } = request;
  try {
    const outcome = await checkEntryBundle(new Uint8Array(request.bytes), bundle, {
      letterId,
      stampBits,
      ed25519,
    });
    return { id, check: packBundleCheck(outcome, bundle) };
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    return isUndersignedError(e) ? { id, error, code: e.code } : { id, error };
  }
}

/**
 * The outcome a worker answered for `bundle`, or its error thrown again: typed when the worker's
 * was an UndersignedError (a malformed bundle).
 */
export function readBundleCheckAnswer(answer: BundleCheckAnswer, bundle: Tile): BundleCheck {
  if ('check' in answer) return unpackBundleCheck(answer.check, bundle);
  throw answer.code === undefined
    ? new Error(`verification worker failed: ${answer.error}`)
    : new UndersignedError(answer.code, answer.error);
}

const KEY = 32;
const SIGN = 0x01;
const WITHDRAW = 0x02;
const REJECTED = 0x03;
/** Reject codes by number (their index + 1). */
const CODES: readonly RejectCode[] = [
  'MALFORMED_ENTRY',
  'WRONG_LETTER',
  'INSUFFICIENT_STAMP',
  'BAD_ENTRY_SIGNATURE',
];

// Affiliations repeat from bundle to bundle: their encodings are kept, up to a bound.
const encoded = new Map<string, Uint8Array>();
const ENCODED_KEPT = 4096;

function encodeAffiliation(affiliation: string): Uint8Array {
  let bytes = encoded.get(affiliation);
  if (bytes === undefined) {
    if (encoded.size === ENCODED_KEPT) encoded.clear();
    bytes = utf8Encode(affiliation);
    encoded.set(affiliation, bytes);
  }
  return bytes;
}

/**
 * Packs the outcome of `bundle` into one buffer, to be transferred. Throws RangeError unless
 * `check` accounts for each of the bundle's entries exactly once.
 */
export function packBundleCheck(check: BundleCheck, bundle: Tile): ArrayBuffer {
  assertEntryBundleTile(bundle);
  const first = bundle.index * TILE_WIDTH;
  const count = bundle.width;
  if (check.leafHashes.length !== count * HASH_SIZE) {
    throw new RangeError(`a bundle of ${count} entries has ${count} leaf hashes`);
  }
  const verdicts = new Array<ValidEntry | RejectedEntry | undefined>(count);
  const place = (entry: ValidEntry | RejectedEntry): void => {
    const j = entry.index - first;
    if (!(j >= 0 && j < count) || verdicts[j] !== undefined) {
      throw new RangeError(`entry ${entry.index} is not one of the bundle's, or is there twice`);
    }
    verdicts[j] = entry;
  };
  check.valid.forEach(place);
  check.rejected.forEach(place);
  const affiliations: Uint8Array[] = [];
  const numbers = new Map<string, number>();
  const reasons = new Map<RejectedEntry, Uint8Array>();
  let size = 4 + count * HASH_SIZE;
  for (const verdict of verdicts) {
    if (verdict === undefined) throw new RangeError('an entry of the bundle has no verdict');
    if ('code' in verdict) {
      const reason = utf8Encode(verdict.reason);
      if (reason.length > 0xffff) throw new RangeError('reason longer than 65,535 bytes');
      if (!CODES.includes(verdict.code)) throw new RangeError(`unknown reject code`);
      reasons.set(verdict, reason);
      size += 4 + reason.length;
      continue;
    }
    if (verdict.publicKey.length !== KEY) throw new RangeError('a public key has 32 bytes');
    size += 1 + KEY;
    if (verdict.kind === 'withdraw') continue;
    size += 2;
    if (numbers.has(verdict.affiliation)) continue;
    const bytes = encodeAffiliation(verdict.affiliation);
    if (bytes.length > 0xff) throw new RangeError('affiliation longer than 255 bytes');
    numbers.set(verdict.affiliation, affiliations.length);
    affiliations.push(bytes);
    size += 1 + bytes.length;
  }
  const buffer = new ArrayBuffer(size);
  const view = new DataView(buffer);
  const out = new Uint8Array(buffer);
  view.setUint16(0, count);
  view.setUint16(2, affiliations.length);
  let at = 4;
  for (const bytes of affiliations) {
    out[at] = bytes.length;
    out.set(bytes, at + 1);
    at += 1 + bytes.length;
  }
  out.set(check.leafHashes, at);
  at += count * HASH_SIZE;
  for (const verdict of verdicts as (ValidEntry | RejectedEntry)[]) {
    if ('code' in verdict) {
      const reason = reasons.get(verdict) as Uint8Array;
      out[at] = REJECTED;
      out[at + 1] = CODES.indexOf(verdict.code) + 1;
      view.setUint16(at + 2, reason.length);
      out.set(reason, at + 4);
      at += 4 + reason.length;
    } else {
      out[at] = verdict.kind === 'sign' ? SIGN : WITHDRAW;
      out.set(verdict.publicKey, at + 1);
      at += 1 + KEY;
      if (verdict.kind === 'sign') {
        view.setUint16(at, numbers.get(verdict.affiliation) as number);
        at += 2;
      }
    }
  }
  return buffer;
}

/**
 * The outcome of `bundle` in a packed buffer; leaf hashes and keys are views into it. Throws
 * RangeError if the buffer is malformed or is not of `bundle`'s width.
 */
export function unpackBundleCheck(buffer: ArrayBuffer, bundle: Tile): BundleCheck {
  assertEntryBundleTile(bundle);
  const bad = (why: string): RangeError => new RangeError(`packed bundle check: ${why}`);
  const bytes = new Uint8Array(buffer);
  const view = new DataView(buffer);
  const need = (at: number, n: number): void => {
    if (at + n > bytes.length) throw bad('truncated');
  };
  need(0, 4);
  const count = view.getUint16(0);
  if (count !== bundle.width) throw bad(`${count} entries in a bundle of ${bundle.width}`);
  const affiliations: string[] = [];
  let at = 4;
  for (let k = view.getUint16(2); k > 0; k--) {
    need(at, 1);
    const length = bytes[at] as number;
    need(at + 1, length);
    affiliations.push(text(bytes.subarray(at + 1, at + 1 + length)));
    at += 1 + length;
  }
  need(at, count * HASH_SIZE);
  const leafHashes = new Uint8Array(buffer, at, count * HASH_SIZE);
  at += count * HASH_SIZE;
  const first = bundle.index * TILE_WIDTH;
  const valid: ValidEntry[] = [];
  const rejected: RejectedEntry[] = [];
  for (let j = 0; j < count; j++) {
    need(at, 1);
    const tag = bytes[at];
    if (tag === SIGN || tag === WITHDRAW) {
      need(at + 1, KEY + (tag === SIGN ? 2 : 0));
      const publicKey = new Uint8Array(buffer, at + 1, KEY);
      at += 1 + KEY;
      let affiliation = '';
      if (tag === SIGN) {
        const found = affiliations[view.getUint16(at)];
        if (found === undefined) throw bad('affiliation number out of range');
        affiliation = found;
        at += 2;
      }
      valid.push({
        index: first + j,
        kind: tag === SIGN ? 'sign' : 'withdraw',
        publicKey,
        affiliation,
      });
    } else if (tag === REJECTED) {
      need(at + 1, 3);
      const code = CODES[(bytes[at + 1] as number) - 1];
      if (code === undefined) throw bad('unknown reject code');
      const length = view.getUint16(at + 2);
      need(at + 4, length);
      rejected.push({
        index: first + j,
        code,
        reason: text(bytes.subarray(at + 4, at + 4 + length)),
      });
      at += 4 + length;
    } else throw bad('unknown verdict');
  }
  if (at !== bytes.length) throw bad('trailing bytes');
  return { leafHashes, valid, rejected };
}

function text(bytes: Uint8Array): string {
  try {
    return utf8Decode(bytes);
  } catch {
    throw new RangeError('packed bundle check: text is not UTF-8');
  }
}
