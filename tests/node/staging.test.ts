import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { concatBytes, utf8Encode } from '../../core/bytes.ts';
import { encodeEntryBundle } from '../../core/entry-bundle.ts';
import { isUndersignedError } from '../../core/errors.ts';
import { recordHash } from '../../core/merkle.ts';
import { tileHashes, TileWriter } from '../../core/tile-writer.ts';
import { ENTRY_BUNDLE_LEVEL } from '../../core/tiles.ts';
import { formatStaging, parseStaging, type StagedBatch } from '../../node/log/staging.ts';

function batchOf(size: number): StagedBatch {
  const entries = Array.from({ length: size }, (_, i) => utf8Encode(`entry ${i}`));
  const leaves = entries.map((e) => recordHash(e));
  const writer = new TileWriter();
  writer.append(leaves);
  const bundles = [
    {
      tile: { level: ENTRY_BUNDLE_LEVEL, index: 0, width: Math.min(size, 256) },
      data: encodeEntryBundle(entries.slice(0, 256)),
    },
  ];
  return { treeSize: size, rootHash: writer.root(), tiles: [...tileHashes(leaves), ...bundles] };
}

/** Parses, or returns the code of the UndersignedError it throws (anything else fails). */
function codeOf(bytes: Uint8Array): string {
  try {
    parseStaging(bytes);
    return '';
  } catch (e) {
    if (isUndersignedError(e)) return e.code;
    throw e;
  }
}

describe('formatStaging and parseStaging', () => {
  it('round-trip a batch of hash tiles and entry bundles', () => {
    for (const size of [1, 255, 256, 300]) {
      const batch = batchOf(size);
      const parsed = parseStaging(formatStaging(batch));
      expect(parsed.treeSize).toBe(size);
      expect(parsed.rootHash).toEqual(batch.rootHash);
      expect(parsed.tiles).toEqual(batch.tiles);
    }
  });

  it('refuses damaged files, CORRUPT_DATA', () => {
    const good = formatStaging(batchOf(300));
    const text = (s: string): Uint8Array => utf8Encode(s);
    const header = good.subarray(
      0,
      good.indexOf(0x0a, good.indexOf(0x0a, good.indexOf(0x0a) + 1) + 1) + 1
    );
    const body = good.subarray(header.length);
    const cases: [string, Uint8Array][] = [
      ['empty', new Uint8Array(0)],
      ['another header', concatBytes(text('undersigned/staging/v2'), good.subarray(22))],
      [
        'a leading zero in the size',
        concatBytes(text('undersigned/staging/v1\n0300'), good.subarray(26)),
      ],
      ['truncated', good.subarray(0, good.length - 1)],
      ['trailing bytes', concatBytes(good, Uint8Array.of(0))],
      ['a tile twice', concatBytes(good, body.subarray(0, 2 + 10 + 4 + 8192))],
      [
        'a hash tile of the wrong length',
        concatBytes(
          header,
          Uint8Array.of(0, 10),
          text('tile/0/000'),
          Uint8Array.of(0, 0, 0, 32),
          new Uint8Array(32)
        ),
      ],
      [
        'a non-canonical tile path',
        concatBytes(header, Uint8Array.of(0, 11), text('tile/0/0000'), Uint8Array.of(0, 0, 0, 0)),
      ],
      [
        'a bundle that is not one',
        concatBytes(
          header,
          Uint8Array.of(0, 18),
          text('tile/entries/000.p/2'.slice(0, 18)),
          Uint8Array.of(0, 0, 0, 1),
          Uint8Array.of(7)
        ),
      ],
    ];
    for (const [what, bytes] of cases) expect(codeOf(bytes), what).toBe('CORRUPT_DATA');
  });

  it('any bytes, and any change to a good file, parse or throw CORRUPT_DATA', () => {
    const good = formatStaging(batchOf(40));
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.nat(good.length - 1),
        fc.integer({ min: 1, max: 255 }),
        (junk, at, xor) => {
          const changed = good.slice();
          changed[at] = (changed[at] ?? 0) ^ xor;
          for (const input of [junk, changed, concatBytes(good.subarray(0, at), junk)]) {
            expect(['', 'CORRUPT_DATA']).toContain(codeOf(input));
          }
        }
      )
    );
  });
});
