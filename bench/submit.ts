// Submission throughput of a mirror node: start a node process on a fresh data directory,
// submit pre-generated entries over HTTP from many keep-alive connections at once, and report
// the sustained rate of accepted submissions. Every accepted submission is durable and in a
// signed checkpoint before its answer, so the rate includes fsyncs and signatures per batch.
//
//   node bench/submit.ts [--count N] [--concurrency C] [--batch-ms MS] [--json FILE]
//
// The client runs on the same machine as the node, so the two share its cores.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLetter, formatLetter } from '../core/letter.ts';

const MAIN = new URL('../node/cli/main.ts', import.meta.url).pathname;

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '30000' },
    concurrency: { type: 'string', default: '256' },
    'batch-ms': { type: 'string', default: '50' },
    json: { type: 'string' },
  },
});
const count = Number(values.count);
const concurrency = Number(values.concurrency);
const batchMs = Number(values['batch-ms']);

const dir = await mkdtemp(join(tmpdir(), 'undersigned-bench-'));
try {
  const letterFile = join(dir, 'letter');
  await writeFile(
    letterFile,
    formatLetter(createLetter({ title: 'Benchmark letter', text: 'We measure.\n' }))
  );
  const entriesFile = join(dir, 'entries.txt');
  await run(['gen', '--letter', letterFile, '--count', String(count), '--out', entriesFile]);
  const bodies = (await readFile(entriesFile, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.stringify({ entry: line }));

  const node = spawn(
    process.execPath,
    [
      ...(process.env['BENCH_NODE_ARGS']?.split(' ').filter(Boolean) ?? []),
      MAIN,
      'node',
      '--letter',
      letterFile,
      '--data',
      join(dir, 'data'),
      '--http',
      '127.0.0.1:0',
      '--batch-ms',
      String(batchMs),
      '--web',
      join(dir, 'none'),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] }
  );
  const url = await nodeUrl(node);
  const nodeCpuBefore = await cpuSeconds(node.pid);
  const mainCpuBefore = await cpuSeconds(node.pid, node.pid);
  const clientCpuBefore = process.cpuUsage();
  const result = await submitAll(url, bodies, concurrency);
  const nodeCpu = (await cpuSeconds(node.pid)) - nodeCpuBefore;
  const mainCpu = (await cpuSeconds(node.pid, node.pid)) - mainCpuBefore;
  const clientCpu = cpuOf(process.cpuUsage(clientCpuBefore));
  const info = (await (await fetch(new URL('info', url))).json()) as { treeSize: number };
  node.kill('SIGTERM');
  await once(node, 'exit');

  const rows: [string, string][] = [
    ['entries submitted', String(count)],
    ['accepted (HTTP 200)', String(result.accepted)],
    ['other answers', String(count - result.accepted)],
    ['tree size at the end', String(info.treeSize)],
    ['concurrent clients', String(concurrency)],
    ['batch period', `${batchMs} ms`],
    ['wall time', `${result.seconds.toFixed(2)} s`],
    ['**accepted / s**', `**${Math.round(result.accepted / result.seconds)}**`],
    ['latency p50', `${result.p50.toFixed(0)} ms`],
    ['latency p99', `${result.p99.toFixed(0)} ms`],
    [
      'node CPU per submission',
      `${((nodeCpu / count) * 1e6).toFixed(0)} µs (main thread ${((mainCpu / count) * 1e6).toFixed(0)} µs)`,
    ],
    ['client CPU per submission', `${((clientCpu / count) * 1e6).toFixed(0)} µs`],
    ['machine', `${cpus().length} cores, Node ${process.versions.node}`],
  ];
  const heading = `### Sustained submissions over HTTP: ${concurrency} clients, ${batchMs} ms batches`;
  const target =
    'Target on 2 cores (issue #3): at least 3,000 accepted submissions/s, durable batches.';
  process.stdout.write(
    [
      heading,
      '',
      target,
      '',
      '| measure | value |',
      '|---|---|',
      ...rows.map(([k, v]) => `| ${k} | ${v} |`),
      '',
    ].join('\n')
  );
  if (values.json !== undefined) {
    const json = {
      count,
      concurrency,
      batchMs,
      ...result,
      nodeCpu,
      mainCpu,
      clientCpu,
      rate: result.accepted / result.seconds,
      treeSize: info.treeSize,
      cores: cpus().length,
    };
    await writeFile(values.json, `${JSON.stringify(json, null, 2)}\n`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

type Result = {
  accepted: number;
  seconds: number;
  p50: number;
  p99: number;
  statuses: Record<string, number>;
};

/**
 * Submits every body once over `concurrency` keep-alive connections, one request at a time on
 * each. The client speaks just enough HTTP/1.1 (Content-Length bodies) to cost little CPU, so
 * that on a small machine the node, not the client, gets the cores.
 */
async function submitAll(
  url: string,
  bodies: readonly string[],
  concurrency: number
): Promise<Result> {
  const target = new URL('submit', url);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    const connection = await connect(target);
    try {
      while (next < bodies.length) {
        const body = bodies[next++] as string;
        const t = performance.now();
        const status = await connection.post(body);
        latencies.push(performance.now() - t);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    } finally {
      connection.close();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { accepted: statuses['200'] ?? 0, seconds, p50: at(0.5), p99: at(0.99), statuses };
}

type Connection = { post(body: string): Promise<number>; close(): void };

async function connect(target: URL): Promise<Connection> {
  const socket = createConnection({ host: target.hostname, port: Number(target.port) });
  socket.setNoDelay(true);
  await once(socket, 'connect');
  let buffered: Buffer = Buffer.alloc(0);
  let waiting: { resolve: (status: number) => void; reject: (e: Error) => void } | undefined;
  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    const end = buffered.indexOf('\r\n\r\n');
    if (end < 0 || waiting === undefined) return;
    const head = buffered.subarray(0, end).toString('latin1');
    const length = Number(/\r\ncontent-length: *([0-9]+)/i.exec(head)?.[1] ?? 0);
    if (buffered.length < end + 4 + length) return;
    buffered = buffered.subarray(end + 4 + length);
    const done = waiting;
    waiting = undefined;
    done.resolve(Number(head.slice(9, 12)));
  });
  socket.on('error', (e) => waiting?.reject(e));
  const prefix = `POST ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nContent-Type: application/json\r\n`;
  return {
    post(body) {
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject };
        socket.write(`${prefix}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      });
    },
    close() {
      socket.destroy();
    },
  };
}

/** The URL the node prints on start; its output is read on to the end, so it never hits a closed pipe. */
function nodeUrl(node: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    node.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /^url\s+(\S+)$/m.exec(out);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    node.once('exit', () => {
      reject(new Error(`the node exited before printing its URL:\n${out}`));
    });
  });
}

/** User and system CPU seconds of a process, or of one of its threads, so far (Linux /proc; NaN elsewhere). */
async function cpuSeconds(pid: number | undefined, thread?: number): Promise<number> {
  const file =
    thread === undefined ? `/proc/${String(pid)}/stat` : `/proc/${String(pid)}/task/${thread}/stat`;
  try {
    const fields = (await readFile(file, 'utf8')).split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return Number.NaN;
  }
}

function cpuOf(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1e6;
}

async function run(args: string[]): Promise<void> {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: 'inherit' });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`undersigned ${args[0] ?? ''} exited with ${String(code)}`);
}
