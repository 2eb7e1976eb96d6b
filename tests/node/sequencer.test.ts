import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { letterId } from '../../core/letter.ts';
import { NONCE_OFFSET, parseEntry } from '../../core/entry.ts';
import { recordHash } from '../../core/merkle.ts';
import { hasStamp } from '../../core/stamp.ts';
import { checkReceipt, parseReceipt } from '../../core/receipt.ts';
import { isUndersignedError } from '../../core/errors.ts';
import { buildEntryIndex } from '../../node/log/entry-index.ts';
import { dataLayout } from '../../node/log/layout.ts';
import { loadOrCreateLogKey, type LogKey } from '../../node/log/log-key.ts';
import { Log, type CommitStep } from '../../node/log/log.ts';
import { Sequencer, type CheckedEntry, type SequencerOptions } from '../../node/log/sequencer.ts';
import { directorySource } from '../../node/log-source.ts';
import { testEntry, testLetter } from '../helpers/entries.ts';
import { logEntries, verifyServedLog } from '../helpers/log-checks.ts';
import { toBase64 } from '../../core/bytes.ts';

const letter = testLetter(4);
let root: string;
let dirs = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'undersigned-sequencer-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

type Running = {
  log: Log;
  key: LogKey;
  sequencer: Sequencer;
  dataDir: string;
  logDir: string;
  fault: { at?: CommitStep };
};
/** A sequencer over a fresh log; `fault.at` makes the next commits fail after that step. */
async function start(options: Partial<SequencerOptions> = {}): Promise<Running> {
  const layout = dataLayout(join(root, `data-${dirs++}`));
  const key = await loadOrCreateLogKey(layout.keyFile, letterId(letter));
  const fault: { at?: CommitStep } = {};
  const onStep = (step: CommitStep): void => {
    if (fault.at === step) throw new Error(`injected failure after ${step}`);
  };
  const log = await Log.open({ layout, key, onStep });
  const sequencer = new Sequencer({
    log,
    index: await buildEntryIndex(log),
    letter,
    batchMs: 20,
    onError: () => undefined,
    ...options,
  });
  sequencer.start();
  return { log, key, sequencer, dataDir: layout.dataDir, logDir: layout.logDir, fault };
}

async function stop(running: Running): Promise<void> {
  await running.sequencer.stop();
  await running.log.close();
}

/** The code a promise rejects with ('' if it resolves). */
async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return '';
  } catch (e) {
    return isUndersignedError(e) ? e.code : String(e);
  }
}

describe('Sequencer', () => {
  it('answers each entry with a receipt once a signed, published checkpoint includes it', async () => {
    const running = await start();
    const entries = await Promise.all(Array.from({ length: 40 }, (_, i) => testEntry(letter, i)));
    const answers = await Promise.all(
      entries.map(async (entry) => {
        const accepted = await running.sequencer.submit(entry);
        expect(running.log.treeSize).toBeGreaterThan(accepted.index); // published before the answer
        return accepted;
      })
    );
    const keys = [running.key.verifier];
    answers.forEach((accepted, i) => {
      const checked = checkReceipt(accepted.receipt, keys, letter);
      expect(checked.index).toBe(accepted.index);
      expect(parseReceipt(accepted.receipt).entry).toEqual(entries[i]);
    });
    expect(new Set(answers.map((a) => a.index)).size).toBe(40);
    const verified = await verifyServedLog(
      directorySource(running.logDir),
      running.key.vkey,
      letter
    );
    expect(verified.tally.count).toBe(40);
    await stop(running);
  });

  it('makes no receipt for receipt: false, unless another submitter of the entry wants one', async () => {
    const running = await start({ batchMs: 200 });
    const [quiet, shared] = await Promise.all([testEntry(letter, 900), testEntry(letter, 901)]);
    const [a, b, c] = await Promise.all([
      running.sequencer.submit(quiet, { receipt: false }),
      running.sequencer.submit(shared, { receipt: false }),
      running.sequencer.submit(shared),
    ]);
    expect(a.receipt).toBe('');
    expect(b.receipt).toBe(c.receipt);
    expect(checkReceipt(c.receipt, [running.key.verifier], letter).index).toBe(c.index);
    // Once in the log: again no receipt for receipt: false, a receipt otherwise.
    const again = await running.sequencer.submit(quiet, { receipt: false });
    expect(again).toEqual({ index: a.index, receipt: '' });
    const withReceipt = await running.sequencer.submit(quiet);
    expect(parseReceipt(withReceipt.receipt).entry).toEqual(quiet);
    await stop(running);
  });

  it('submitChecked appends new entries once and skips duplicates', async () => {
    const running = await start();
    const good = await Promise.all(Array.from({ length: 5 }, (_, i) => testEntry(letter, 950 + i)));
    const other = await testEntry(letter, 950, { name: 'Another' }); // same key and kind
    const checked = (bytes: Uint8Array): CheckedEntry => {
      const { publicKey, kind } = parseEntry(bytes);
      return { bytes, leafHash: recordHash(bytes), publicKey, kind };
    };
    await running.sequencer.submitChecked([...good, other, ...good].map(checked));
    expect(running.log.treeSize).toBe(5);
    const source = directorySource(running.logDir);
    expect((await logEntries(source, 5)).sort()).toEqual(good.map((e) => toBase64(e)).sort());
    expect((await verifyServedLog(source, running.key.vkey, letter)).tally.count).toBe(5);
    await running.sequencer.submitChecked(good.map(checked)); // in the log: nothing appended
    expect(running.log.treeSize).toBe(5);
    await stop(running);
  });

  it('shuffles each batch with a secure random order', async () => {
    const running = await start({ batchMs: 300 });
    const entries = await Promise.all(
      Array.from({ length: 64 }, (_, i) => testEntry(letter, 100 + i))
    );
    const answers = await Promise.all(entries.map((e) => running.sequencer.submit(e)));
    const indexes = answers.map((a) => a.index);
    expect([...indexes].sort((a, b) => a - b)).toEqual(Array.from({ length: 64 }, (_, i) => i));
    expect(indexes).not.toEqual([...indexes].sort((a, b) => a - b)); // fails once in 64! runs
    await stop(running);
  });

  it('answers an entry submitted again with its receipt, appending it once', async () => {
    const running = await start();
    const entry = await testEntry(letter, 200);
    const [first, second] = await Promise.all([
      running.sequencer.submit(entry),
      running.sequencer.submit(entry),
    ]);
    expect(second).toEqual(first);
    const again = await running.sequencer.submit(entry);
    expect(again).toEqual(first); // no batch since: the same checkpoint, the same receipt
    await running.sequencer.submit(await testEntry(letter, 201));
    const later = await running.sequencer.submit(entry);
    expect(later.index).toBe(first.index);
    expect(checkReceipt(later.receipt, [running.key.verifier], letter).checkpoint.treeSize).toBe(2);
    expect(running.log.treeSize).toBe(2);
    await stop(running);
  });

  it('refuses entries that do not count, with their §5 code, and appends nothing', async () => {
    const running = await start();
    const good = await testEntry(letter, 300);
    const forged = good.slice();
    forged[forged.length - 1] = (forged[forged.length - 1] ?? 0) ^ 1;
    const unstamped = good.slice();
    for (let n = 1; hasStamp(unstamped.subarray(0, unstamped.length - 64), letter.stampBits); n++) {
      unstamped[NONCE_OFFSET + 7] = n;
    }
    const cases: [Uint8Array, string][] = [
      [new Uint8Array(10), 'MALFORMED_ENTRY'],
      [await testEntry(testLetter(5), 300), 'WRONG_LETTER'],
      [unstamped, 'INSUFFICIENT_STAMP'],
      [forged, 'BAD_ENTRY_SIGNATURE'],
    ];
    for (const [bytes, code] of cases)
      expect(await codeOf(running.sequencer.submit(bytes))).toBe(code);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(running.log.treeSize).toBe(0);
    await stop(running);
  });

  it('keeps one sign and one withdraw entry per key: another is DUPLICATE_KEY', async () => {
    const running = await start({ batchMs: 300 });
    const { sequencer } = running;
    const sign = await testEntry(letter, 400);
    const renamed = await testEntry(letter, 400, { name: 'Someone else' });
    // Pending: the first is admitted and waits for its batch. (Two submitted at once race: the
    // first admitted wins, the other is the duplicate.)
    const first = sequencer.submit(sign);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await codeOf(sequencer.submit(renamed))).toBe('DUPLICATE_KEY');
    await first;
    // Logged.
    expect(await codeOf(sequencer.submit(renamed))).toBe('DUPLICATE_KEY');
    const forged = renamed.slice();
    forged[forged.length - 1] = (forged[forged.length - 1] ?? 0) ^ 1;
    expect(await codeOf(sequencer.submit(forged))).toBe('BAD_ENTRY_SIGNATURE'); // the signature first
    const withdraw = await testEntry(letter, 400, { kind: 'withdraw' });
    expect(await codeOf(sequencer.submit(withdraw))).toBe('');
    const withdrawAgain = await testEntry(letter, 400, {
      kind: 'withdraw',
      extensions: [{ type: 7, value: Uint8Array.of(1) }],
    });
    expect(await codeOf(sequencer.submit(withdrawAgain))).toBe('DUPLICATE_KEY');
    // A withdrawal first, then the sign entry: both are kept, as the counting rule needs.
    expect(await codeOf(sequencer.submit(await testEntry(letter, 401, { kind: 'withdraw' })))).toBe(
      ''
    );
    expect(await codeOf(sequencer.submit(await testEntry(letter, 401)))).toBe('');
    expect(running.log.treeSize).toBe(4);
    const verified = await verifyServedLog(
      directorySource(running.logDir),
      running.key.vkey,
      letter
    );
    expect(verified.tally).toMatchObject({ count: 0, signers: 2, withdrawn: 2 });
    await stop(running);
  });

  it('rebuilds the dedup index from the log when it starts again', async () => {
    const running = await start();
    const entry = await testEntry(letter, 500);
    const first = await running.sequencer.submit(entry);
    await stop(running);
    const log = await Log.open({ layout: dataLayout(running.dataDir), key: running.key });
    const again = new Sequencer({ log, index: await buildEntryIndex(log), letter, batchMs: 20 });
    again.start();
    expect((await again.submit(entry)).index).toBe(first.index);
    expect(await codeOf(again.submit(await testEntry(letter, 500, { name: 'Again' })))).toBe(
      'DUPLICATE_KEY'
    );
    await again.stop();
    await log.close();
  });

  it('stop() writes the last batch and answers everyone; then it refuses, UNAVAILABLE', async () => {
    const running = await start({ batchMs: 10_000 });
    const entries = await Promise.all(
      Array.from({ length: 10 }, (_, i) => testEntry(letter, 600 + i))
    );
    const answers = entries.map((e) => running.sequencer.submit(e));
    await new Promise((resolve) => setTimeout(resolve, 300)); // admitted, waiting for the batch
    await running.sequencer.stop();
    expect((await Promise.all(answers)).map((a) => a.index).sort((a, b) => a - b)).toEqual([
      ...Array(10).keys(),
    ]);
    expect(await codeOf(running.sequencer.submit(await testEntry(letter, 700)))).toBe(
      'UNAVAILABLE'
    );
    await running.log.close();
  });

  it('refuses more than maxPending waiting submissions, UNAVAILABLE', async () => {
    const running = await start({ batchMs: 5_000, maxPending: 3 });
    const entries = await Promise.all(
      Array.from({ length: 4 }, (_, i) => testEntry(letter, 800 + i))
    );
    const codes = await Promise.all(entries.map((e) => codeOf(running.sequencer.submit(e))));
    expect(codes.sort()).toEqual(['', '', '', 'UNAVAILABLE']);
    await stop(running);
  });

  it('makes submitChecked wait out a full queue, not refuse it, until the sequencer stops', async () => {
    const running = await start({ batchMs: 20, maxPending: 3 });
    const entries = await Promise.all(
      Array.from({ length: 8 }, (_, i) => testEntry(letter, 820 + i))
    );
    const checked = (bytes: Uint8Array): CheckedEntry => {
      const { publicKey, kind } = parseEntry(bytes);
      return { bytes, leafHash: recordHash(bytes), publicKey, kind };
    };
    // Two followers at once, eight entries, room for three: every entry gets in.
    await Promise.all([
      running.sequencer.submitChecked(entries.slice(0, 4).map(checked)),
      running.sequencer.submitChecked(entries.slice(4).map(checked)),
    ]);
    expect(running.log.treeSize).toBe(8);
    // A submitChecked still waiting when the sequencer stops is refused, UNAVAILABLE.
    const slow = await start({ batchMs: 60_000, maxPending: 2 });
    const more = await Promise.all(Array.from({ length: 3 }, (_, i) => testEntry(letter, 840 + i)));
    const waiting = codeOf(slow.sequencer.submitChecked(more.map(checked)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await slow.sequencer.stop();
    expect(await waiting).toBe('UNAVAILABLE');
    expect(slow.log.treeSize).toBe(2); // the two queued were written at the stop
    await slow.log.close();
    await stop(running);
  });

  it('a batch that fails before its commit is refused UNAVAILABLE; one that fails after is answered', async () => {
    const running = await start();
    running.fault.at = 'staged';
    const entry = await testEntry(letter, 900);
    expect(await codeOf(running.sequencer.submit(entry))).toBe('UNAVAILABLE');
    expect(running.log.treeSize).toBe(0);
    running.fault.at = 'published';
    const other = await testEntry(letter, 901);
    const accepted = await running.sequencer.submit(other); // committed, then recovered and published
    expect(checkReceipt(accepted.receipt, [running.key.verifier], letter).index).toBe(0);
    delete running.fault.at;
    expect((await running.sequencer.submit(entry)).index).toBe(1); // the client retries
    expect(await logEntries(directorySource(running.logDir), 2)).toEqual([
      toBase64(other),
      toBase64(entry),
    ]);
    await stop(running);
  });

  it('stops, refusing everything UNAVAILABLE, when the log cannot be recovered', async () => {
    const running = await start();
    running.fault.at = 'staged';
    await writeFile(join(running.dataDir, 'state', 'checkpoint'), 'damaged'); // recovery will fail
    expect(await codeOf(running.sequencer.submit(await testEntry(letter, 950)))).toBe(
      'UNAVAILABLE'
    );
    await running.sequencer.ended();
    expect(running.sequencer.failed).toBe(true);
    expect(await codeOf(running.sequencer.submit(await testEntry(letter, 951)))).toBe(
      'UNAVAILABLE'
    );
    await stop(running);
  });

  it('a submitter who stops waiting does not stop the append', async () => {
    const running = await start({ batchMs: 100 });
    const entry = await testEntry(letter, 1000);
    const gone = new AbortController();
    const answer = running.sequencer.submit(entry, { signal: gone.signal });
    gone.abort(new Error('hung up'));
    await expect(answer).rejects.toThrow('hung up');
    for (let waited = 0; running.log.treeSize === 0 && waited < 5000; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(running.log.treeSize).toBe(1);
    expect((await running.sequencer.submit(entry)).index).toBe(0);
    await stop(running);
  });
});
