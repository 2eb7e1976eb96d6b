// The log verifier (docs/PROTOCOL.md §7): turns a log into a count, trusting nothing but the log
// keys it is given. core/ plans and checks; the caller fetches (readEntryBundle).
//
// Checklist, in order:
//   1. the checkpoint note is signed by a trusted log key, and its origin names that key
//      (c2sp.org/signed-note, c2sp.org/tlog-checkpoint); known witness keys' cosignatures are
//      checked too and listed;
//   2. every entry bundle the tree size implies is fetched and checked (core/bundle-check.ts):
//      decoded (c2sp.org/tlog-tiles), each entry hashed, checked against the letter (format,
//      letter ID, key, stamp) and its Ed25519 signature verified; the rest are rejected entries,
//      each with a reason;
//   3. the RFC 6962 root of the entries' leaf hashes, in order, equals the checkpoint's root hash;
//   4. the counting rule (core/tally.ts) turns the valid entries into the count.
// Step 2 is pluggable: by default checkEntryBundle runs on this thread, and a caller may pass a
// `checkBundle` that runs the same function elsewhere (the web client's workers). Bundles are
// fetched ahead and several are checked at once; their outcomes are taken in log order.
// Memory: the bundles being fetched (read in ranges, up to two ranges of 16) and checked, the
// tree's frontier, and the set of distinct keys; not the entries.

import { UndersignedError } from './errors.ts';
import { openCheckpoint } from './checkpoint.ts';
import type { Verifier } from './note-key.ts';
import { TreeBuilder } from './tree.ts';
import { HASH_SIZE } from './hash.ts';
import { entryBundlesForSize, TILE_WIDTH, type Tile } from './tiles.ts';
import { equalBytes, toBase64 } from './bytes.ts';
import { Tally, type TallyResult } from './tally.ts';
import type { Ed25519BatchVerifier } from './ed25519-batch.ts';
import { readingInRanges, type BundleRangeReader, type EntryBundleReader } from './bundle-range.ts';
import { createEd25519Verifier } from './ed25519-batch.ts';
import {
  bundleChecker,
  type BundleCheck,
  type BundleChecker,
  type RejectedEntry,
} from './bundle-check.ts';

export type { RejectedEntry } from './bundle-check.ts';
export type { EntryBundleReader } from './bundle-range.ts';

export type VerifyProgress = { readonly entriesVerified: number; readonly treeSize: number };

export type VerifyLogOptions = {
  /** The signed checkpoint note, as served at `<prefix>/checkpoint`. */
  readonly checkpoint: Uint8Array | string;
  /** Verifiers for the log's own keys; at least one must have signed the checkpoint. */
  readonly logKeys: readonly Verifier[];
  /** Verifiers for witnesses whose cosignatures should be checked and listed. */
  readonly witnessKeys?: readonly Verifier[];
  /** The letter ID (32 bytes) and stamp difficulty every entry must match. */
  readonly letterId: Uint8Array;
  readonly stampBits: number;
  readonly readEntryBundle: EntryBundleReader;
  /**
   * Reads a range of full entry bundles (§6.7, bundle-range.ts), where the source may have them:
   * full bundles are then read 16 at a time, and alone again once a range fails.
   */
  readonly readBundleRange?: BundleRangeReader;
  /**
   * Checks each bundle; by default checkEntryBundle on this thread with `ed25519`. It is handed
   * the bytes readEntryBundle gave, which are not read again here.
   */
  readonly checkBundle?: BundleChecker;
  /** Signature backend of the default checkBundle; by default WebCrypto where present, else noble. */
  readonly ed25519?: Ed25519BatchVerifier;
  /** Entry bundles fetched ahead of the one being checked (default 4). */
  readonly bundlesAhead?: number;
  /**
   * Entry bundles being checked at once (default 3: on this thread, one is decoded and hashed
   * while the signatures of two are verified). A checkBundle that runs elsewhere wants more.
   */
  readonly bundlesInFlight?: number;
  /** At most this many rejected entries are listed (all are counted); default 10,000. */
  readonly maxRejectedListed?: number;
  readonly onProgress?: (progress: VerifyProgress) => void;
  readonly signal?: AbortSignal;
};

export type LogVerification = {
  readonly origin: string;
  readonly treeSize: number;
  readonly rootHash: Uint8Array;
  /** The checkpoint note text that was verified (without signatures). */
  readonly checkpointText: string;
  /** Names of the log keys and witness keys whose signatures verified. */
  readonly signedBy: readonly string[];
  readonly tally: TallyResult;
  readonly rejected: readonly RejectedEntry[];
  readonly rejectedTotal: number;
};

/**
 * Verifies a whole log and counts it. Throws UndersignedError when the log itself does not
 * verify (a bad checkpoint, a malformed bundle, a root mismatch); bad entries inside a good log
 * are not errors but rejected entries in the result. Throws `signal.reason` when aborted.
 */
export async function verifyLog(options: VerifyLogOptions): Promise<LogVerification> {
  const { signal } = options;
  signal?.throwIfAborted();
  const opened = openCheckpoint(options.checkpoint, [
    ...options.logKeys,
    ...(options.witnessKeys ?? []),
  ]);
  if (
    !opened.verified.some((s) =>
      options.logKeys.some((k) => k.name === s.name && k.keyId === s.keyId)
    )
  ) {
    throw new UndersignedError('UNVERIFIED_NOTE', 'checkpoint is not signed by a trusted log key');
  }
  const { treeSize, rootHash, origin } = opened.checkpoint;
  const checkBundle =
    options.checkBundle ?? bundleChecker(options.ed25519 ?? createEd25519Verifier());
  const ahead = positive(options.bundlesAhead ?? 4, 'bundlesAhead');
  const inFlight = positive(options.bundlesInFlight ?? 3, 'bundlesInFlight');
  const maxListed = options.maxRejectedListed ?? 10_000;
  const tree = new TreeBuilder();
  const tally = new Tally();
  const rejected: RejectedEntry[] = [];
  let rejectedTotal = 0;
  let entriesVerified = 0;

  const bundles = entryBundlesForSize(treeSize);
  const readEntryBundle =
    options.readBundleRange === undefined
      ? options.readEntryBundle
      : readingInRanges(treeSize, options.readEntryBundle, options.readBundleRange);
  // Fetches and checks still running when verification stops early are aborted.
  const stop = new AbortController();
  const stopSignal = signal === undefined ? stop.signal : AbortSignal.any([signal, stop.signal]);
  const context = { letterId: options.letterId, stampBits: options.stampBits, signal: stopSignal };
  const fetches: (Promise<Uint8Array> | undefined)[] = [];
  const startFetch = (i: number): void => {
    const ref = bundles[i];
    if (ref === undefined) return;
    const fetched = fetchBundle(readEntryBundle, ref, stopSignal);
    fetched.catch(() => undefined); // awaited in order below; never an unhandled rejection
    fetches[i] = fetched;
  };
  for (let i = 0; i < ahead; i++) startFetch(i);
  try {
    return await countEntries();
  } finally {
    stop.abort();
  }

  async function countEntries(): Promise<LogVerification> {
    // Up to `inFlight` bundles are checked at once, so that checkBundle always has the next one
    // (on this thread: one is decoded and hashed while the others' signatures are verified).
    // Their outcomes are taken in log order, as the tree needs its leaves in order.
    const checking: { ref: Tile; checked: Promise<BundleCheck> }[] = [];
    const takeOldest = async (): Promise<void> => {
      const oldest = checking.shift();
      if (oldest === undefined) throw new Error('bug: no bundle being checked');
      take(oldest.ref, await oldest.checked);
      signal?.throwIfAborted();
    };
    for (let i = 0; i < bundles.length; i++) {
      const ref = bundles[i];
      const fetched = fetches[i];
      if (ref === undefined || fetched === undefined) throw new Error('bug: bundle plan');
      const bytes = await fetched;
      fetches[i] = undefined;
      startFetch(i + ahead);
      while (checking.length >= inFlight) await takeOldest();
      signal?.throwIfAborted();
      const checked = checkBundle(bytes, ref, context);
      checked.catch(() => undefined); // awaited in order; never an unhandled rejection
      checking.push({ ref, checked });
    }
    while (checking.length > 0) await takeOldest();
    if (!equalBytes(tree.root(), rootHash)) {
      throw new UndersignedError(
        'ROOT_MISMATCH',
        `the entries do not hash to the checkpoint root hash ${toBase64(rootHash)}`
      );
    }
    return {
      origin,
      treeSize,
      rootHash,
      checkpointText: opened.text,
      signedBy: opened.verified.map((s) => s.name),
      tally: tally.result(),
      rejected: rejected.sort((a, b) => a.index - b.index),
      rejectedTotal,
    };
  }

  /** Adds one bundle's outcome: its leaves to the tree, its valid entries to the tally. */
  function take(ref: Tile, check: BundleCheck): void {
    assertBundleCheck(ref, check);
    for (let j = 0; j < ref.width; j++) {
      tree.append(check.leafHashes.subarray(j * HASH_SIZE, (j + 1) * HASH_SIZE));
    }
    for (const entry of check.valid) {
      if (entry.kind === 'sign') tally.addSign(entry.publicKey, entry.affiliation);
      else tally.addWithdraw(entry.publicKey);
    }
    for (const entry of check.rejected) {
      rejectedTotal++;
      if (rejected.length < maxListed) rejected.push(entry);
    }
    entriesVerified += ref.width;
    options.onProgress?.({ entriesVerified, treeSize });
  }
}

/** A checkBundle's outcome must account for every entry of its bundle exactly once. */
function assertBundleCheck(ref: Tile, check: BundleCheck): void {
  const first = ref.index * TILE_WIDTH;
  const seen = new Uint8Array(ref.width);
  const count = (index: number): void => {
    const j = index - first;
    if (!(j >= 0 && j < ref.width) || seen[j] === 1) {
      throw new Error(`bug: the check of bundle ${ref.index} misplaced entry ${index}`);
    }
    seen[j] = 1;
  };
  if (check.leafHashes.length !== ref.width * HASH_SIZE) {
    throw new Error(`bug: the check of bundle ${ref.index} has the wrong number of leaf hashes`);
  }
  for (const entry of check.valid) count(entry.index);
  for (const entry of check.rejected) count(entry.index);
  if (check.valid.length + check.rejected.length !== ref.width) {
    throw new Error(`bug: the check of bundle ${ref.index} lost entries`);
  }
}

function positive(value: number, title: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`"${title}" expected a positive integer, got ${String(value)}`);
  }
  return value;
}

async function fetchBundle(
  read: EntryBundleReader,
  ref: Tile,
  signal: AbortSignal | undefined
): Promise<Uint8Array> {
  try {
    return await read(ref, signal === undefined ? {} : { signal });
  } catch (e) {
    if (signal?.aborted) throw signal.reason;
    throw e;
  }
}
