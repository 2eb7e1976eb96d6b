// A mirror following a peer log served by a test server (node/follow/, node/witness/): entries
// that do not count are mirrored but not appended to our log; a tampered bundle is rejected and
// our copy stays at its last good state; two inconsistent checkpoints signed by the log's key
// become evidence, and the log is no longer cosigned.

import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLetter, letterId } from '../../core/letter.ts';
import { sha256 } from '../../core/hash.ts';
import { toHex, utf8Encode } from '../../core/bytes.ts';
import { parseNote } from '../../core/note.ts';
import { buildLog, type BuiltLog } from '../helpers/log.ts';
import { testEntry, testLetter } from '../helpers/entries.ts';
import { startMirrorProcess, type MirrorProcess } from '../helpers/mirror-process.ts';

const letter = testLetter();
const dir = mkdtempSync(join(tmpdir(), 'undersigned-follow-'));
const letterFile = join(dir, 'letter');
writeFileSync(letterFile, formatLetter(letter));

// The peer: serves `served` under /log/, and its vkey at /info.
let served: BuiltLog;
let server: Server;
let peerUrl = '';
let node: MirrorProcess;
let entries: Uint8Array[] = [];
const tampered = new Map<string, Uint8Array>();

beforeAll(async () => {
  entries = await Promise.all(Array.from({ length: 16 }, (_, i) => testEntry(letter, i)));
  // A peer's log may hold entries that do not count: it is mirrored whole, but only the valid
  // entries go into our own log.
  const forged = (entries[1] as Uint8Array).slice();
  forged[forged.length - 1] = (forged[forged.length - 1] as number) ^ 1; // its signature
  entries[1] = forged;
  entries[3] = utf8Encode('not an entry');
  served = buildLog(letterId(letter), entries.slice(0, 3), 'the peer');
  server = createServer((req, res) => {
    const path = req.url ?? '';
    if (path === '/info') {
      res.end(JSON.stringify({ origin: served.origin, vkey: served.vkey, treeSize: 0 }));
      return;
    }
    const file = path.startsWith('/log/')
      ? served.files.get(path.slice('/log/'.length))
      : undefined;
    const data = tampered.get(path.slice('/log/'.length)) ?? file;
    res.statusCode = data === undefined ? 404 : 200;
    res.end(data);
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  peerUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  node = await startMirrorProcess({
    letterFile,
    dataDir: join(dir, 'node'),
    args: ['--no-p2p', '--follow', peerUrl, '--poll-ms', '200'],
  });
});

afterAll(async () => {
  await node.stop();
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

type Info = {
  treeSize: number;
  witnessVkey: string;
  follows: {
    origin: string;
    treeSize: number;
    checkpoint: string | null;
    cosignatures: string[];
  }[];
  evidence: { origin: string; reason: string; checkpoints: string[] }[];
};

async function info(): Promise<Info> {
  return (await (await fetch(new URL('info', node.url))).json()) as Info;
}

async function until(what: string, check: (i: Info) => boolean, ms = 15_000): Promise<Info> {
  const end = Date.now() + ms;
  for (;;) {
    const i = await info();
    if (check(i)) return i;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(i)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const witnessName = (i: Info): string => i.witnessVkey.split('+')[0] as string;
const followed = (): string => toHex(sha256(utf8Encode(served.origin)));

describe('following a peer log', () => {
  it('verifies, stores, serves, cosigns it, and appends its valid entries to our log', async () => {
    const i = await until('size 3', (x) => x.follows[0]?.treeSize === 3 && x.treeSize === 2);
    expect(i.follows[0]?.cosignatures).toEqual([witnessName(i)]);
    // Its checkpoint, as we serve it, carries our cosignature (tlog-cosignature).
    const ours = await (await fetch(new URL(`logs/${followed()}/checkpoint`, node.url))).text();
    expect(parseNote(ours).signatures.map((s) => s.name)).toEqual([
      ours.split('\n')[0],
      witnessName(i),
    ]);
    const bundle = await fetch(new URL(`logs/${followed()}/tile/entries/000.p/3`, node.url));
    expect(new Uint8Array(await bundle.arrayBuffer())).toEqual(
      served.files.get('tile/entries/000.p/3')
    );
  });

  it('rejects a tampered bundle and keeps its last good state', async () => {
    const good = buildLog(letterId(letter), entries.slice(0, 5), 'the peer');
    const bad = (good.files.get('tile/entries/000.p/5') as Uint8Array).slice();
    bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1; // a bit of the last entry's signature
    tampered.set('tile/entries/000.p/5', bad);
    served = good;
    await new Promise((r) => setTimeout(r, 1500));
    const i = await info();
    expect(i.follows[0]?.treeSize).toBe(3);
    expect(i.evidence).toEqual([]);
    const checkpoint = await (
      await fetch(new URL(`logs/${followed()}/checkpoint`, node.url))
    ).text();
    expect(checkpoint.split('\n')[1]).toBe('3');
    tampered.clear();
    await until('size 5', (x) => x.follows[0]?.treeSize === 5 && x.treeSize === 3);
  });

  it('keeps two inconsistent checkpoints as evidence and stops cosigning the log', async () => {
    const other = [...entries.slice(0, 4), entries[10] as Uint8Array];
    served = buildLog(letterId(letter), other, 'the peer'); // size 5, another root
    const i = await until('evidence', (x) => x.evidence.length === 1);
    expect(i.evidence[0]?.origin).toBe(served.origin);
    expect(i.evidence[0]?.checkpoints).toHaveLength(2);
    expect(i.follows[0]?.treeSize).toBe(5);
    // Listed as soon as it is found (cosigning stops then), kept on disk a moment later.
    const kept = (): string[] =>
      readdirSync(join(dir, 'node', 'evidence')).filter((n) => n.endsWith('.json'));
    await until('the evidence on disk', () => kept().length === 1);
    // A checkpoint that extends the one we verified is still followed, but not cosigned.
    served = buildLog(letterId(letter), entries.slice(0, 7), 'the peer');
    const later = await until('size 7', (x) => x.follows[0]?.treeSize === 7);
    expect(later.follows[0]?.cosignatures).toEqual([]);
    expect(later.evidence).toHaveLength(1);
  });
});
