import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { letterId } from '../../core/letter.ts';
import { createEd25519Verifier } from '../../core/ed25519-batch.ts';
import { buildLog, type BuiltLog } from '../helpers/log.ts';
import { testEntry, testLetter } from '../helpers/entries.ts';
import { CheckpointMemory, memoryStore } from '../../web/lib/checkpoint-memory.ts';
import { fetchInfo, logsFromInfo } from '../../web/lib/mirror-api.ts';
import { Verification } from '../../web/lib/verification.svelte.ts';
import { createWorkerPool } from '../../web/lib/worker-pool.ts';
import type { VerifyBackend } from '../../web/lib/log-verify.ts';
import { serveMirrors, type FakeMirror } from './fake-mirrors.ts';
import { fakeWorker } from './fake-workers.ts';

const letter = testLetter(0);
const id = letterId(letter);
let signs: Uint8Array[];
let withdraw: Uint8Array;
let badSignature: Uint8Array;

beforeAll(async () => {
  signs = await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      testEntry(letter, i, { affiliation: i < 7 ? 'Acme' : `Small ${i}` })
    )
  );
  withdraw = await testEntry(letter, 0, { kind: 'withdraw' });
  badSignature = (await testEntry(letter, 99)).slice();
  badSignature[badSignature.length - 40] = (badSignature[badSignature.length - 40] ?? 0) ^ 1;
});
afterEach(() => {
  vi.unstubAllGlobals();
});

async function verificationOf(
  mirrors: readonly FakeMirror[],
  memory = new CheckpointMemory(memoryStore()),
  ed25519: VerifyBackend = createEd25519Verifier()
): Promise<Verification> {
  const answers = await Promise.all(
    mirrors.map(async (m) => ({ mirror: m.url, info: await fetchInfo(m.url) }))
  );
  return new Verification({
    letter,
    letterId: id,
    logs: logsFromInfo(answers, id),
    ed25519,
    memory,
    witnessKeys: [],
    now: () => performance.now(),
  });
}

const mirror = (url: string, log: BuiltLog): FakeMirror => ({ url, log, letter });

describe('Verification', () => {
  it('counts a log from the entries, listing rejected entries with their reasons', async () => {
    const log = buildLog(id, [...signs, withdraw, badSignature], 'log a');
    const asked = serveMirrors([mirror('https://a.example/', log)]);
    const v = await verificationOf([mirror('https://a.example/', log)]);
    await v.run();
    expect(v.state).toBe('verified');
    expect(v.count).toBe(11); // 12 signers, one withdrew; the bad signature is not counted
    expect([...v.breakdown]).toEqual([
      ['Acme', 6],
      ['Small 10', 1],
      ['Small 11', 1],
      ['Small 7', 1],
      ['Small 8', 1],
      ['Small 9', 1],
    ]);
    expect(v.rejected.map((r) => [r.entry.index, r.entry.code])).toEqual([
      [13, 'BAD_ENTRY_SIGNATURE'],
    ]);
    expect(v.progress?.done).toBe(14);
    expect(asked.every((u) => u.startsWith('https://a.example/'))).toBe(true);
  });

  it('counts the union of several logs, in whatever order they hold the entries', async () => {
    const a = buildLog(id, signs.slice(0, 8), 'log a');
    const b = buildLog(id, [...signs.slice(4)].reverse().concat(withdraw), 'log b');
    const mirrors = [mirror('https://a.example/', a), mirror('https://b.example/', b)];
    serveMirrors(mirrors);
    const v = await verificationOf(mirrors);
    await v.run();
    expect(v.state).toBe('verified');
    expect(v.count).toBe(11); // 12 distinct signers, one of whom withdrew in log b only
    expect(v.checks.map((c) => (c.ok ? c.result.tally.count : -1))).toEqual([8, 8]); // in log b, signer 0 withdrew without signing: no change
    expect(v.agreeing).toBe(0);
  });

  it('counts the same with the entry bundles checked in the worker pool', async () => {
    const a = buildLog(id, [...signs.slice(0, 8), badSignature], 'log a');
    const b = buildLog(id, [...signs.slice(4)].reverse().concat(withdraw), 'log b');
    const mirrors = [mirror('https://a.example/', a), mirror('https://b.example/', b)];
    serveMirrors(mirrors);
    const sent: number[] = [];
    const pool = createWorkerPool(2, () => fakeWorker(sent));
    const v = await verificationOf(mirrors, new CheckpointMemory(memoryStore()), pool);
    await v.run();
    pool.close();
    expect(sent).toEqual([9, 9]); // every entry bundle went to a worker
    expect(v.state).toBe('verified');
    expect(v.count).toBe(11);
    expect(v.rejected.map((r) => [r.origin, r.entry.index, r.entry.code])).toEqual([
      [a.origin, 8, 'BAD_ENTRY_SIGNATURE'],
    ]);
  });

  it('fails, naming the mirror, when a mirror serves an entry bundle that does not verify', async () => {
    const log = buildLog(id, signs, 'log a');
    const bad: FakeMirror = {
      ...mirror('https://bad.example/', log),
      tamper: (path, bytes) =>
        path.startsWith('tile/entries/') ? bytes.map((b, i) => (i === 50 ? b ^ 1 : b)) : bytes,
    };
    serveMirrors([bad]);
    const v = await verificationOf([bad]);
    await v.run();
    expect(v.state).toBe('failed');
    expect(v.count).toBeUndefined();
    expect(v.alarms).toEqual([
      expect.objectContaining({ mirror: 'https://bad.example/', culprit: 'mirror' }),
    ]);
  });

  it('tries the next mirror of a log when one is unreachable, without an alarm', async () => {
    const log = buildLog(id, signs, 'log a');
    const down: FakeMirror = { ...mirror('https://down.example/', log) };
    const up = mirror('https://up.example/', log);
    serveMirrors([down, up]);
    const v = await verificationOf([down, up]);
    down.down = true;
    await v.run();
    expect(v.state).toBe('verified');
    expect(v.alarms).toEqual([]);
    expect(v.checks[0]?.source.mirror).toBe('https://up.example/');
  });

  it('demands consistency with the checkpoint verified before, and keeps evidence of a fork', async () => {
    const store = memoryStore();
    const first = mirror('https://a.example/', buildLog(id, signs.slice(0, 6), 'log a'));
    serveMirrors([first]);
    await (await verificationOf([first], new CheckpointMemory(store))).run();
    // The same log key now signs a tree that does not extend the one verified before.
    const forked = mirror('https://a.example/', buildLog(id, signs.slice(3, 12), 'log a'));
    serveMirrors([forked]);
    const v = await verificationOf([forked], new CheckpointMemory(store));
    await v.run();
    expect(v.state).toBe('failed');
    expect(v.alarms).toEqual([
      expect.objectContaining({ culprit: 'log', mirror: 'https://a.example/' }),
    ]);
    expect(new CheckpointMemory(store).evidence(first.log.origin)).toHaveLength(2);
    // A log that grew honestly is accepted.
    const grown = mirror(
      'https://a.example/',
      buildLog(id, [...signs.slice(0, 6), withdraw], 'log a')
    );
    const store2 = memoryStore();
    serveMirrors([first]);
    await (await verificationOf([first], new CheckpointMemory(store2))).run();
    serveMirrors([grown]);
    const w = await verificationOf([grown], new CheckpointMemory(store2));
    await w.run();
    expect(w.state).toBe('verified');
    expect(w.count).toBe(5);
  });

  it('rechecks on demand, and folds calls made during a check into one more check', async () => {
    const small = buildLog(id, signs.slice(0, 3), 'log r');
    serveMirrors([mirror('https://a.example/', small)]);
    const v = await verificationOf([mirror('https://a.example/', small)]);
    await v.run();
    expect(v.count).toBe(3);
    const grown = buildLog(id, signs.slice(0, 5), 'log r');
    const asked = serveMirrors([mirror('https://a.example/', grown)]);
    await Promise.all([v.recheck(), v.recheck(), v.recheck()]);
    expect([v.state, v.count]).toEqual(['verified', 5]);
    // The first call: a changed checkpoint, then its verification; the two others: one more look.
    expect(asked.filter((u) => u.endsWith('/log/checkpoint'))).toHaveLength(3);
    await v.recheck();
    expect(asked.filter((u) => u.endsWith('/log/checkpoint'))).toHaveLength(4);
    expect(v.count).toBe(5);
  });

  it('stops when cancelled and says so', async () => {
    const log = buildLog(id, signs, 'log a');
    serveMirrors([mirror('https://a.example/', log)]);
    const v = await verificationOf([mirror('https://a.example/', log)]);
    const running = v.run();
    v.cancel();
    await running;
    expect(v.cancelled).toBe(true);
    expect(v.state).toBe('failed');
    expect(v.count).toBeUndefined();
  });
});
