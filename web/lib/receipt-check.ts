// Checking a receipt later (docs/PROTOCOL.md §9), without the signer's key, as a checklist:
//   1. the receipt is well formed, its entry counts for the letter, and its inclusion proof
//      puts the entry in the tree of its checkpoint, signed by a log the mirrors in use serve;
//   2. that log's checkpoint today, from a mirror, is signed by the same log key;
//   3. the receipt's tree is a prefix of today's tree (a consistency proof from tiles), so the
//      entry is still in the log: it was not dropped or rewritten since.

import { utf8Decode } from '../../core/bytes.ts';
import { openCheckpoint } from '../../core/checkpoint.ts';
import { isUndersignedError } from '../../core/errors.ts';
import type { Letter } from '../../core/letter.ts';
import { newVerifier } from '../../core/note.ts';
import { checkReceipt, parseReceipt } from '../../core/receipt.ts';
import type { EntryKind } from '../../core/entry.ts';
import { checkConsistency } from './consistency.ts';
import { fetchCheckpoint, type LogRef } from './mirror-api.ts';

/** What a receipt check found. */
export type ReceiptReport =
  | {
      readonly ok: true;
      readonly origin: string;
      readonly index: number;
      readonly kind: EntryKind;
      readonly name: string;
      readonly affiliation: string;
      readonly publicKey: Uint8Array;
      readonly receiptSize: number;
      readonly todaySize: number;
      readonly mirror: string;
    }
  | {
      readonly ok: false;
      readonly step: 'receipt' | 'log' | 'today';
      readonly code: string;
      readonly message: string;
      readonly mirror?: string;
    };

/** Checks `receipt` against the logs today. Never rejects but when aborted. */
export async function checkReceiptToday(
  receipt: string | Uint8Array,
  letter: Letter,
  logs: readonly LogRef[],
  options: { signal?: AbortSignal } = {}
): Promise<ReceiptReport> {
  const failed = (
    step: 'receipt' | 'log' | 'today',
    e: unknown,
    mirror?: string
  ): ReceiptReport => ({
    ok: false,
    step,
    code: isUndersignedError(e) ? e.code : 'UNKNOWN',
    message: e instanceof Error ? e.message : String(e),
    ...(mirror === undefined ? {} : { mirror }),
  });
  let origin: string;
  try {
    origin = openCheckpointOrigin(parseReceipt(receipt).checkpoint);
  } catch (e) {
    return failed('receipt', e);
  }
  const log = logs.find((l) => l.origin === origin);
  if (log === undefined)
    return failed('log', new Error('no mirror in use serves the log of this receipt'));
  const key = newVerifier(log.vkey);
  let checked;
  try {
    checked = checkReceipt(receipt, [key], letter);
  } catch (e) {
    return failed('receipt', e);
  }
  let last: ReceiptReport | undefined;
  for (const source of log.sources) {
    try {
      const note = utf8Decode(await fetchCheckpoint(source, options));
      const today = openCheckpoint(note, [key], origin).checkpoint;
      await checkConsistency(source, checked.checkpoint, today, options);
      return {
        ok: true,
        origin,
        index: checked.index,
        kind: checked.entry.kind,
        name: checked.entry.name,
        affiliation: checked.entry.affiliation,
        publicKey: checked.entry.publicKey,
        receiptSize: checked.checkpoint.treeSize,
        todaySize: today.treeSize,
        mirror: source.mirror,
      };
    } catch (e) {
      if (options.signal?.aborted === true) throw options.signal.reason;
      last = failed('today', e, source.mirror);
    }
  }
  return last ?? failed('log', new Error('no mirror serves this log'));
}

/** The origin line of a checkpoint note, unverified (only to find which log key to check with). */
function openCheckpointOrigin(note: string): string {
  return note.slice(0, note.indexOf('\n'));
}
