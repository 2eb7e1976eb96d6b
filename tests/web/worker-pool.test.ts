import { beforeAll, describe, expect, it } from 'vitest';
import { createEd25519Verifier, type SignedMessage } from '../../core/ed25519-batch.ts';
import { parseEntry, entrySigningMessage } from '../../core/entry.ts';
import { testEntry, testLetter } from '../helpers/entries.ts';
import {
  packSignatures,
  packVerdicts,
  unpackSignatures,
  unpackVerdicts,
} from '../../web/lib/signature-batch.ts';
import {
  createWorkerPool,
  defaultPoolSize,
  type WorkerAnswer,
  type WorkerLike,
  type WorkerRequest,
} from '../../web/lib/worker-pool.ts';

let items: SignedMessage[];
beforeAll(async () => {
  const letter = testLetter(0);
  const entries = await Promise.all(Array.from({ length: 40 }, (_, i) => testEntry(letter, i)));
  items = entries.map((bytes, i) => {
    const entry = parseEntry(bytes);
    const signature = entry.signature.slice();
    if (i % 7 === 3) signature[5] = (signature[5] ?? 0) ^ 1;
    return { publicKey: entry.publicKey, message: entrySigningMessage(entry.body), signature };
  });
});

/** An in-process stand-in for web/workers/verify-worker.ts, counting what it was sent. */
function fakeWorker(log: number[]): WorkerLike {
  const ed25519 = createEd25519Verifier();
  const worker: WorkerLike = {
    onmessage: null,
    onerror: null,
    postMessage(message: WorkerRequest) {
      void (async () => {
        let answer: WorkerAnswer;
        if ('backend' in message) answer = { id: message.id, backend: await ed25519.backend() };
        else {
          const signed = unpackSignatures(message.buffer);
          log.push(signed.length);
          answer = { id: message.id, verdicts: packVerdicts(await ed25519.verifyMany(signed)) };
        }
        worker.onmessage?.({ data: answer } as MessageEvent<WorkerAnswer>);
      })();
    },
    terminate() {},
  };
  return worker;
}

describe('the signature buffer', () => {
  it('round-trips signatures and verdicts', () => {
    const back = unpackSignatures(packSignatures(items));
    expect(back).toHaveLength(items.length);
    back.forEach((item, i) => {
      expect(item.publicKey).toEqual(items[i]?.publicKey);
      expect(item.signature).toEqual(items[i]?.signature);
      expect(item.message).toEqual(items[i]?.message);
    });
    expect(unpackVerdicts(packVerdicts([true, false, true]))).toEqual([true, false, true]);
    expect(() => unpackSignatures(packSignatures(items).slice(0, 100))).toThrow(RangeError);
  });
});

describe('the worker pool', () => {
  it('splits each batch over the workers and gives the verdicts in order', async () => {
    const sent: number[][] = [[], []];
    let n = 0;
    const pool = createWorkerPool(2, () => fakeWorker(sent[n++] ?? []));
    const verdicts = await pool.verifyMany(items);
    expect(verdicts).toEqual(items.map((_, i) => i % 7 !== 3));
    expect(sent.map((s) => s.reduce((a, b) => a + b, 0))).toEqual([20, 20]);
    const [first] = items;
    if (first === undefined) throw new Error('no items');
    expect(await pool.verify(first.publicKey, first.message, first.signature)).toBe(true);
    expect(await pool.backend()).toBe('webcrypto');
    pool.close();
  });

  it('rejects with the abort reason and ignores late answers', async () => {
    const pool = createWorkerPool(2, () => fakeWorker([]));
    const controller = new AbortController();
    const pending = pool.verifyMany(items, { signal: controller.signal });
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
    await expect(pool.verifyMany(items.slice(0, 2))).resolves.toHaveLength(2);
  });

  it('uses one worker per core, within bounds', () => {
    expect(defaultPoolSize(2)).toBe(2);
    expect(defaultPoolSize(undefined)).toBe(2);
    expect(defaultPoolSize(64)).toBe(8);
    expect(() => createWorkerPool(0, () => fakeWorker([]))).toThrow(RangeError);
  });
});
