import { describe, expect, it } from 'vitest';
import { bucketSize, foldBreakdown, isSmallBucket } from '../../web/lib/breakdown.ts';

describe('the breakdown as shown', () => {
  const breakdown = new Map([
    ['Acme', 9],
    ['', 6],
    ['Initech', 5],
    ['Tiny', 2],
    ['Solo', 1],
  ]);

  it('folds affiliations with fewer than 5 signers into one row, last', () => {
    expect(
      foldBreakdown(breakdown).map((r) => [r.kind, r.kind === 'named' ? r.label : '', r.count])
    ).toEqual([
      ['named', 'Acme', 9],
      ['none', '', 6],
      ['named', 'Initech', 5],
      ['folded', '', 3],
    ]);
  });

  it('makes affiliation names safe to show: no bidi or zero-width controls, capped', () => {
    const hostile = new Map([
      ['\u202Eevil\u200B', 5],
      ['x'.repeat(64), 5],
    ]);
    const labels = foldBreakdown(hostile).map((r) => (r.kind === 'named' ? r.label : ''));
    expect(labels).toEqual(['evil', 'x'.repeat(47) + '…']);
  });

  it('warns about small groups for the affiliation as the entry would hold it', () => {
    expect(bucketSize(breakdown, ' Tiny ')).toBe(2);
    expect(isSmallBucket(breakdown, 'Tiny')).toBe(true);
    expect(isSmallBucket(breakdown, 'Nobody yet')).toBe(true);
    expect(isSmallBucket(breakdown, 'Initech')).toBe(false);
    expect(isSmallBucket(breakdown, '  ')).toBe(false);
  });
});
