import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  formatReceipt,
  parseReceipt,
  checkReceipt,
  MAX_PROOF_HASHES,
  type Receipt,
} from '../../core/receipt.ts';
import { isUndersignedError } from '../../core/errors.ts';
import { letterId } from '../../core/letter.ts';
import { proveRecord, recordHash } from '../../core/merkle.ts';
import { newVerifier } from '../../core/note.ts';
import { toBase64, utf8Decode, utf8Encode } from '../../core/bytes.ts';
import { testEntry, testLetter } from '../helpers/entries.ts';
import { buildLog, type BuiltLog } from '../helpers/log.ts';

const letter = testLetter(2);
const other = testLetter(3);
let entries: Uint8Array[];
let log: BuiltLog;

/** The receipt of leaf `index` of `built`, whose leaves are `leaves`. */
function receiptOf(built: BuiltLog, leaves: readonly Uint8Array[], index: number): string {
  const proof = proveRecord(
    leaves.length,
    index,
    leaves.map((e) => recordHash(e))
  );
  return formatReceipt({
    entry: leaves[index] as Uint8Array,
    index,
    proof,
    checkpoint: built.checkpoint,
  });
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** The base64 digit with its lowest bit set (a pad bit, in the last digit before "="). */
function setLowBit(digit: string): string {
  return B64[B64.indexOf(digit) | 1] ?? digit;
}

/** Runs `f`, and returns the code of the UndersignedError it throws ('' if none; rethrows others). */
function codeOf(f: () => unknown): string {
  try {
    f();
    return '';
  } catch (e) {
    if (isUndersignedError(e)) return e.code;
    throw e;
  }
}

beforeAll(async () => {
  entries = [];
  for (let i = 0; i < 7; i++) entries.push(await testEntry(letter, i));
  log = buildLog(letterId(letter), entries);
});

describe('formatReceipt and parseReceipt', () => {
  it('round-trip, and the text has the c2sp.org/tlog-proof@v1 layout', () => {
    const text = receiptOf(log, entries, 3);
    const parsed = parseReceipt(text);
    expect(parsed.index).toBe(3);
    expect(parsed.proof).toHaveLength(3);
    expect(parsed.checkpoint).toBe(log.checkpoint);
    expect(formatReceipt(parsed)).toBe(text);
    expect(parseReceipt(utf8Encode(text))).toEqual(parsed);
    const lines = text.split('\n');
    expect(lines.slice(0, 3)).toEqual([
      'c2sp.org/tlog-proof@v1',
      `extra ${toBase64(entries[3] as Uint8Array)}`,
      'index 3',
    ]);
    expect(lines[6]).toBe('');
    expect(text.endsWith(`\n\n${log.checkpoint}`)).toBe(true);
  });

  const good = (): string => receiptOf(log, entries, 3);
  const cases: [string, (text: string) => string][] = [
    ['another header', (t) => t.replace('c2sp.org/tlog-proof@v1', 'c2sp.org/tlog-proof@v2')],
    ['no extra line', (t) => t.replace(/^extra .*\n/m, '')],
    ['an empty extra line', (t) => t.replace(/^extra .*$/m, 'extra ')],
    ['an extra line with white space', (t) => t.replace(/^extra /m, 'extra  ')],
    ['a leading zero in the index', (t) => t.replace('index 3', 'index 03')],
    ['a signed index', (t) => t.replace('index 3', 'index +3')],
    ['an index of 2^53', (t) => t.replace('index 3', 'index 9007199254740992')],
    ['no index line', (t) => t.replace('index 3\n', '')],
    ['CRLF line ends', (t) => t.replaceAll('\n', '\r\n')],
    ['a space after a proof hash', (t) => t.replace(/^(index 3\n[^\n]+)/m, '$1 ')],
    [
      'a proof hash of 31 bytes',
      (t) => t.replace(/^(index 3\n)[^\n]+/m, `$1${toBase64(new Uint8Array(31))}`),
    ],
    [
      'non-zero base64 pad bits',
      (t) =>
        t.replace(
          /^(index 3\n[^\n]{42})(.)=/m,
          (_, head: string, c: string) => `${head}${setLowBit(c)}=`
        ),
    ],
    ['no blank line', (t) => t.replace('\n\n', '\n')],
    ['a checkpoint that is not a note', (t) => t.slice(0, t.lastIndexOf('\n\n') + 1)],
    ['a note that is not a checkpoint', (t) => t.replace(/(\n\n[^\n]+\n)7\n/, '$1seven\n')],
  ];
  it.each(cases)('refuse %s', (_, mangle) => {
    const text = mangle(good());
    expect(text).not.toBe(good());
    expect(() => parseReceipt(text)).toThrowCode('MALFORMED_RECEIPT');
  });

  it('refuses more than MAX_PROOF_HASHES proof lines, and a huge receipt', () => {
    const hashes = Array.from({ length: MAX_PROOF_HASHES + 1 }, () =>
      toBase64(new Uint8Array(32))
    ).join('\n');
    const text = good().replace(/^index 3\n/m, `index 3\n${hashes}\n`);
    expect(() => parseReceipt(text)).toThrowCode('MALFORMED_RECEIPT');
    expect(() => parseReceipt('x'.repeat(2_000_000))).toThrowCode('MALFORMED_RECEIPT');
    expect(() => parseReceipt(Uint8Array.of(0xff, 0xfe))).toThrowCode('MALFORMED_RECEIPT');
  });

  it('formatReceipt refuses what it could not parse back', () => {
    const base: Receipt = parseReceipt(good());
    expect(() => formatReceipt({ ...base, index: -1 })).toThrow(RangeError);
    expect(() => formatReceipt({ ...base, index: 2 ** 53 })).toThrow(RangeError);
    expect(() => formatReceipt({ ...base, proof: [new Uint8Array(31)] })).toThrow(RangeError);
    expect(() => formatReceipt({ ...base, entry: new Uint8Array(0) })).toThrow(RangeError);
    expect(() => formatReceipt({ ...base, checkpoint: 'no final newline' })).toThrow(RangeError);
  });

  it('any string parses or throws MALFORMED_RECEIPT', () => {
    const text = good();
    fc.assert(
      fc.property(
        fc.string({ maxLength: 300 }),
        fc.nat(text.length),
        fc.nat(40),
        (junk, at, cut) => {
          for (const input of [junk, text.slice(0, at) + junk + text.slice(at + cut)]) {
            const code = codeOf(() => parseReceipt(input));
            expect(['', 'MALFORMED_RECEIPT']).toContain(code);
          }
        }
      )
    );
  });
});

describe('checkReceipt', () => {
  it('accepts the receipt of every leaf, proof lengths 0 and up', () => {
    const keys = [newVerifier(log.vkey)];
    for (let i = 0; i < entries.length; i++) {
      const checked = checkReceipt(receiptOf(log, entries, i), keys, letter);
      expect(checked.index).toBe(i);
      expect(checked.checkpoint.treeSize).toBe(entries.length);
      expect(checked.signedBy).toEqual([log.origin]);
    }
    const single = buildLog(letterId(letter), entries.slice(0, 1));
    const text = receiptOf(single, entries.slice(0, 1), 0);
    expect(parseReceipt(text).proof).toHaveLength(0);
    expect(checkReceipt(text, [newVerifier(single.vkey)], letter).index).toBe(0);
  });

  it('refuses a receipt of another log, another letter, a wrong index or proof', () => {
    const keys = [newVerifier(log.vkey)];
    const text = receiptOf(log, entries, 5);
    const otherLog = buildLog(letterId(letter), entries, 'another log key');
    expect(() => checkReceipt(text, [newVerifier(otherLog.vkey)], letter)).toThrowCode(
      'UNVERIFIED_NOTE'
    );
    expect(() => checkReceipt(text, keys, other)).toThrowCode('WRONG_ORIGIN');
    const parsed = parseReceipt(text);
    expect(() => checkReceipt({ ...parsed, index: 4 }, keys, letter)).toThrowCode('INVALID_PROOF');
    expect(() => checkReceipt({ ...parsed, index: 7 }, keys, letter)).toThrowCode('INVALID_PROOF');
    expect(() =>
      checkReceipt({ ...parsed, proof: parsed.proof.slice(1) }, keys, letter)
    ).toThrowCode('INVALID_PROOF');
    expect(() =>
      checkReceipt({ ...parsed, entry: entries[4] as Uint8Array }, keys, letter)
    ).toThrowCode('INVALID_PROOF');
  });

  it('refuses an included entry that does not count, with its §5 code', async () => {
    const forged = (await testEntry(letter, 100)).slice();
    forged[forged.length - 1] = (forged[forged.length - 1] ?? 0) ^ 1;
    const leaves = [await testEntry(other, 1), forged, utf8Encode('not an entry')];
    const bad = buildLog(letterId(letter), leaves);
    const keys = [newVerifier(bad.vkey)];
    expect(() => checkReceipt(receiptOf(bad, leaves, 0), keys, letter)).toThrowCode('WRONG_LETTER');
    expect(() => checkReceipt(receiptOf(bad, leaves, 1), keys, letter)).toThrowCode(
      'BAD_ENTRY_SIGNATURE'
    );
    expect(() => checkReceipt(receiptOf(bad, leaves, 2), keys, letter)).toThrowCode(
      'MALFORMED_ENTRY'
    );
  });

  it('refuses every receipt with one byte changed or one line removed', () => {
    const keys = [newVerifier(log.vkey)];
    const bytes = utf8Encode(receiptOf(log, entries, 6));
    for (let i = 0; i < bytes.length; i++) {
      const changed = bytes.slice();
      changed[i] = (changed[i] ?? 0) ^ 0x01;
      expect(
        codeOf(() => checkReceipt(changed, keys, letter)),
        `byte ${i}`
      ).not.toBe('');
    }
    const lines = utf8Decode(bytes).split('\n');
    lines.forEach((_, i) => {
      const text = lines.filter((__, j) => j !== i).join('\n');
      expect(
        codeOf(() => checkReceipt(text, keys, letter)),
        `line ${i}`
      ).not.toBe('');
    });
  });
});
