// The crash test: a node process is killed with SIGKILL at random moments while clients stream
// submissions at it, and restarted on the same data directory each time. After every restart:
//   - every entry whose submission was answered 200 is in the log, at the index it was given;
//   - the log verifies (core/verifier.ts), over HTTP;
//   - every checkpoint the node ever gave out (in receipts and at /log/checkpoint) is
//     consistent with the newest one, by a consistency proof made from the served tiles.
// Consistency is transitive, so each restart checks the checkpoints collected since the last
// one, and the last one's newest, against the new newest: together, every checkpoint ever seen.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLetter } from '../../core/letter.ts';
import { newVerifier } from '../../core/note.ts';
import { checkReceipt, parseReceipt } from '../../core/receipt.ts';
import { httpSource } from '../../node/log-source.ts';
import { testLetter } from '../helpers/entries.ts';
import {
  isConsistent,
  logEntries,
  openLogCheckpoint,
  servedCheckpoint,
  verifyServedLog,
} from '../helpers/log-checks.ts';
import { rawRequest, spawnMirrorProcess } from '../helpers/mirror-process.ts';

const ROUNDS = 14;
const CLIENTS = 6;
const letter = testLetter(0);
let root: string;
let letterFile: string;
let dataDir: string;
let pool: string[]; // base64 entries, made by `undersigned gen`

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'undersigned-crash-'));
  letterFile = join(root, 'letter');
  dataDir = join(root, 'data');
  await writeFile(letterFile, formatLetter(letter));
  const out = join(root, 'entries.txt');
  const main = fileURLToPath(new URL('../../node/cli/main.ts', import.meta.url));
  const gen = spawn(
    process.execPath,
    [main, 'gen', '--letter', letterFile, '--count', '4000', '--out', out],
    { stdio: 'inherit' }
  );
  expect((await once(gen, 'exit'))[0]).toBe(0);
  pool = (await readFile(out, 'utf8')).trim().split('\n');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('a node killed at random moments', () => {
  it(`keeps every acknowledged entry and never signs an inconsistent checkpoint (${ROUNDS} SIGKILLs)`, async () => {
    const queue = [...pool];
    const acked = new Map<string, number>(); // entry → index
    let unchecked: string[] = []; // checkpoints seen since the last restart check
    let newest: string | undefined;
    let identity: { origin: string; vkey: string } | undefined;
    let answered = 0;

    for (let round = 0; round <= ROUNDS; round++) {
      // Every few rounds, also kill it while it starts up: during recovery or the index build.
      if (round % 4 === 3) {
        const early = spawnMirrorProcess({ letterFile, dataDir, batchMs: 20 });
        await sleep(Math.random() * 400);
        early.child.kill('SIGKILL');
        await once(early.child, 'exit').catch(() => undefined);
      }
      const spawned = spawnMirrorProcess({ letterFile, dataDir, batchMs: 20 });
      const node = await spawned.ready;
      identity ??= { origin: node.origin, vkey: node.vkey };
      expect({ origin: node.origin, vkey: node.vkey }).toEqual(identity);
      const source = httpSource(`${node.url}log/`);

      // The checks after a restart.
      const current = await servedCheckpoint(source);
      const { treeSize } = openLogCheckpoint(current, node.vkey);
      const verified = await verifyServedLog(source, node.vkey, letter);
      expect(verified.tally.count).toBe(treeSize);
      const inLog = await logEntries(source, treeSize);
      for (const [entry, index] of acked)
        expect(inLog[index], `acknowledged entry at ${index}`).toBe(entry);
      for (const seen of new Set([...unchecked, ...(newest === undefined ? [] : [newest])])) {
        expect(await isConsistent(source, node.vkey, seen, current)).toBe(true);
      }
      if (process.env['CRASH_TRACE'])
        console.log(
          `round ${round}: tree size ${treeSize}, acknowledged ${acked.size}, checked ${unchecked.length}`
        );
      unchecked = [];
      newest = current;
      if (round === ROUNDS) {
        expect(await node.stop('SIGTERM')).toBe(0);
        break;
      }

      // Stream submissions until the kill.
      let killed = false;
      const keys = [newVerifier(node.vkey)];
      const client = async (): Promise<void> => {
        while (!killed) {
          const entry = queue.shift();
          if (entry === undefined) return;
          let answer;
          try {
            answer = await rawRequest(node.url, 'POST', '/submit', JSON.stringify({ entry }));
          } catch {
            queue.push(entry); // no answer: the client will simply retry
            continue;
          }
          if (answer.status !== 200) {
            expect(answer.status).toBe(503); // a batch that failed: retry
            queue.push(entry);
            continue;
          }
          const json = JSON.parse(answer.body.toString()) as { index: number; receipt: string };
          const receipt = parseReceipt(json.receipt);
          if (answered++ % 25 === 0) checkReceipt(receipt, keys, letter);
          expect(acked.get(entry) ?? json.index).toBe(json.index);
          acked.set(entry, json.index);
          unchecked.push(receipt.checkpoint);
        }
      };
      const poller = async (): Promise<void> => {
        while (!killed) {
          try {
            unchecked.push(await servedCheckpoint(source));
          } catch {
            return;
          }
          await sleep(30);
        }
      };
      const running = [...Array.from({ length: CLIENTS }, client), poller()];
      await sleep(50 + Math.random() * 1450);
      await node.stop('SIGKILL');
      killed = true;
      await Promise.all(running);
    }
    expect(acked.size).toBeGreaterThan(ROUNDS * 10);
  }, 150_000);
});
