// Starting a mirror from an offline copy (`undersigned node --seed FILE.car`): the CAR is read
// and checked as `undersigned verify FILE.car` does (node/car/log-car.ts, verify-copy.ts), and
// its origin must name its letter and the key that signed it (PROTOCOL §6.2). The node then
// appends the entries to its own log (its sequencer drops repeats and entries that do not
// count) and may keep the copy's files as a followed log. Nothing here writes to disk.

import type { CID } from 'multiformats/cid';
import { equalBytes, utf8Decode } from '../../core/bytes.ts';
import { decodeEntryBundle } from '../../core/entry-bundle.ts';
import { UndersignedError } from '../../core/errors.ts';
import { letterId } from '../../core/letter.ts';
import { parseVerifierKey } from '../../core/note-key.ts';
import { checkLogOrigin } from '../../core/origin.ts';
import { entryBundlesForSize, tilePath } from '../../core/tiles.ts';
import { readWholeFile } from '../files.ts';
import { logCopyFiles, parseLogCar } from './log-car.ts';
import { verifyLogCopy, type VerifiedCopy } from './verify-copy.ts';

/** A verified log copy, ready to seed a mirror. */
export type Seed = {
  /** The CAR's root: the CID of the log's UnixFS directory. */
  readonly root: CID;
  /** The signed checkpoint note, with the cosignatures the copy had. */
  readonly checkpoint: string;
  readonly origin: string;
  readonly treeSize: number;
  readonly rootHash: Uint8Array;
  /** The log's vkey that verified the checkpoint. */
  readonly vkey: string;
  /** The letter file (PROTOCOL §2.2). */
  readonly letter: Uint8Array;
  /** What the verifier found: the count, breakdown and rejected entries. */
  readonly verification: VerifiedCopy;
  /** Every file of the log by its tlog-tiles path: checkpoint, letter, vkey, tile/… */
  readonly files: ReadonlyMap<string, Uint8Array>;
  /** Every entry of the log, in log order (rejected ones included: the node re-checks them). */
  entries(): AsyncIterable<Uint8Array>;
};

export type SeedOptions = {
  /** The node's letter file: the copy must be of this letter (WRONG_LETTER otherwise). */
  readonly letter?: Uint8Array;
  /** Trusted log keys; by default the copy's own vkey. */
  readonly vkeys?: readonly string[];
  readonly signal?: AbortSignal;
};

/**
 * Reads and verifies the offline copy in `carFile`. Throws MALFORMED_CAR (and the other codes
 * of `undersigned verify`), WRONG_ORIGIN, WRONG_LETTER, or NOT_FOUND / FETCH_FAILED.
 */
export async function seedFromCar(carFile: string, options: SeedOptions = {}): Promise<Seed> {
  const bytes = await readWholeFile(carFile);
  options.signal?.throwIfAborted();
  const { root, copy } = parseLogCar(bytes);
  if (options.letter !== undefined && !equalBytes(options.letter, copy.letter))
    throw new UndersignedError('WRONG_LETTER', 'the copy is a log of another letter');
  const verification = await verifyLogCopy(copy, {
    ...(options.vkeys === undefined ? {} : { vkeys: options.vkeys }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  // Policy: a seed must be an Undersigned log of its own letter, signed by the key it names.
  checkLogOrigin(
    verification.origin,
    letterId(verification.letter),
    parseVerifierKey(verification.vkey).publicKey
  );
  const { treeSize } = verification;
  return {
    root,
    checkpoint: utf8Decode(copy.checkpoint),
    origin: verification.origin,
    treeSize,
    rootHash: verification.rootHash,
    vkey: verification.vkey,
    letter: copy.letter,
    verification,
    files: logCopyFiles(copy),
    async *entries() {
      for (const bundle of entryBundlesForSize(treeSize)) {
        const data = copy.tiles.get(tilePath(bundle));
        if (data === undefined) throw new Error('bug: a verified copy without a bundle');
        yield* decodeEntryBundle(data, bundle.width);
        // Between bundles, let the node serve requests: a large seed must not block it.
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
  };
}
