// Checking one entry bundle of a log (docs/PROTOCOL.md §7, steps 3 to 5 for the entries behind
// one level 0 tile, c2sp.org/tlog-tiles): a pure function of the bundle's bytes, the letter and
// a signature backend, so that it runs the same on the verifier's thread (core/verifier.ts) and
// in a Web Worker (web/workers/verify-worker.ts). The verifier keeps what spans bundles: the
// tree of leaf hashes, the tally and the list of rejected entries.
//
// Per bundle, in order:
//   1. decode it strictly: exactly its width of entries, nothing after them (§7 step 3);
//   2. hash each entry, SHA-256(0x00 || entry), RFC 6962 §2.1 (§7 step 4 is the caller's);
//   3. check each entry against the letter: format, letter ID, key, stamp (core/entry-check.ts);
//   4. verify the Ed25519 signature of each entry that passed 3, all in one batch (§4).
// Each entry ends up either valid, with what the counting rule (§5) needs, or rejected with a
// reason.

import { decodeEntryBundle } from './entry-bundle.ts';
import { recordHash } from './merkle.ts';
import { HASH_SIZE } from './hash.ts';
import { ENTRY_BUNDLE_LEVEL, TILE_WIDTH, type Tile } from './tiles.ts';
import { checkEntry, type RejectCode } from './entry-check.ts';
import { SIGNING_CONTEXT, type Entry, type EntryKind } from './entry.ts';
import type { Ed25519BatchVerifier } from './ed25519-batch.ts';

/** An entry that counts (§5): its log index and what the counting rule reads of it. */
export type ValidEntry = {
  readonly index: number;
  readonly kind: EntryKind;
  readonly publicKey: Uint8Array;
  /** The signer's affiliation; '' for none, and always '' in a withdraw entry. */
  readonly affiliation: string;
};

/** An entry that does not count, and why. */
export type RejectedEntry = {
  readonly index: number;
  readonly code: RejectCode;
  readonly reason: string;
};

/** The outcome of one bundle: every entry is in exactly one of `valid` and `rejected`. */
export type BundleCheck = {
  /** The entries' leaf hashes, recordHash(entry), 32 bytes each, in log order. */
  readonly leafHashes: Uint8Array;
  /** The valid entries, in log order. */
  readonly valid: readonly ValidEntry[];
  /** The rejected entries, in log order. */
  readonly rejected: readonly RejectedEntry[];
};

/** What every entry of a log is checked against. */
export type BundleContext = {
  /** The letter ID (32 bytes) every entry must name. */
  readonly letterId: Uint8Array;
  /** The stamp difficulty every entry must meet. */
  readonly stampBits: number;
  readonly signal?: AbortSignal;
};

/**
 * Checks one entry bundle (checkEntryBundle, here or elsewhere: a worker pool). It owns `bytes`:
 * it may detach or transfer their buffer, and the caller never reads them again. Rejects with
 * MALFORMED_ENTRY_BUNDLE for a bundle that does not decode, and with `signal.reason` when aborted.
 */
export type BundleChecker = (
  bytes: Uint8Array,
  bundle: Tile,
  context: BundleContext
) => Promise<BundleCheck>;

export type CheckEntryBundleOptions = BundleContext & {
  /** The signature backend (core/ed25519-batch.ts). */
  readonly ed25519: Ed25519BatchVerifier;
};

/**
 * Checks the entry bundle `bytes` of `bundle` (an entry bundle tile). Bad entries are rejected
 * entries in the result, not errors; valid entries' keys are views into `bytes`. Throws
 * MALFORMED_ENTRY_BUNDLE when the bundle does not hold exactly `bundle.width` entries.
 */
export async function checkEntryBundle(
  bytes: Uint8Array,
  bundle: Tile,
  options: CheckEntryBundleOptions
): Promise<BundleCheck> {
  assertEntryBundleTile(bundle);
  const { letterId, stampBits, ed25519, signal } = options;
  signal?.throwIfAborted();
  const entries = decodeEntryBundle(bytes, bundle.width);
  const first = bundle.index * TILE_WIDTH;
  const leafHashes = new Uint8Array(entries.length * HASH_SIZE);
  const rejected: RejectedEntry[] = [];
  const signed: { index: number; entry: Entry }[] = [];
  entries.forEach((data, j) => {
    leafHashes.set(recordHash(data), j * HASH_SIZE);
    const verdict = checkEntry(data, letterId, stampBits);
    if (verdict.ok) signed.push({ index: first + j, entry: verdict.entry });
    else rejected.push({ index: first + j, code: verdict.code, reason: verdict.reason });
  });
  const messages = signingMessages(signed.map(({ entry }) => entry.body));
  const items = signed.map(({ entry }, k) => ({
    publicKey: entry.publicKey,
    message: messages[k] as Uint8Array,
    signature: entry.signature,
  }));
  const verdicts = await ed25519.verifyMany(items, signal === undefined ? {} : { signal });
  if (verdicts.length !== items.length) throw new Error('bug: the backend lost verdicts');
  const valid: ValidEntry[] = [];
  signed.forEach(({ index, entry }, k) => {
    if (verdicts[k] === true) {
      const { kind, publicKey, affiliation } = entry;
      valid.push({ index, kind, publicKey, affiliation });
    } else
      rejected.push({ index, code: 'BAD_ENTRY_SIGNATURE', reason: 'signature does not verify' });
  });
  if (valid.length < signed.length) rejected.sort((a, b) => a.index - b.index);
  return { leafHashes, valid, rejected };
}

/** SIGNING_CONTEXT || body for each body (§3.3), as views into one buffer: one allocation. */
function signingMessages(bodies: readonly Uint8Array[]): Uint8Array[] {
  let size = 0;
  for (const body of bodies) size += SIGNING_CONTEXT.length + body.length;
  const buffer = new Uint8Array(size);
  let at = 0;
  return bodies.map((body) => {
    const start = at;
    buffer.set(SIGNING_CONTEXT, at);
    buffer.set(body, at + SIGNING_CONTEXT.length);
    at += SIGNING_CONTEXT.length + body.length;
    return buffer.subarray(start, at);
  });
}

/** The in-thread BundleChecker: checkEntryBundle with the signature backend `ed25519`. */
export function bundleChecker(ed25519: Ed25519BatchVerifier): BundleChecker {
  return (bytes, bundle, context) => checkEntryBundle(bytes, bundle, { ...context, ed25519 });
}

/** Throws RangeError unless `bundle` is an entry bundle tile (width 1..256, a safe index). */
export function assertEntryBundleTile(bundle: Tile): void {
  const { level, index, width } = bundle;
  if (level !== ENTRY_BUNDLE_LEVEL) throw new RangeError(`"bundle" expected an entry bundle tile`);
  if (!Number.isSafeInteger(index) || index < 0 || index * TILE_WIDTH > Number.MAX_SAFE_INTEGER) {
    throw new RangeError(`"bundle.index" expected a safe index, got ${String(index)}`);
  }
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH) {
    throw new RangeError(`"bundle.width" expected 1..${TILE_WIDTH}, got ${String(width)}`);
  }
}
