import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  entrySigningMessage,
  formatEntry,
  formatEntryBody,
  MAX_ENTRY_SIZE,
  parseEntry,
  type EntryFields,
} from '../../core/entry.ts';
import { checkEntry } from '../../core/entry-check.ts';
import { letterId } from '../../core/letter.ts';
import { isUndersignedError } from '../../core/errors.ts';
import { publicKeyFromSeed, verifyEd25519 } from '../../core/ed25519.ts';
import { stampZeroBits } from '../../core/stamp.ts';
import { testEntry, testLetter, testSeed } from '../helpers/entries.ts';

const letter = testLetter();

function fields(overrides: Partial<EntryFields> = {}): EntryFields {
  return {
    kind: 'sign',
    letterId: letterId(letter),
    publicKey: publicKeyFromSeed(testSeed(1)),
    stampNonce: new Uint8Array(8),
    name: 'Ada',
    affiliation: 'Analytical Engines',
    extensions: [],
    ...overrides,
  };
}

describe('formatEntryBody / parseEntry', () => {
  it('lays out the fields as docs/PROTOCOL.md §3.1 says', () => {
    const body = formatEntryBody(fields());
    expect(body[0]).toBe(1);
    expect(body[1]).toBe(1);
    expect(body.subarray(2, 34)).toEqual(letterId(letter));
    expect(body[74]).toBe(3);
    expect(new TextDecoder().decode(body.subarray(75, 78))).toBe('Ada');
    expect(body[78]).toBe(18);
    expect(body.length).toBe(75 + 3 + 1 + 18 + 2);
  });
  it('round-trips every field', async () => {
    const bytes = await testEntry(letter, 1, {
      name: 'Ada',
      affiliation: 'Analytical Engines',
      extensions: [
        { type: 1, value: Uint8Array.of(1, 2) },
        { type: 7, value: new Uint8Array() },
      ],
    });
    const entry = parseEntry(bytes);
    expect(entry).toMatchObject({ kind: 'sign', name: 'Ada', affiliation: 'Analytical Engines' });
    expect(entry.extensions.map((x) => x.type)).toEqual([1, 7]);
    expect(formatEntry(formatEntryBody(entry), entry.signature)).toEqual(bytes);
    expect(verifyEd25519(entry.publicKey, entrySigningMessage(entry.body), entry.signature)).toBe(
      true
    );
  });
  it('refuses a withdraw entry with a name', () => {
    expect(() => formatEntryBody(fields({ kind: 'withdraw' }))).toThrowCode('MALFORMED_ENTRY');
  });
  it('refuses extensions out of order', () => {
    const extensions = [
      { type: 2, value: new Uint8Array() },
      { type: 2, value: new Uint8Array() },
    ];
    expect(() => formatEntryBody(fields({ extensions }))).toThrowCode('MALFORMED_ENTRY');
  });
  it(`refuses entries over ${MAX_ENTRY_SIZE} bytes`, () => {
    const extensions = [{ type: 1, value: new Uint8Array(900) }];
    expect(() => formatEntryBody(fields({ extensions }))).toThrowCode('MALFORMED_ENTRY');
  });
  it.each([
    ['a bidi override in the name', { name: 'Ada\u202E' }],
    ['a zero-width joiner in the affiliation', { affiliation: 'A\u200DB' }],
    ['a name over 64 bytes', { name: 'x'.repeat(65) }],
    ['a leading space', { name: ' Ada' }],
  ])('refuses %s', (_, overrides) => {
    expect(() => formatEntryBody(fields(overrides))).toThrowCode('MALFORMED_ENTRY');
  });
  it('has exactly one encoding: any bytes either fail to parse or format back to themselves', async () => {
    const valid = await testEntry(letter, 2, { name: 'Grace', affiliation: 'Navy' });
    const mutated = fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 1, max: 255 }));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 1100 }),
          mutated.map(([i, d]) => flip(valid, i, d))
        ),
        (bytes) => {
          try {
            const entry = parseEntry(bytes);
            expect(formatEntry(formatEntryBody(entry), entry.signature)).toEqual(bytes);
          } catch (e) {
            expect(isUndersignedError(e, 'MALFORMED_ENTRY')).toBe(true);
          }
        }
      )
    );
  });
  it('refuses every truncation and every extension by one byte', async () => {
    const valid = await testEntry(letter, 3, { name: 'Hopper' });
    for (let n = 0; n < valid.length; n++) {
      expect(() => parseEntry(valid.subarray(0, n))).toThrowCode('MALFORMED_ENTRY');
    }
    const longer = new Uint8Array(valid.length + 1);
    longer.set(valid);
    expect(() => parseEntry(longer)).toThrowCode('MALFORMED_ENTRY');
  });
});

describe('checkEntry', () => {
  it('accepts a good entry and refuses one for another letter', async () => {
    const bytes = await testEntry(letter, 4);
    expect(checkEntry(bytes, letterId(letter), 0).ok).toBe(true);
    const other = testLetter(1);
    expect(checkEntry(bytes, letterId(other), 0)).toMatchObject({
      ok: false,
      code: 'WRONG_LETTER',
    });
  });
  it('refuses entries whose stamp is short of the letter difficulty', async () => {
    const stamped = testLetter(10);
    const bytes = await testEntry(stamped, 5);
    const entry = parseEntry(bytes);
    expect(stampZeroBits(entry.body)).toBeGreaterThanOrEqual(10);
    expect(checkEntry(bytes, letterId(stamped), 10).ok).toBe(true);
    const unstamped = await testEntry(stamped, 5, {});
    const body = parseEntry(unstamped).body.slice();
    body[70] = (body[70] ?? 0) ^ 0x40; // a different nonce: almost surely no 10-bit stamp
    if (stampZeroBits(body) < 10) {
      const forged = formatEntry(body, parseEntry(unstamped).signature);
      expect(checkEntry(forged, letterId(stamped), 10)).toMatchObject({
        ok: false,
        code: 'INSUFFICIENT_STAMP',
      });
    }
  });
  it('refuses malformed bytes with a reason', () => {
    expect(checkEntry(new TextEncoder().encode('leaf-0'), letterId(letter), 0)).toMatchObject({
      ok: false,
      code: 'MALFORMED_ENTRY',
    });
  });
  it('refuses small-order public keys', async () => {
    const bytes = (await testEntry(letter, 6)).slice();
    bytes.fill(0, 34, 66);
    bytes[34] = 1; // the identity point
    expect(checkEntry(bytes, letterId(letter), 0)).toMatchObject({
      ok: false,
      code: 'BAD_ENTRY_SIGNATURE',
    });
  });
});

function flip(bytes: Uint8Array, index: number, delta: number): Uint8Array {
  const out = bytes.slice();
  out[index] = ((out[index] ?? 0) + delta) % 256;
  return out;
}
