// The breakdown by affiliation as shown (docs/PROTOCOL.md §5): affiliations with fewer than k
// counted keys are folded into one "fewer than k" row, so that a group of one does not point at
// a person; the rest are shown largest first, their names made safe to display.
//
// Policy: k = 5. The "no affiliation given" row is always shown: it singles nobody out.

import { displayText } from '../../core/text.ts';

/** The smallest group shown by name. */
export const K_ANONYMITY = 5;
/** Affiliations are shown at most this many characters long (an entry allows 64 bytes). */
export const AFFILIATION_CHARS = 48;

/** One row of the chart. */
export type BreakdownRow =
  | { readonly kind: 'named'; readonly key: string; readonly label: string; readonly count: number }
  | { readonly kind: 'none'; readonly key: string; readonly count: number }
  | { readonly kind: 'folded'; readonly key: string; readonly count: number };

/** The rows of the chart for a verified breakdown (largest first, the folded row last). */
export function foldBreakdown(
  byAffiliation: ReadonlyMap<string, number>,
  k = K_ANONYMITY
): BreakdownRow[] {
  const rows: BreakdownRow[] = [];
  let folded = 0;
  for (const [affiliation, count] of byAffiliation) {
    if (affiliation === '') rows.push({ kind: 'none', key: 'none', count });
    else if (count < k) folded += count;
    else
      rows.push({
        kind: 'named',
        key: `a:${affiliation}`,
        label: displayText(affiliation, AFFILIATION_CHARS),
        count,
      });
  }
  rows.sort((a, b) => b.count - a.count);
  if (folded > 0) rows.push({ kind: 'folded', key: 'folded', count: folded });
  return rows;
}

/**
 * How many counted signers gave `typed` as their affiliation, as the entry would hold it (NFC,
 * trimmed); undefined for an empty affiliation.
 */
export function bucketSize(
  byAffiliation: ReadonlyMap<string, number>,
  typed: string
): number | undefined {
  const affiliation = typed.normalize('NFC').trim();
  if (affiliation === '') return undefined;
  return byAffiliation.get(affiliation) ?? 0;
}

/** Whether signing with `typed` would put the signer in a group the verified breakdown shows with fewer than k signers. */
export function isSmallBucket(
  byAffiliation: ReadonlyMap<string, number>,
  typed: string,
  k = K_ANONYMITY
): boolean {
  const size = bucketSize(byAffiliation, typed);
  return size !== undefined && size < k;
}
