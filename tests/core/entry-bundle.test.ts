import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromHex, toHex, utf8Encode } from '../../core/bytes.ts';
import { decodeEntryBundle, encodeEntryBundle, MAX_ENTRY_SIZE } from '../../core/entry-bundle.ts';
import { isUndersignedError } from '../../core/errors.ts';
import { readSharedJson } from '../helpers/vectors.ts';

const content = readSharedJson<{ tree_1000_content: { path: string; data_hex: string }[] }>(
  'tiles.json'
).tree_1000_content;

const entries = fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 256 });

/** Decodes, or returns the error code. */
function attempt(bytes: Uint8Array, count?: number): Uint8Array[] | string {
  try {
    return decodeEntryBundle(bytes, count);
  } catch (e) {
    if (!isUndersignedError(e)) throw e;
    return e.code;
  }
}

describe('encodeEntryBundle and decodeEntryBundle', () => {
  it('decode the entry bundles of tiles.json to "leaf-<i>", and encode them back', () => {
    const bundles = content.filter((c) => c.path.startsWith('tile/entries/'));
    expect(bundles.map((c) => c.path)).toEqual([
      'tile/entries/000',
      'tile/entries/001',
      'tile/entries/002',
      'tile/entries/003.p/232',
    ]);
    bundles.forEach(({ data_hex }, b) => {
      const width = b < 3 ? 256 : 232;
      const decoded = decodeEntryBundle(fromHex(data_hex), width);
      expect(decoded).toEqual(
        Array.from({ length: width }, (_, i) => utf8Encode(`leaf-${b * 256 + i}`))
      );
      expect(toHex(encodeEntryBundle(decoded))).toBe(data_hex);
    });
  });

  it('round-trip 1..256 entries, and decode to views of the input', () => {
    fc.assert(
      fc.property(entries, (list) => {
        const bytes = encodeEntryBundle(list);
        expect(bytes.length).toBe(list.reduce((n, e) => n + 2 + e.length, 0));
        const decoded = decodeEntryBundle(bytes, list.length);
        expect(decoded).toEqual(list);
        expect(decodeEntryBundle(bytes)).toEqual(list);
        for (const entry of decoded) expect(entry.buffer).toBe(bytes.buffer);
      })
    );
  });

  it('encode lengths as uint16 big-endian, up to 65,535 bytes', () => {
    expect(toHex(encodeEntryBundle([new Uint8Array(0), Uint8Array.of(7)]))).toBe('0000000107');
    const big = new Uint8Array(MAX_ENTRY_SIZE).fill(1);
    const bytes = encodeEntryBundle([big]);
    expect(toHex(bytes.subarray(0, 2))).toBe('ffff');
    expect(decodeEntryBundle(bytes, 1)).toEqual([big]);
    expect(toHex(encodeEntryBundle([new Uint8Array(0x0102)]).subarray(0, 2))).toBe('0102');
  });

  it('refuse to encode 0 or 257 entries, or an entry over 65,535 bytes', () => {
    expect(() => encodeEntryBundle([])).toThrow(RangeError);
    expect(() => encodeEntryBundle(Array.from({ length: 257 }, () => new Uint8Array(0)))).toThrow(
      RangeError
    );
    expect(() => encodeEntryBundle([new Uint8Array(MAX_ENTRY_SIZE + 1)])).toThrow(RangeError);
    expect(() => encodeEntryBundle(['ab' as unknown as Uint8Array])).toThrow(TypeError);
  });

  it('refuse empty, truncated, overlong and miscounted bundles', () => {
    const three = encodeEntryBundle([utf8Encode('a'), utf8Encode('bc'), utf8Encode('')]);
    expect(attempt(new Uint8Array(0))).toBe('MALFORMED_ENTRY_BUNDLE');
    expect(attempt(Uint8Array.of(0))).toBe('MALFORMED_ENTRY_BUNDLE');
    expect(attempt(Uint8Array.of(0, 2, 1))).toBe('MALFORMED_ENTRY_BUNDLE');
    expect(attempt(three, 2)).toBe('MALFORMED_ENTRY_BUNDLE');
    expect(attempt(three, 4)).toBe('MALFORMED_ENTRY_BUNDLE');
    expect(attempt(Uint8Array.from([...three, 0]))).toBe('MALFORMED_ENTRY_BUNDLE');
    expect(attempt(Uint8Array.from([...three, 0, 0]), 3)).toBe('MALFORMED_ENTRY_BUNDLE');
    expect(attempt(new Uint8Array(2 * 257))).toBe('MALFORMED_ENTRY_BUNDLE'); // 257 empty entries
    expect(attempt(new Uint8Array(2 * 256))).toHaveLength(256);
    expect(() => decodeEntryBundle(three, 0)).toThrow(RangeError);
    expect(() => decodeEntryBundle(three, 257)).toThrow(RangeError);
    expect(() => decodeEntryBundle(three, 1.5)).toThrow(RangeError);
    expect(() => decodeEntryBundle([0, 0] as unknown as Uint8Array)).toThrow(TypeError);
  });

  it('decode every substring and every byte change of a bundle, or throw MALFORMED_ENTRY_BUNDLE', () => {
    const bytes = encodeEntryBundle([
      utf8Encode('one'),
      new Uint8Array(0),
      utf8Encode('three!'),
      Uint8Array.of(255),
    ]);
    const check = (b: Uint8Array): void => {
      const result = attempt(b);
      if (typeof result === 'string') expect(result).toBe('MALFORMED_ENTRY_BUNDLE');
      else expect(encodeEntryBundle(result)).toEqual(b);
    };
    for (let i = 0; i < bytes.length; i++) {
      for (let j = i; j <= bytes.length; j++) check(bytes.subarray(i, j));
      for (const v of [0, 1, 2, 3, 0x80, 0xff]) {
        const c = bytes.slice();
        c[i] = v;
        check(c);
      }
    }
  });

  it('decode any bytes or throw MALFORMED_ENTRY_BUNDLE, and round-trip what they decode', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 600 }), entries.map(encodeEntryBundle)),
        fc.option(fc.integer({ min: 1, max: 256 }), { nil: undefined }),
        (bytes, count) => {
          const result = attempt(bytes, count);
          if (typeof result === 'string') {
            expect(result).toBe('MALFORMED_ENTRY_BUNDLE');
          } else {
            expect(encodeEntryBundle(result)).toEqual(bytes);
            if (count !== undefined) expect(result).toHaveLength(count);
          }
        }
      )
    );
  });
});
