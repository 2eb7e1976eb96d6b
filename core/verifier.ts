// The log verifier (docs/PROTOCOL.md §7): turns a log into a count, trusting nothing but the log
// keys it is given. core/ plans and checks; the caller fetches (readEntryBundle).
//
// Checklist, in order:
//   1. the checkpoint note is signed by a trusted log key, and its origin names that key
//      (c2sp.org/signed-note, c2sp.org/tlog-checkpoint); known witness keys' cosignatures are
//      checked too and listed;
//   2. every entry bundle the tree size implies is fetched and decoded (c2sp.org/tlog-tiles);
//   3. the RFC 6962 root of the entries equals the checkpoint's root hash;
//   4. every entry is checked against the letter (format, letter ID, key, stamp) and its
//      Ed25519 signature verified; the rest are rejected entries, each with a reason;
//   5. the counting rule (core/tally.ts) turns the valid entries into the count.
// Memory: one bundle per fetch in flight, one batch of signatures, the tree's frontier, and the
// set of distinct keys; not the entries.

import { UndersignedError } from './errors.ts';
import { openCheckpoint } from './checkpoint.ts';
import type { Verifier } from './note-key.ts';
import { decodeEntryBundle } from './entry-bundle.ts';
import { recordHash } from './merkle.ts';
import { TreeBuilder } from './tree.ts';
import { entryBundlesForSize, TILE_WIDTH, type Tile } from './tiles.ts';
import { checkEntry, type RejectCode } from './entry-check.ts';
import { entrySigningMessage, type Entry } from './entry.ts';
import { equalBytes, toBase64 } from './bytes.ts';
import { Tally, type TallyResult } from './tally.ts';
import type { Ed25519BatchVerifier } from './ed25519-batch.ts';
import { createEd25519Verifier } from './ed25519-batch.ts';

/** Fetches one entry bundle's bytes (untrusted until checked here). */
export type EntryBundleReader = (
  bundle: Tile,
  options: { signal?: AbortSignal }
) => Promise<Uint8Array>;

export type VerifyProgress = { readonly entriesVerified: number; readonly treeSize: number };

export type RejectedEntry = {
  readonly index: number;
  readonly code: RejectCode;
  readonly reason: string;
};

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
  /** Signature backend; by default WebCrypto where present, else @noble/ed25519. */
  readonly ed25519?: Ed25519BatchVerifier;
  /** Entry bundles fetched ahead of the one being checked (default 4). */
  readonly bundlesAhead?: number;
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
  const ed25519 = options.ed25519 ?? createEd25519Verifier();
  const maxListed = options.maxRejectedListed ?? 10_000;
  const tree = new TreeBuilder();
  const tally = new Tally();
  const rejected: RejectedEntry[] = [];
  let rejectedTotal = 0;
  let entriesVerified = 0;
  const reject = (index: number, code: RejectCode, reason: string): void => {
    rejectedTotal++;
    if (rejected.length < maxListed) rejected.push({ index, code, reason });
  };

  const bundles = entryBundlesForSize(treeSize);
  const ahead = Math.max(1, options.bundlesAhead ?? 4);
  // Fetches still running when verification stops early are aborted.
  const stop = new AbortController();
  const fetchSignal = signal === undefined ? stop.signal : AbortSignal.any([signal, stop.signal]);
  const fetches: (Promise<Uint8Array> | undefined)[] = [];
  const startFetch = (i: number): void => {
    const ref = bundles[i];
    if (ref === undefined) return;
    const fetched = fetchBundle(options.readEntryBundle, ref, fetchSignal);
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
    // Up to two batches of signatures are verified (the backend bounds the signatures in
    // flight) while the next bundle is fetched, decoded and hashed, so the pipeline never drains.
    const pending: Promise<void>[] = [];
    for (let i = 0; i < bundles.length; i++) {
      const ref = bundles[i];
      const fetched = fetches[i];
      if (ref === undefined || fetched === undefined) throw new Error('bug: bundle plan');
      const bytes = await fetched;
      fetches[i] = undefined;
      startFetch(i + ahead);
      const entries = decodeEntryBundle(bytes, ref.width);
      const batch: { index: number; entry: Entry }[] = [];
      entries.forEach((data, j) => {
        const index = ref.index * TILE_WIDTH + j;
        tree.append(recordHash(data));
        const verdict = checkEntry(data, options.letterId, options.stampBits);
        if (verdict.ok) batch.push({ index, entry: verdict.entry });
        else reject(index, verdict.code, verdict.reason);
      });
      while (pending.length >= 2) await pending.shift();
      signal?.throwIfAborted();
      const skipped = ref.width - batch.length;
      const verified = verifySignatures(ed25519, batch, signal).then((results) => {
        results.forEach((ok, k) => {
          const item = batch[k];
          if (item === undefined) return;
          if (!ok) reject(item.index, 'BAD_ENTRY_SIGNATURE', 'signature does not verify');
          else if (item.entry.kind === 'sign')
            tally.addSign(item.entry.publicKey, item.entry.affiliation);
          else tally.addWithdraw(item.entry.publicKey);
        });
        entriesVerified += results.length + skipped;
        options.onProgress?.({ entriesVerified, treeSize });
      });
      verified.catch(() => undefined); // awaited below; never an unhandled rejection
      pending.push(verified);
    }
    for (const verified of pending) await verified;
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

function verifySignatures(
  ed25519: Ed25519BatchVerifier,
  batch: readonly { entry: Entry }[],
  signal: AbortSignal | undefined
): Promise<boolean[]> {
  const items = batch.map(({ entry }) => ({
    publicKey: entry.publicKey,
    message: entrySigningMessage(entry.body),
    signature: entry.signature,
  }));
  return ed25519.verifyMany(items, signal === undefined ? {} : { signal });
}
