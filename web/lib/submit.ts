// Submitting an entry to several mirrors (docs/PROTOCOL.md §8.3), all at once, and checking each
// receipt that comes back (§9) against the log keys the client knows before showing it: a
// mirror cannot hand the signer a receipt for a log it does not run or an entry it changed.
//
// What it reveals: each mirror asked sees the signer's IP address and the time, with the entry.

import { equalBytes, toBase64 } from '../../core/bytes.ts';
import { checkReceipt, parseReceipt } from '../../core/receipt.ts';
import { newVerifier } from '../../core/note.ts';
import type { Letter } from '../../core/letter.ts';
import { postEntry, type LogRef } from './mirror-api.ts';

/** One mirror's answer to a submission. */
export type SubmitResult =
  | {
      readonly mirror: string;
      readonly ok: true;
      readonly receipt: string;
      readonly index: number;
      readonly origin: string;
    }
  | {
      readonly mirror: string;
      readonly ok: false;
      readonly code: string;
      readonly message: string;
    };

/** Submits `entry` to every mirror in `mirrors` and checks the receipts. Never rejects but when aborted. */
export async function submitEntry(
  entry: Uint8Array,
  mirrors: readonly string[],
  letter: Letter,
  logs: readonly LogRef[],
  options: { signal?: AbortSignal; timeoutMs?: number } = {}
): Promise<SubmitResult[]> {
  const keys = logs.map((log) => newVerifier(log.vkey));
  const base64 = toBase64(entry);
  return Promise.all(
    mirrors.map(async (mirror): Promise<SubmitResult> => {
      try {
        const answer = await postEntry(mirror, base64, {
          ...options,
          timeoutMs: options.timeoutMs ?? 60_000,
        });
        if (!answer.ok) return { mirror, ok: false, code: answer.code, message: answer.message };
        const parsed = parseReceipt(answer.receipt);
        if (!equalBytes(parsed.entry, entry)) {
          return {
            mirror,
            ok: false,
            code: 'MALFORMED_RECEIPT',
            message: 'the receipt is for another entry',
          };
        }
        const checked = checkReceipt(parsed, keys, letter);
        return {
          mirror,
          ok: true,
          receipt: answer.receipt,
          index: checked.index,
          origin: checked.checkpoint.origin,
        };
      } catch (e) {
        if (options.signal?.aborted === true) throw options.signal.reason;
        const code = (e as { code?: unknown }).code;
        return {
          mirror,
          ok: false,
          code: typeof code === 'string' ? code : 'UNKNOWN',
          message: e instanceof Error ? e.message : String(e),
        };
      }
    })
  );
}
