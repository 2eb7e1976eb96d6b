// Receipts (docs/PROTOCOL.md §9, core/receipt.ts) for entries of a log, against its last signed
// checkpoint, with inclusion proofs made from its stored tiles (log.ts proveRecords).

import { formatReceipt } from '../../core/receipt.ts';
import type { Log } from './log.ts';
import type { Accepted } from './pending.ts';

/** The receipt of each entry, given with its index, in the log's last signed checkpoint. */
export async function logReceipts(
  log: Log,
  items: readonly { readonly index: number; readonly entry: Uint8Array }[]
): Promise<Accepted[]> {
  const { checkpoint, proofs } = await log.proveRecords(items.map((item) => item.index));
  return items.map(({ index, entry }, i) => ({
    index,
    receipt: formatReceipt({ entry, index, proof: proofs[i] ?? [], checkpoint }),
  }));
}
