// The node's operations log (node/ops-log.ts) and `undersigned node --log-format json`: every
// line a JSON object with time, level and msg, and nothing about a submission in any of them.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toBase64, toHex } from '../../core/bytes.ts';
import { formatLetter } from '../../core/letter.ts';
import { publicKeyFromSeed } from '../../core/ed25519.ts';
import { createOpsLog, type LogLevel } from '../../node/ops-log.ts';
import { main } from '../../node/cli/cli.ts';
import { CLI, type CliResult } from '../helpers/cli.ts';
import { testEntry, testLetter, testSeed } from '../helpers/entries.ts';

const letter = testLetter();
const dir = mkdtempSync(join(tmpdir(), 'undersigned-ops-log-'));
const letterFile = join(dir, 'letter');
writeFileSync(letterFile, formatLetter(letter));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function collect(format: 'text' | 'json') {
  const lines: [string, LogLevel][] = [];
  const log = createOpsLog({
    format,
    write: (line, level) => lines.push([line, level]),
    now: () => new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 678)),
  });
  return { log, lines };
}

describe('createOpsLog', () => {
  it('writes one JSON object a line: time, level, msg, then the fields', () => {
    const { log, lines } = collect('json');
    log.info('started', { url: 'http://127.0.0.1:8470/', addresses: ['/ip4/1'], peerId: null });
    log.warn('two\nlines', { n: 2 }, 'ignored in json');
    log.error('failed', { code: 'FETCH_FAILED' });
    expect(lines).toEqual([
      [
        '{"time":"2025-01-02T03:04:05.678Z","level":"info","msg":"started","url":"http://127.0.0.1:8470/","addresses":["/ip4/1"],"peerId":null}\n',
        'info',
      ],
      ['{"time":"2025-01-02T03:04:05.678Z","level":"warn","msg":"two\\nlines","n":2}\n', 'warn'],
      [
        '{"time":"2025-01-02T03:04:05.678Z","level":"error","msg":"failed","code":"FETCH_FAILED"}\n',
        'error',
      ],
    ]);
  });

  it('writes the text given, or the message and its fields, in text', () => {
    const { log, lines } = collect('text');
    log.info('started', { url: 'u' }, 'url        u\norigin     o');
    log.error('failed', { code: 'FETCH_FAILED', urls: ['a', 'b'] });
    expect(lines).toEqual([
      ['url        u\norigin     o\n', 'info'],
      ['failed code=FETCH_FAILED urls=a,b\n', 'error'],
    ]);
  });

  it('refuses a field that would hide time, level or msg', () => {
    const { log } = collect('json');
    for (const name of ['time', 'level', 'msg'])
      expect(() => {
        log.info('x', { [name]: 'y' });
      }).toThrow(TypeError);
  });
});

/** Runs `undersigned ...args` in this process. */
async function runMain(args: string[]): Promise<CliResult> {
  const out = { stdout: '', stderr: '' };
  const stream = (name: 'stdout' | 'stderr'): Writable =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        out[name] += chunk.toString();
        done();
      },
    });
  const io = {
    stdout: stream('stdout'),
    stderr: stream('stderr'),
    signal: new AbortController().signal,
  };
  const status = await main(args, io);
  return { status, ...out };
}

/** POSTs a body to /submit; resolves with the status and the local port the request used. */
function post(base: string, body: string): Promise<{ status: number; port: number }> {
  const url = new URL('submit', base);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: false }, (res) => {
      res.resume();
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, port: req.socket?.localPort ?? 0 });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('undersigned node --log-format json', () => {
  it('writes only JSON lines, none about a submission, from start to stop', async () => {
    const config = join(dir, 'json.conf');
    writeFileSync(
      config,
      [
        'letter = "letter"',
        'data = "json-data"',
        'http = "127.0.0.1:0"',
        'batch-ms = 20',
        'web = "no-web"',
        'log-format = "json"',
        'follow = "http://127.0.0.1:1/"   # refused: an error line',
        '',
      ].join('\n')
    );
    const child = spawn(process.execPath, [CLI, 'node', '--config', config], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const started = new Promise<Record<string, unknown>>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const first = stdout.split('\n')[0] ?? '';
        if (stdout.includes('\n')) resolve(JSON.parse(first) as Record<string, unknown>);
      });
    });
    const exited = once(child, 'exit');
    const start = await started;
    expect(start).toMatchObject({ level: 'info', msg: 'started', treeSize: 0 });
    expect(start['url']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(start['peerId']).toMatch(/^12D3KooW/);
    expect(start['addresses']).toEqual(expect.arrayContaining([expect.stringMatching(/\/tcp\//)]));
    for (const key of ['origin', 'vkey', 'witnessVkey'])
      expect(typeof start[key], key).toBe('string');

    const url = start['url'] as string;
    const entries = await Promise.all([0, 1, 2].map((i) => testEntry(letter, i)));
    const secrets = entries.flatMap((e, i) => {
      const publicKey = publicKeyFromSeed(testSeed(i));
      return [toBase64(e), toBase64(publicKey), toHex(publicKey)];
    });
    const bodies = [
      ...entries.map((e) => JSON.stringify({ entry: toBase64(e) })),
      '{"entry": "not base64!"}',
      '{"entry": 1}',
    ];
    const answers = await Promise.all(bodies.map((b) => post(url, b)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 400, 400]);
    await new Promise((r) => setTimeout(r, 300)); // the refused follow, logged
    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);

    const lines = `${stdout}${stderr}`.split('\n').filter((l) => l !== '');
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const r of records) {
      expect(Object.keys(r).slice(0, 3)).toEqual(['time', 'level', 'msg']);
      expect(new Date(r['time'] as string).toISOString()).toBe(r['time']);
      expect(['info', 'warn', 'error']).toContain(r['level']);
      expect(typeof r['msg']).toBe('string');
    }
    const last = stdout.trimEnd().split('\n').at(-1) ?? '';
    expect(JSON.parse(last)).toMatchObject({ level: 'info', msg: 'stopped', treeSize: 3 });
    expect(records.some((r) => r['level'] === 'error')).toBe(true); // the follow that failed
    expect(stderr.split('\n').filter((l) => l !== '')).toEqual(
      lines.filter((l) => (JSON.parse(l) as { level: string }).level !== 'info')
    );
    const all = lines.join('\n');
    for (const secret of secrets) expect(all).not.toContain(secret);
    // No client's port: the node's own (its URL, its libp2p addresses) aside.
    const own = [url, ...(start['addresses'] as string[])];
    const others = own.reduce((text, address) => text.split(address).join(''), all);
    for (const { port } of answers) expect(others).not.toMatch(new RegExp(`\\D${port}\\D`));
    expect(all).not.toContain('"port"');
  });

  it('logs an error that stops the node as one JSON line, with its exit status', async () => {
    const busy = createServer().listen(0, '127.0.0.1');
    await once(busy, 'listening');
    const { port } = busy.address() as AddressInfo;
    const r = await runMain([
      'node',
      ...['--letter', letterFile, '--data', join(dir, 'busy-data'), '--no-p2p'],
      ...['--http', `127.0.0.1:${port}`, '--log-format', 'json'],
    ]);
    busy.close();
    expect(r.status).toBe(4);
    expect(r.stdout).toBe('');
    const [line, ...more] = r.stderr.split('\n').filter((l) => l !== '');
    expect(more).toEqual([]);
    expect(JSON.parse(line ?? '')).toMatchObject({ level: 'error', code: 'EADDRINUSE' });
  });

  it('refuses an unknown format, in a config file (naming the line) or a flag, exit status 2', async () => {
    const config = join(dir, 'bad.conf');
    writeFileSync(config, 'letter = "letter"\nlog-format = "xml"\n');
    const fromFile = await runMain(['node', '--config', config]);
    expect(fromFile.status).toBe(2);
    expect(fromFile.stderr).toContain(
      `BAD_CONFIG: ${config}:2: "log-format" expects "text" or "json"`
    );
    const fromFlag = await runMain(['node', '--letter', letterFile, '--log-format', 'yaml']);
    expect(fromFlag.status).toBe(2);
    expect(fromFlag.stderr).toContain('--log-format must be text or json');
  });
});
