import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { letterId } from '../../core/letter.ts';
import { proveRecord, recordHash } from '../../core/merkle.ts';
import { formatReceipt } from '../../core/receipt.ts';
import { utf8Decode } from '../../core/bytes.ts';
import { buildLog, type BuiltLog } from '../helpers/log.ts';
import { testEntry, testLetter } from '../helpers/entries.ts';
import { fetchInfo, logsFromInfo } from '../../web/lib/mirror-api.ts';
import { checkReceiptToday } from '../../web/lib/receipt-check.ts';
import { serveMirrors } from './fake-mirrors.ts';

const letter = testLetter(0);
const id = letterId(letter);
let entries: Uint8Array[];
let then: BuiltLog;
let receipt: string;
beforeAll(async () => {
  entries = await Promise.all(
    Array.from({ length: 300 }, (_, i) => testEntry(letter, i, { name: i === 5 ? 'Ada' : '' }))
  );
  then = buildLog(id, entries.slice(0, 10), 'receipt log');
  const leaves = entries.slice(0, 10).map((e) => recordHash(e));
  receipt = formatReceipt({
    entry: entries[5] ?? new Uint8Array(0),
    index: 5,
    proof: proveRecord(10, 5, leaves),
    checkpoint: then.checkpoint,
  });
});
afterEach(() => {
  vi.unstubAllGlobals();
});

async function check(today: BuiltLog, text = receipt) {
  serveMirrors([{ url: 'https://a.example/', log: today, letter }]);
  const logs = logsFromInfo(
    [{ mirror: 'https://a.example/', info: await fetchInfo('https://a.example/') }],
    id
  );
  return checkReceiptToday(text, letter, logs);
}

describe('checkReceiptToday', () => {
  it('finds the entry still in the log after it grew, through a consistency proof', async () => {
    const report = await check(buildLog(id, entries, 'receipt log'));
    expect(report).toMatchObject({
      ok: true,
      index: 5,
      name: 'Ada',
      receiptSize: 10,
      todaySize: 300,
      kind: 'sign',
    });
  });

  it('fails when the log today does not extend the receipt’s tree', async () => {
    const report = await check(
      buildLog(id, [...entries.slice(0, 5), ...entries.slice(6)], 'receipt log')
    );
    expect(report).toMatchObject({ ok: false, step: 'today', code: 'INCONSISTENT_CHECKPOINTS' });
  });

  it('fails a receipt whose proof or checkpoint was changed', async () => {
    const changed = receipt.replace(/\nindex 5\n/, '\nindex 4\n');
    expect(await check(then, changed)).toMatchObject({
      ok: false,
      step: 'receipt',
      code: 'INVALID_PROOF',
    });
    const otherLog = await check(buildLog(id, entries, 'another log'));
    expect(otherLog).toMatchObject({ ok: false, step: 'log' });
    expect(utf8Decode(then.files.get('checkpoint') ?? new Uint8Array(0))).toBe(then.checkpoint);
  });
});
