// Verifying one log as served by one mirror (docs/PROTOCOL.md §7), as a checklist:
//   1. read the checkpoint and open it with the log's key (its origin names the letter and key);
//   2. if a checkpoint of this log was verified before on this device, demand a consistency
//      proof from it (lib/consistency.ts); an inconsistent pair is kept as evidence;
//   3. verify the whole log with core's verifier (every bundle, full ones read 16 at a time
//      where the mirror serves ranges, §6.7; the root, every entry and its signature), the entry
//      bundles checked in the worker pool (lib/worker-pool.ts) when the
//      backend is one, several per worker in flight; the page keeps the tree and the tally;
//   4. remember the checkpoint.
// A failure says whose fault it is: the mirror served data that does not verify, the log
// contradicted itself, or the mirror could not be read.

import { isUndersignedError, type ErrorCode } from '../../core/errors.ts';
import { openCheckpoint } from '../../core/checkpoint.ts';
import { newVerifier, parseNote } from '../../core/note.ts';
import { verifyLog, type LogVerification, type VerifyProgress } from '../../core/verifier.ts';
import type { Ed25519BatchVerifier } from '../../core/ed25519-batch.ts';
import { bundleChecker, type BundleChecker } from '../../core/bundle-check.ts';
import { utf8Decode } from '../../core/bytes.ts';
import type { Letter } from '../../core/letter.ts';
import { fetchBundleRange, fetchCheckpoint, type LogRef, type LogSource } from './mirror-api.ts';
import { readTile } from './tile-fetch.ts';
import { checkConsistency } from './consistency.ts';
import type { CheckpointMemory } from './checkpoint-memory.ts';
import { collectingChecker, ValidEntries } from './union.ts';

/**
 * Where signatures are verified and, if it can, where entry bundles are checked: the worker pool
 * (lib/worker-pool.ts) checks `size` bundles at a time; any other backend has them checked on
 * this thread.
 */
export type VerifyBackend = Ed25519BatchVerifier & {
  readonly checkBundle?: BundleChecker;
  readonly size?: number;
};

/** One cosignature line of a checkpoint: its key name, and whether a known witness key checked it. */
export type CosignatureLine = { readonly name: string; readonly verified: boolean };

/** Whose fault a failed verification is. */
export type Culprit = 'mirror' | 'log' | 'unreachable';

export type LogCheck =
  | {
      readonly ok: true;
      readonly log: LogRef;
      readonly source: LogSource;
      readonly result: LogVerification;
      readonly note: string;
      readonly cosignatures: readonly CosignatureLine[];
      readonly entries: ValidEntries | undefined;
    }
  | {
      readonly ok: false;
      readonly log: LogRef;
      readonly source: LogSource;
      readonly culprit: Culprit;
      readonly code: ErrorCode | 'UNKNOWN';
      readonly message: string;
    };

export type VerifyFromOptions = {
  readonly letter: Letter;
  readonly letterId: Uint8Array;
  readonly ed25519: VerifyBackend;
  readonly memory: CheckpointMemory;
  readonly witnessKeys: readonly string[];
  /** Keep the valid entries, for a count over several logs (lib/union.ts). */
  readonly collect: boolean;
  readonly onProgress?: (progress: VerifyProgress) => void;
  readonly signal?: AbortSignal;
};

const UNREACHABLE: readonly string[] = ['FETCH_FAILED', 'NOT_FOUND', 'UNAVAILABLE'];
/** Entry bundles fetched ahead of the one being checked, so that the workers never wait for HTTP. */
const BUNDLES_AHEAD = 16;
/**
 * Entry bundles in flight per worker: the next ones queued while the worker checks one, enough
 * (about 0.1 s of signatures) that a worker keeps busy while the page's thread is held up.
 * Memory: these and BUNDLES_AHEAD fetched bundles, at most 256 KiB each (§3.1, c2sp.org/tlog-tiles),
 * and with ranges (§6.7) up to two ranges of 16 bundles being read.
 */
export const BUNDLES_PER_WORKER = 8;

/** Verifies `log` from `source`. Resolves with the outcome; rejects only when aborted. */
export async function verifyLogFrom(
  log: LogRef,
  source: LogSource,
  options: VerifyFromOptions
): Promise<LogCheck> {
  const { signal } = options;
  const fail = (culprit: Culprit, e: unknown): LogCheck => ({
    ok: false,
    log,
    source,
    culprit,
    code: isUndersignedError(e) ? e.code : 'UNKNOWN',
    message: e instanceof Error ? e.message : String(e),
  });
  let note: string;
  try {
    note = utf8Decode(await fetchCheckpoint(source, signal === undefined ? {} : { signal }));
  } catch (e) {
    if (signal?.aborted === true) throw signal.reason;
    return fail(isUndersignedError(e, 'MALFORMED_UTF8') ? 'mirror' : 'unreachable', e);
  }
  const logKey = newVerifier(log.vkey);
  const witnessKeys = options.witnessKeys.map((w) => newVerifier(w));
  try {
    const { checkpoint } = openCheckpoint(note, [logKey], log.origin);
    const before = options.memory.get(log.origin, log.vkey);
    if (before !== undefined) {
      try {
        await checkConsistency(
          source,
          before.checkpoint,
          checkpoint,
          signal === undefined ? {} : { signal }
        );
      } catch (e) {
        if (isUndersignedError(e, 'INCONSISTENT_CHECKPOINTS')) {
          options.memory.keepEvidence(log.origin, [before.note, note]);
          return fail('log', e);
        }
        throw e;
      }
    }
    const entries = options.collect ? new ValidEntries() : undefined;
    const { ed25519 } = options;
    const inWorkers = ed25519.checkBundle !== undefined;
    const checkBundle = ed25519.checkBundle ?? bundleChecker(ed25519);
    const result = await verifyLog({
      checkpoint: note,
      logKeys: [logKey],
      witnessKeys,
      letterId: options.letterId,
      stampBits: options.letter.stampBits,
      bundlesAhead: BUNDLES_AHEAD,
      ...(inWorkers ? { bundlesInFlight: BUNDLES_PER_WORKER * (ed25519.size ?? 1) } : {}),
      readEntryBundle: (tile, { signal: s }) =>
        readTile(source, tile, s === undefined ? {} : { signal: s }),
      readBundleRange: (range, { signal: s }) =>
        fetchBundleRange(source, range, s === undefined ? {} : { signal: s }),
      checkBundle: entries === undefined ? checkBundle : collectingChecker(checkBundle, entries),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      ...(signal === undefined ? {} : { signal }),
    });
    options.memory.remember(log.origin, log.vkey, note, checkpoint);
    return {
      ok: true,
      log,
      source,
      result,
      note,
      cosignatures: cosignatureLines(note, log.origin, result),
      entries,
    };
  } catch (e) {
    if (signal?.aborted === true) throw signal.reason;
    if (isUndersignedError(e) && UNREACHABLE.includes(e.code)) return fail('unreachable', e);
    return fail('mirror', e);
  }
}

/** The signature lines of a checkpoint other than the log's own, each marked checked or not. */
export function cosignatureLines(
  note: string,
  origin: string,
  result: LogVerification
): CosignatureLine[] {
  const seen = new Set<string>();
  const lines: CosignatureLine[] = [];
  for (const { name } of parseNote(note).signatures) {
    if (name === origin || seen.has(name)) continue;
    seen.add(name);
    lines.push({ name, verified: result.signedBy.includes(name) });
  }
  return lines;
}
