// GET /metrics of real mirror nodes (node/metrics/metrics.ts), scraped and parsed as Prometheus
// would: submissions accepted and refused by code, tree size, checkpoint age, followed logs
// and replication lag. Nodes run in this process, without libp2p, on loopback.

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBase64, utf8Encode } from '../../../core/bytes.ts';
import { NONCE_OFFSET } from '../../../core/entry.ts';
import { formatLetter, letterId } from '../../../core/letter.ts';
import { hasStamp } from '../../../core/stamp.ts';
import { createMirror, type Mirror } from '../../../node/mirror.ts';
import { Metrics } from '../../../node/metrics/metrics.ts';
import { buildLog, type BuiltLog } from '../../helpers/log.ts';
import { testEntry, testLetter } from '../../helpers/entries.ts';
import { rawRequest } from '../../helpers/mirror-process.ts';
import { sampleValue, scrape, type ParsedFamily } from '../../helpers/prometheus.ts';

const letter = testLetter(2);
const dir = mkdtempSync(join(tmpdir(), 'undersigned-metrics-'));
const mirrors: Mirror[] = [];
let peer: Server;
let peerUrl = '';
let peerLog: BuiltLog;
let bundlesServed = false;

async function startMirror(name: string, follow: string[] = []): Promise<Mirror> {
  const mirror = await createMirror({
    letter: formatLetter(letter),
    dataDir: join(dir, name),
    http: { host: '127.0.0.1', port: 0 },
    batchMs: 20,
    p2p: false,
    follow,
    pollMs: 100,
    onError: () => undefined, // the peer's missing bundles, on purpose
  });
  mirrors.push(mirror);
  return mirror;
}

beforeAll(async () => {
  // A peer log of 5 entries whose checkpoint is served at once, its bundles only once allowed.
  const entries = await Promise.all([0, 1, 2, 3, 4].map((i) => testEntry(letter, 100 + i)));
  peerLog = buildLog(letterId(letter), entries, 'the peer');
  peer = createServer((req, res) => {
    const path = req.url ?? '';
    if (path === '/info') {
      res.end(JSON.stringify({ vkey: peerLog.vkey }));
      return;
    }
    const file = path.startsWith('/log/') ? peerLog.files.get(path.slice(5)) : undefined;
    const allowed = path === '/log/checkpoint' || bundlesServed;
    res.statusCode = file === undefined || !allowed ? 404 : 200;
    res.end(allowed ? file : undefined);
  }).listen(0, '127.0.0.1');
  await once(peer, 'listening');
  peerUrl = `http://127.0.0.1:${(peer.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await Promise.all(mirrors.map((m) => m.stop()));
  peer.close();
  rmSync(dir, { recursive: true, force: true });
});

const body = (entry: Uint8Array): string => JSON.stringify({ entry: toBase64(entry) });
const submitted = (f: ParsedFamily[], result: string): number | undefined =>
  sampleValue(f, 'undersigned_submissions_total', { result });
const rejected = (f: ParsedFamily[], reason: string): number =>
  sampleValue(f, 'undersigned_submissions_rejected_total', { reason }) ?? 0;

async function until(what: string, url: string, check: (f: ParsedFamily[]) => boolean) {
  const end = Date.now() + 10_000;
  for (;;) {
    const { families, text } = await scrape(url);
    if (check(families)) return families;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n${text}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('GET /metrics', () => {
  it('counts submissions accepted and refused by code, and the tree size, exactly', async () => {
    const node = await startMirror('counts');
    const before = await scrape(node.url);
    expect(before.status).toBe(200);
    expect(before.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    for (const name of [
      'undersigned_submissions_total',
      'undersigned_submissions_rejected_total',
      'undersigned_replicated_entries_total',
      'process_cpu_seconds_total',
    ])
      expect(before.families.find((f) => f.name === name)?.type, name).toBe('COUNTER');
    for (const name of [
      'undersigned_tree_size',
      'undersigned_checkpoint_age_seconds',
      'undersigned_peers',
      'undersigned_followed_logs',
      'undersigned_followed_tree_size',
      'undersigned_replication_lag_entries',
      'process_resident_memory_bytes',
      'process_start_time_seconds',
    ])
      expect(before.families.find((f) => f.name === name)?.type, name).toBe('GAUGE');
    expect(before.families.every((f) => f.help.length > 0)).toBe(true);
    expect(submitted(before.families, 'accepted')).toBe(0);
    expect(rejected(before.families, 'DUPLICATE_KEY')).toBe(0); // known codes start at 0
    expect(sampleValue(before.families, 'undersigned_tree_size')).toBe(0);
    expect(sampleValue(before.families, 'undersigned_peers')).toBe(0);
    expect(sampleValue(before.families, 'undersigned_followed_logs')).toBe(0);

    const good = await Promise.all([0, 1, 2, 3, 4].map((i) => testEntry(letter, i)));
    const answers = await Promise.all(
      good.map((e) => rawRequest(node.url, 'POST', '/submit', body(e)))
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    // The same entry again gets its receipt again: accepted, and nothing appended.
    expect(
      (await rawRequest(node.url, 'POST', '/submit', body(good[0] as Uint8Array))).status
    ).toBe(200);

    const other = await testEntry(letter, 1000);
    const forged = other.slice();
    forged[forged.length - 1] = (forged[forged.length - 1] ?? 0) ^ 1;
    const unstamped = other.slice();
    for (let n = 1; hasStamp(unstamped.subarray(0, unstamped.length - 64), letter.stampBits); n++)
      unstamped[NONCE_OFFSET + 7] = n;
    const refusals: [string | Buffer, string][] = [
      ['{"entry": "AQ', 'BAD_REQUEST'],
      ['{"entry": 12}', 'BAD_REQUEST'],
      [JSON.stringify({ entry: 'A'.repeat(20_000) }), 'BAD_REQUEST'],
      ['{"entry": "not base64!"}', 'MALFORMED_BASE64'],
      [body(utf8Encode('hello')), 'MALFORMED_ENTRY'],
      [body(await testEntry(testLetter(3), 1000)), 'WRONG_LETTER'],
      [body(unstamped), 'INSUFFICIENT_STAMP'],
      [body(forged), 'BAD_ENTRY_SIGNATURE'],
      [body(await testEntry(letter, 3, { name: 'Another name' })), 'DUPLICATE_KEY'],
    ];
    for (const [input, code] of refusals) {
      const answer = await rawRequest(node.url, 'POST', '/submit', input);
      expect((JSON.parse(answer.body.toString()) as { error: { code: string } }).error.code).toBe(
        code
      );
    }

    const after = (await scrape(node.url)).families;
    expect(submitted(after, 'accepted')).toBe(6);
    expect(submitted(after, 'rejected')).toBe(refusals.length);
    const expected: Record<string, number> = {};
    for (const [, code] of refusals) expected[code] = (expected[code] ?? 0) + 1;
    for (const code of ['UNAVAILABLE', ...Object.keys(expected)])
      expect(rejected(after, code), code).toBe(expected[code] ?? 0);
    expect(sampleValue(after, 'undersigned_tree_size')).toBe(5);
    expect(sampleValue(after, 'undersigned_replicated_entries_total')).toBe(0);
    const age = sampleValue(after, 'undersigned_checkpoint_age_seconds') ?? -1;
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(5); // a batch was just written
    expect(sampleValue(after, 'process_start_time_seconds')).toBeLessThanOrEqual(Date.now() / 1000);
    expect(sampleValue(after, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('shows each followed log, its verified tree size and its replication lag', async () => {
    const first = mirrors[0] as Mirror;
    const node = await startMirror('follower', [first.url, peerUrl]);
    const origin = { origin: peerLog.origin };
    // The peer's checkpoint (5) is verified, its bundles are not served yet: 5 behind.
    let f = await until(
      'the lag',
      node.url,
      (x) =>
        sampleValue(x, 'undersigned_replication_lag_entries', origin) === 5 &&
        sampleValue(x, 'undersigned_followed_tree_size', { origin: first.origin }) === 5
    );
    expect(sampleValue(f, 'undersigned_followed_logs')).toBe(2);
    expect(sampleValue(f, 'undersigned_followed_tree_size', origin)).toBe(0);
    expect(sampleValue(f, 'undersigned_replication_lag_entries', { origin: first.origin })).toBe(0);
    bundlesServed = true;
    f = await until(
      'catching up',
      node.url,
      (x) =>
        sampleValue(x, 'undersigned_replication_lag_entries', origin) === 0 &&
        sampleValue(x, 'undersigned_tree_size') === 10
    );
    expect(sampleValue(f, 'undersigned_followed_tree_size', origin)).toBe(5);
    // Every entry of this log came from the two it follows; none was submitted to it.
    expect(sampleValue(f, 'undersigned_replicated_entries_total')).toBe(10);
    expect(submitted(f, 'accepted')).toBe(0);
  });

  it('counts the connected libp2p peers', async () => {
    const start = async (name: string, peers: string[]): Promise<Mirror> => {
      const mirror = await createMirror({
        letter: formatLetter(letter),
        dataDir: join(dir, name),
        http: { host: '127.0.0.1', port: 0 },
        p2p: { listen: ['/ip4/127.0.0.1/tcp/0'], peers },
      });
      mirrors.push(mirror);
      return mirror;
    };
    const a = await start('p2p-a', []);
    const b = await start('p2p-b', [a.addresses()[0] as string]);
    for (const node of [a, b])
      await until('a peer', node.url, (x) => sampleValue(x, 'undersigned_peers') === 1);
  });

  it('is not served when turned off', async () => {
    const mirror = await createMirror({
      letter: formatLetter(letter),
      dataDir: join(dir, 'off'),
      http: { host: '127.0.0.1', port: 0 },
      p2p: false,
      metrics: false,
    });
    mirrors.push(mirror);
    expect((await scrape(mirror.url)).status).toBe(404);
  });
});

describe('Metrics', () => {
  it('counts any refusal code, and ages the checkpoint from its last batch', () => {
    let now = 1_000_000;
    const metrics = new Metrics({ now: () => now });
    const sources = { treeSize: () => 2 ** 32 + 1, peers: () => 3, follows: () => [] };
    metrics.rejected('MALFORMED_NOTE');
    metrics.rejected('MALFORMED_NOTE');
    now += 2500;
    let text = metrics.expose(sources);
    expect(text).toContain('undersigned_submissions_rejected_total{reason="MALFORMED_NOTE"} 2\n');
    expect(text).toContain('undersigned_submissions_total{result="rejected"} 2\n');
    expect(text).toContain('undersigned_checkpoint_age_seconds 2.5\n');
    expect(text).toContain('undersigned_tree_size 4294967297\n');
    expect(text).toContain('undersigned_peers 3\n');
    metrics.batchWritten({ replicated: 7 });
    now += 1000;
    text = metrics.expose(sources);
    expect(text).toContain('undersigned_checkpoint_age_seconds 1\n');
    expect(text).toContain('undersigned_replicated_entries_total 7\n');
  });

  it('escapes origins, and never reports a negative lag', () => {
    const metrics = new Metrics();
    const text = metrics.expose({
      treeSize: () => 0,
      peers: () => 0,
      follows: () => [{ origin: 'a"b\\c\nd', treeSize: 9, latestSize: 4 }],
    });
    expect(text).toContain('undersigned_followed_tree_size{origin="a\\"b\\\\c\\nd"} 9\n');
    expect(text).toContain('undersigned_replication_lag_entries{origin="a\\"b\\\\c\\nd"} 0\n');
  });
});
