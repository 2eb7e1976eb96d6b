import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkEntryBundle, type BundleCheck } from '../../core/bundle-check.ts';
import { createEd25519Verifier } from '../../core/ed25519-batch.ts';
import { encodeEntryBundle } from '../../core/entry-bundle.ts';
import { ENTRY_BUNDLE_LEVEL, type Tile } from '../../core/tiles.ts';
import { letterId } from '../../core/letter.ts';
import { utf8Encode } from '../../core/bytes.ts';
import { packBundleCheck, unpackBundleCheck } from '../../core/bundle-result.ts';
import { testEntry, testLetter } from '../helpers/entries.ts';

const letter = testLetter(0);
const bundle: Tile = { level: ENTRY_BUNDLE_LEVEL, index: 2 ** 24 + 1, width: 9 };
let check: BundleCheck;
let packed: ArrayBuffer;

beforeAll(async () => {
  const forged = (await testEntry(letter, 3)).slice();
  forged[forged.length - 1] = (forged[forged.length - 1] ?? 0) ^ 1;
  const entries = [
    await testEntry(letter, 0, { affiliation: 'Acme' }),
    await testEntry(letter, 1, { affiliation: 'Société générale' }),
    utf8Encode('not an entry'),
    await testEntry(letter, 2, { affiliation: 'Acme' }),
    await testEntry(testLetter(5), 2),
    await testEntry(letter, 0, { kind: 'withdraw' }),
    forged,
    await testEntry(letter, 4),
    await testEntry(letter, 5, { affiliation: '日本' }),
  ];
  check = await checkEntryBundle(encodeEntryBundle(entries), bundle, {
    letterId: letterId(letter),
    stampBits: 0,
    ed25519: createEd25519Verifier(),
  });
  packed = packBundleCheck(check, bundle);
});

/** A copy of `buffer` changed by `edit`. */
function edited(buffer: ArrayBuffer, edit: (bytes: Uint8Array) => Uint8Array): ArrayBuffer {
  return edit(new Uint8Array(buffer.slice(0))).slice().buffer;
}

describe('a packed bundle check', () => {
  it('round-trips leaf hashes, valid entries and rejected entries', () => {
    expect(check.valid).toHaveLength(6);
    expect(check.rejected.map((r) => r.code)).toEqual([
      'MALFORMED_ENTRY',
      'WRONG_LETTER',
      'BAD_ENTRY_SIGNATURE',
    ]);
    const back = unpackBundleCheck(packed.slice(0), bundle);
    expect(back.leafHashes).toEqual(check.leafHashes);
    expect(back.valid).toEqual(check.valid);
    expect(back.rejected).toEqual(check.rejected);
  });

  it('stores each affiliation once per bundle', () => {
    const view = new DataView(packed);
    expect(view.getUint16(0)).toBe(9);
    expect(view.getUint16(2)).toBe(4); // Acme, Société générale, '', 日本
  });

  it('throws RangeError for every truncation and for trailing bytes', () => {
    for (let n = 0; n < packed.byteLength; n++) {
      expect(() => unpackBundleCheck(packed.slice(0, n), bundle)).toThrow(RangeError);
    }
    const longer = edited(packed, (b) => Uint8Array.from([...b, 0]));
    expect(() => unpackBundleCheck(longer, bundle)).toThrow(RangeError);
  });

  it('throws RangeError for a wrong width, verdict, code, affiliation number or UTF-8', () => {
    expect(() => unpackBundleCheck(packed, { ...bundle, width: 8 })).toThrow(RangeError);
    const firstVerdict = packed.byteLength - verdictsLength(check);
    const cases = [
      edited(packed, (b) => b.fill(7, firstVerdict, firstVerdict + 1)), // unknown verdict
      edited(packed, (b) => b.fill(0xff, firstVerdict + 33, firstVerdict + 35)), // affiliation 65535
      edited(packed, (b) => b.fill(0xff, 5, 6)), // invalid UTF-8 in the first affiliation
    ];
    for (const buffer of cases) expect(() => unpackBundleCheck(buffer, bundle)).toThrow(RangeError);
    const single: Tile = { ...bundle, width: 1 };
    const rejected = packBundleCheck(
      {
        leafHashes: new Uint8Array(32),
        valid: [],
        rejected: [{ index: bundle.index * 256, code: 'WRONG_LETTER', reason: 'no' }],
      },
      single
    );
    const badCode = edited(rejected, (b) => b.fill(9, 4 + 32 + 1, 4 + 32 + 2));
    expect(() => unpackBundleCheck(badCode, single)).toThrow(RangeError);
    expect(unpackBundleCheck(rejected, single).rejected[0]?.code).toBe('WRONG_LETTER');
  });

  it('refuses to pack a check that misses or repeats an entry', () => {
    const missing = { ...check, valid: check.valid.slice(1) };
    expect(() => packBundleCheck(missing, bundle)).toThrow(RangeError);
    const repeated = { ...check, valid: [...check.valid.slice(0, 1), ...check.valid.slice(0, -1)] };
    expect(() => packBundleCheck(repeated, bundle)).toThrow(RangeError);
    const elsewhere = { ...check, rejected: check.rejected.map((r) => ({ ...r, index: 0 })) };
    expect(() => packBundleCheck(elsewhere, bundle)).toThrow(RangeError);
    expect(() => packBundleCheck(check, { ...bundle, width: 10 })).toThrow(RangeError);
  });

  it('unpacks any bytes or throws RangeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.integer({ min: 1, max: 4 }), (b, width) => {
        try {
          const out = unpackBundleCheck(b.slice().buffer, { ...bundle, width });
          expect(out.valid.length + out.rejected.length).toBe(width);
        } catch (e) {
          if (!(e instanceof RangeError)) throw e;
        }
      })
    );
  });
});

/** The bytes of the verdicts at the end of a packed check. */
function verdictsLength(c: BundleCheck): number {
  let n = c.valid.reduce((sum, e) => sum + 33 + (e.kind === 'sign' ? 2 : 0), 0);
  for (const r of c.rejected) n += 4 + utf8Encode(r.reason).length;
  return n;
}
