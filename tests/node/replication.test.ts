// Real mirror nodes as separate processes on loopback, peered over libp2p: gossip, replication
// between mirrors (node/follow/), witnessing (node/witness/), restarts, and bad peers.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatLetter, letterIdHex } from '../../core/letter.ts';
import { newVerifier, openNote } from '../../core/note.ts';
import { toBase64 } from '../../core/bytes.ts';
import { httpSource } from '../../node/log-source.ts';
import { utf8Encode } from '../../core/bytes.ts';
import { letterTopic } from '../../core/topic.ts';
import {
  formatCheckpointMessage,
  formatEntryMessage,
  parseGossipMessage,
} from '../../node/gossip/messages.ts';
import type { CID } from 'multiformats/cid';
import { createMirrorP2P } from '../../node/p2p/mirror-p2p.ts';
import { testEntry, testLetter } from '../helpers/entries.ts';
import { logEntries, servedCheckpoint, verifyServedLog } from '../helpers/log-checks.ts';
import { startMirrorProcess, submit, type MirrorProcess } from '../helpers/mirror-process.ts';

const letter = testLetter();
const dir = mkdtempSync(join(tmpdir(), 'undersigned-replication-'));
const letterFile = join(dir, 'letter');
writeFileSync(letterFile, formatLetter(letter));
const running: MirrorProcess[] = [];
afterAll(async () => {
  await Promise.all(running.map((n) => n.stop()));
  rmSync(dir, { recursive: true, force: true });
});

const TCP = ['--listen', '/ip4/127.0.0.1/tcp/0'];
const FAST = ['--announce-ms', '6000', '--poll-ms', '1000'];

async function start(name: string, peers: readonly MirrorProcess[], extra: string[] = []) {
  const args = [...TCP, ...FAST, ...extra];
  for (const p of peers) args.push('--peer', p.addresses[0] as string);
  const node = await startMirrorProcess({ letterFile, dataDir: join(dir, name), args });
  running.push(node);
  return node;
}

async function info(node: MirrorProcess): Promise<Record<string, unknown>> {
  return (await (await fetch(new URL('info', node.url))).json()) as Record<string, unknown>;
}

/** The entries of a node's log, as a sorted set or in log order. */
async function entriesOf(node: MirrorProcess, sorted = true): Promise<string[]> {
  const source = httpSource(new URL('log/', node.url).href);
  const size = Number((await servedCheckpoint(source)).split('\n')[1]);
  const entries = await logEntries(source, size);
  return sorted ? entries.sort() : entries;
}

async function until(what: string, check: () => Promise<boolean>, ms = 40_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  const state = await Promise.all(
    running.map(async (n) => [
      n
        .output()
        .split('\n')
        .filter((l) => !/^(url|origin|vkey|tree|witness|peer|address)/.test(l))
        .join('\n'),
      JSON.stringify(
        await info(n)
          .then((i) => [i.treeSize, i.follows])
          .catch(() => ({}))
      ),
    ])
  );
  throw new Error(`timed out waiting for ${what}\n${state.flat().join('\n')}`);
}

describe('mirrors peered over libp2p', () => {
  let entries: Uint8Array[] = [];
  let a: MirrorProcess;
  let b: MirrorProcess;
  let c: MirrorProcess;
  let expected: string[] = [];

  it('converge, verify, cosign each other, and a late node catches up', async () => {
    entries = await Promise.all(Array.from({ length: 9 }, (_, i) => testEntry(letter, i)));
    expected = entries.map((e) => toBase64(e)).sort();
    a = await start('a', []);
    expect(a.peerId).toMatch(/^12D3KooW/);
    b = await start('b', [a]);
    c = await start('c', [b]);
    const nodes = [a, b, c];
    const answers = await Promise.all(
      entries.map((e, i) =>
        submit((nodes[i % 3] as MirrorProcess).url, JSON.stringify({ entry: toBase64(e) }))
      )
    );
    expect(answers.map((a) => a.status)).toEqual(entries.map(() => 200));
    for (const n of nodes)
      await until('convergence', async () => (await entriesOf(n)).join() === expected.join());
    for (const n of nodes) {
      const verified = await verifyServedLog(
        httpSource(new URL('log/', n.url).href),
        n.vkey,
        letter
      );
      expect(verified.treeSize).toBe(entries.length);
    }
    // Each checkpoint carries the cosignatures of the two others.
    for (const n of nodes) {
      const witnesses = await Promise.all(
        nodes.filter((m) => m !== n).map(async (m) => (await info(m)).witnessVkey as string)
      );
      await until('cosignatures', async () => {
        const note = await (await fetch(new URL('log/checkpoint', n.url))).text();
        const opened = openNote(note, [
          newVerifier(n.vkey),
          ...witnesses.map((w) => newVerifier(w)),
        ]);
        return opened.verified.length === 3;
      });
    }
    // /logs/ serves the followed logs.
    const follows = (await info(a)).follows as { origin: string; treeSize: number }[];
    expect(follows.map((f) => f.origin).sort()).toEqual([b.origin, c.origin].sort());
    const late = await start('late', [c]);
    await until('late catch-up', async () => (await entriesOf(late)).join() === expected.join());
  }, 120_000);

  it('a node stopped and restarted keeps its log, peer ID and addresses, and catches up', async () => {
    const before = { peerId: b.peerId, addresses: b.addresses, origin: b.origin };
    const logBefore = await entriesOf(b, false);
    await b.stop();
    running.splice(running.indexOf(b), 1);
    const more = await Promise.all(Array.from({ length: 4 }, (_, i) => testEntry(letter, 100 + i)));
    for (const [i, e] of more.entries()) {
      const answer = await submit(
        (i % 2 === 0 ? a : c).url,
        JSON.stringify({ entry: toBase64(e) })
      );
      expect(answer.status).toBe(200);
    }
    const listen = before.addresses.flatMap((addr) => ['--listen', addr.replace(/\/p2p\/.*$/, '')]);
    const args = [...listen, ...FAST, '--peer', a.addresses[0] as string];
    b = await startMirrorProcess({ letterFile, dataDir: join(dir, 'b'), args });
    running.push(b);
    expect({ peerId: b.peerId, addresses: b.addresses, origin: b.origin }).toEqual(before);
    // Its log is kept: what it held is a prefix of what it holds now (it may have caught up
    // already while starting).
    expect((await entriesOf(b, false)).slice(0, logBefore.length)).toEqual(logBefore);
    const all = [...expected, ...more.map((e) => toBase64(e))].sort();
    await until('restart catch-up', async () => (await entriesOf(b)).join() === all.join());
  }, 60_000);

  it('announces its tiles over bitswap; rejects garbage over gossip without crashing or appending', async () => {
    const p2p = await createMirrorP2P({
      dataDir: join(dir, 'prober'),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      peers: [a.addresses[0] as string],
    });
    try {
      const topic = letterTopic(letterIdHex(letter));
      const heard: Uint8Array[] = [];
      p2p.subscribe(topic, (data) => {
        heard.push(data);
        return 'ignore';
      });
      await until('mesh', async () => p2p.topicPeers(topic).includes(a.peerId as string));
      await new Promise((r) => setTimeout(r, 1500)); // a's side of the subscription, a heartbeat
      // a's announcements (heard before the garbage: then a stops sending to us, as gossipsub
      // scores a peer that relays invalid messages) name the UnixFS directory of its tiles, fetched here over bitswap.
      let cid: string | undefined;
      await until('an announcement with a cid', async () => {
        for (const data of heard) {
          const m = parseGossipMessage(data);
          if (m.type === 'checkpoint' && m.key.name === a.origin && m.cid !== undefined)
            cid = m.cid;
        }
        return cid !== undefined;
      });
      const listed = await p2p.getDirectory(cid as string);
      const bundle = listed.find((f) => f.path.startsWith('tile/entries/'));
      expect(bundle).toBeDefined();
      const served = await fetch(new URL(`log/${bundle?.path ?? ''}`, a.url));
      expect(await p2p.getBlock(bundle?.cid as CID)).toEqual(
        new Uint8Array(await served.arrayBuffer())
      );
      const sizeBefore = (await info(a)).treeSize as number;
      const followsBefore = ((await info(a)).follows as unknown[]).length;
      const note = await (await fetch(new URL('log/checkpoint', c.url))).text();
      const garbage = [
        Uint8Array.of(),
        Uint8Array.of(0x01),
        Uint8Array.of(0x01, 1, 2, 3),
        utf8Encode('\u0002undersigned/checkpoint/v1\nvkey nonsense\n\nnot a note'),
        formatCheckpointMessage({
          vkey: c.vkey,
          urls: [c.url],
          note: note.replace(/\n— .*$/s, '\n— x y\n'),
        }),
        formatCheckpointMessage({ vkey: c.vkey, urls: ['javascript:alert(1)'], note }),
        utf8Encode('\u0003undersigned/cosignature/v1\nvkey x\n\n'),
        Uint8Array.of(0x77, 1, 2, 3), // an unknown type: ignored
        new Uint8Array(4000).fill(0x02),
      ];
      for (const g of garbage) await p2p.publish(topic, g);
      const good = await testEntry(letter, 500);
      expect(await p2p.publish(topic, formatEntryMessage(good))).toBeGreaterThan(0);
      await until('the good entry', async () => (await entriesOf(a)).includes(toBase64(good)));
      const after = await info(a);
      expect(after.treeSize).toBe(sizeBefore + 1);
      expect((after.follows as unknown[]).length).toBe(followsBefore);
    } finally {
      await p2p.stop();
    }
  }, 60_000);
});
