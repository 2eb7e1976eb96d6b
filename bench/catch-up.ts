// Catching up: a fresh mirror follows a peer's 100,000-entry log over HTTP with full
// verification (node/follow/: bundles → root recomputed, every entry through our sequencer,
// signatures included, into our own log), against bare signature verification of the same
// entries in the same run. Target (issue #3): at most 15 s, and within 2× of the bare rate.
// Also: bytes fetched per entry (through a counting proxy), the follower's RSS after catching
// up, and the RSS of a node started on a 1,000,000-entry log (--rss-entries, 0 to skip).
//
//   node bench/catch-up.ts [--entries N] [--runs N] [--rss-entries N] [--json FILE]

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, get as httpGet, type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLetter, formatLetter, letterId, type Letter } from '../core/letter.ts';
import { entrySigningMessage, parseEntry } from '../core/entry.ts';
import { createEd25519Verifier } from '../core/ed25519-batch.ts';
import { nodeEd25519 } from '../node/ed25519/verifier.ts';
import { generateEntries } from '../node/gen.ts';
import { dataLayout } from '../node/log/layout.ts';
import { Log } from '../node/log/log.ts';
import { loadOrCreateLogKey } from '../node/log/log-key.ts';
import { startMirrorProcess, type MirrorProcess } from '../tests/helpers/mirror-process.ts';
import { machine, writeJsonArg } from './machine.ts';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const count = arg('entries', 100_000);
const rssEntries = arg('rss-entries', 1_000_000);
const runs = arg('runs', 3);
const letter = createLetter({
  title: 'Benchmark letter',
  text: 'We, the undersigned, catch up.\n',
  stampBits: 0,
});
const dir = mkdtempSync(join(tmpdir(), 'undersigned-catch-up-'));
const letterFile = join(dir, 'letter');
writeFileSync(letterFile, formatLetter(letter));
const mib = (n: number): number => Math.round((n / 2 ** 20) * 10) / 10;
const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};
const seconds = (xs: readonly number[]): string => xs.map((x) => x.toFixed(2)).join(', ');

/** Writes a log of `n` generated entries into `dataDir` with the Log API, in big batches. */
async function seed(l: Letter, dataDir: string, n: number): Promise<Uint8Array[]> {
  const layout = dataLayout(dataDir);
  const log = await Log.open({
    layout,
    key: await loadOrCreateLogKey(layout.keyFile, letterId(l)),
  });
  const all: Uint8Array[] = [];
  let batch: Uint8Array[] = [];
  for await (const chunk of generateEntries(l, n, { affiliations: 50 })) {
    batch.push(...chunk);
    if (batch.length >= 50_000) {
      await log.append(batch);
      if (n <= 200_000) all.push(...batch);
      batch = [];
    }
  }
  if (batch.length > 0) await log.append(batch);
  if (n <= 200_000) all.push(...batch);
  await log.close();
  return all;
}

function rssOf(node: MirrorProcess): number {
  const status = readFileSync(`/proc/${node.child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) * 1024;
}

async function info(
  node: MirrorProcess
): Promise<{ treeSize: number; follows: { treeSize: number }[] }> {
  return (await (await fetch(new URL('info', node.url))).json()) as {
    treeSize: number;
    follows: { treeSize: number }[];
  };
}

try {
  const entries = await seed(letter, join(dir, 'source'), count);
  const source = await startMirrorProcess({
    letterFile,
    dataDir: join(dir, 'source'),
    args: ['--no-p2p'],
  });

  // A proxy in front of the source that counts the bytes of every answer: a plain pipe, so that
  // it takes little of the CPU the follower runs on.
  let bytes = 0;
  let requests = 0;
  const proxy = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL((req.url ?? '/').slice(1), source.url);
    const upstream = httpGet(url, (answer) => {
      requests++;
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
  }).listen(0, '127.0.0.1');
  await once(proxy, 'listening');
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/`;

  // 1. Bare signature verification of the same entries, by the node's verifier (libsodium on
  // one worker thread per core), given all of them at once so that every worker is busy; and
  // 2. a fresh node catching up, from its start until its own log holds every entry. The two
  // alternate, `runs` times each, and the medians are compared: this machine's speed drifts
  // by ±25% within minutes, and a single bare run of a few seconds is at its mercy.
  const ed25519 = nodeEd25519();
  const items = entries.map((b) => {
    const e = parseEntry(b);
    return { publicKey: e.publicKey, message: entrySigningMessage(e.body), signature: e.signature };
  });
  const bareRuns: number[] = [];
  const catchUpRuns: number[] = [];
  const startUps: number[] = []; // spawn until the node serves HTTP
  const firsts: number[] = []; // spawn until its own log holds entries
  let peakRss = 0;
  let followerRss = 0;
  for (let run = 0; run < runs; run++) {
    let started = performance.now();
    const verdicts = await ed25519.verifyMany(items);
    if (!verdicts.every(Boolean)) throw new Error('bug: a generated signature does not verify');
    bareRuns.push((performance.now() - started) / 1000);

    bytes = 0;
    requests = 0;
    started = performance.now();
    const fresh = await startMirrorProcess({
      letterFile,
      dataDir: join(dir, `fresh-${run}`),
      batchMs: 250,
      args: ['--no-p2p', '--follow', proxyUrl, '--poll-ms', '200'],
    });
    peakRss = 0;
    const up = (performance.now() - started) / 1000;
    let first = 0;
    for (;;) {
      peakRss = Math.max(peakRss, rssOf(fresh));
      const i = await info(fresh);
      if (first === 0 && i.treeSize > 0) first = (performance.now() - started) / 1000;
      if (i.treeSize === count && i.follows[0]?.treeSize === count) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    catchUpRuns.push((performance.now() - started) / 1000);
    startUps.push(up);
    firsts.push(first);
    console.error(
      `catch-up run ${run + 1}: bare ${(bareRuns.at(-1) ?? 0).toFixed(2)} s; the node serves ` +
        `after ${up.toFixed(2)} s, its own log has entries after ${first.toFixed(2)} s ` +
        `and all of them after ${(catchUpRuns.at(-1) ?? 0).toFixed(2)} s`
    );
    followerRss = rssOf(fresh);
    await fresh.stop();
    // Each run's data stays until the end: this disk (ext4 without a journal) skips inodes
    // freed in the last few minutes when it creates a file, which made every file the next
    // run wrote cost up to 1 ms of CPU (perf: recently_deleted in find_inode_bit).
  }
  // For comparison only: the same signatures through Node's WebCrypto (256 in flight).
  let started = performance.now();
  await createEd25519Verifier({ backend: 'webcrypto' }).verifyMany(items);
  const webCryptoSeconds = (performance.now() - started) / 1000;
  await source.stop();
  proxy.close();
  const bareSeconds = median(bareRuns);
  const catchUpSeconds = median(catchUpRuns);

  // 3. A node started on a big log: its RSS once serving.
  let bigRss: number | undefined;
  let bigStartSeconds: number | undefined;
  if (rssEntries > 0) {
    await seed(letter, join(dir, 'big'), rssEntries);
    started = performance.now();
    const big = await startMirrorProcess({
      letterFile,
      dataDir: join(dir, 'big'),
      args: ['--no-p2p'],
    });
    bigStartSeconds = (performance.now() - started) / 1000;
    await info(big);
    bigRss = rssOf(big);
    await big.stop();
  }

  const report = {
    machine: machine(),
    entries: count,
    backend: await ed25519.backend(),
    runs,
    bareSeconds: Math.round(bareSeconds * 100) / 100,
    bareRuns: bareRuns.map((x) => Math.round(x * 100) / 100),
    webCryptoSeconds: Math.round(webCryptoSeconds * 100) / 100,
    catchUpSeconds: Math.round(catchUpSeconds * 100) / 100,
    catchUpRuns: catchUpRuns.map((x) => Math.round(x * 100) / 100),
    startUpSeconds: Math.round(median(startUps) * 100) / 100,
    firstEntriesSeconds: Math.round(median(firsts) * 100) / 100,
    ratio: Math.round((catchUpSeconds / bareSeconds) * 100) / 100,
    bytesPerEntry: Math.round((bytes / count) * 10) / 10,
    requests,
    followerRssMiB: mib(followerRss),
    followerPeakRssMiB: mib(peakRss),
    bigLogEntries: rssEntries,
    bigLogRssMiB: bigRss === undefined ? null : mib(bigRss),
    bigLogStartSeconds:
      bigStartSeconds === undefined ? null : Math.round(bigStartSeconds * 10) / 10,
  };
  console.log(`### Catching up on a peer log (${count.toLocaleString('en')} entries)

${report.machine}; signature backend: ${report.backend}

| Measure | Value |
|---|---:|
| Bare signature verification of the same entries (the node's verifier), median of ${runs} (runs) | ${report.bareSeconds} s (${seconds(bareRuns)}) |
| The same through Node's WebCrypto, for comparison | ${report.webCryptoSeconds} s |
| Fresh node catching up over HTTP, full verification, into its own log (target ≤ 15 s), median of ${runs}, each run right after a bare one (runs) | ${report.catchUpSeconds} s (${seconds(catchUpRuns)}) |
| Of which: spawn until the node serves HTTP; until its own log holds its first entries (medians) | ${report.startUpSeconds} s; ${report.firstEntriesSeconds} s |
| Ratio of the medians (target ≤ 2) | ${report.ratio} |
| Ratio to WebCrypto verification | ${Math.round((report.catchUpSeconds / report.webCryptoSeconds) * 100) / 100} |
| Bytes fetched per entry (${report.requests} requests) | ${report.bytesPerEntry} B |
| Follower RSS after catching up (peak), last run | ${report.followerRssMiB} MiB (${report.followerPeakRssMiB} MiB) |
| RSS of a node serving a ${rssEntries.toLocaleString('en')}-entry log (start-up time) | ${report.bigLogRssMiB ?? '—'} MiB (${report.bigLogStartSeconds ?? '—'} s) |
`);
  await writeJsonArg(report);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
