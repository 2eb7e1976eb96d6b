import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBase64 } from '../../core/bytes.ts';
import { parseLetter, letterId } from '../../core/letter.ts';
import { parseEntry } from '../../core/entry.ts';
import { checkEntry } from '../../core/entry-check.ts';
import { runCli } from '../helpers/cli.ts';
import { buildLog, writeLog } from '../helpers/log.ts';
import { readSharedJson, SHARED_VECTORS } from '../helpers/vectors.ts';

const dir = mkdtempSync(join(tmpdir(), 'undersigned-cli-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
const letterFile = join(dir, 'letter.txt');

beforeAll(async () => {
  writeFileSync(join(dir, 'text.md'), 'We, the undersigned,\r\nwill not build it.  \n');
  const made = await runCli([
    'letter',
    'new',
    '--title',
    'No',
    '--text',
    join(dir, 'text.md'),
    '--out',
    letterFile,
    '--stamp-bits',
    '4',
  ]);
  expect(made.status).toBe(0);
});

describe('undersigned letter new', () => {
  it('writes a canonical letter file and prints its ID', () => {
    const letter = parseLetter(readFileSync(letterFile));
    expect(letter).toEqual({
      title: 'No',
      text: 'We, the undersigned,\nwill not build it.\n',
      stampBits: 4,
    });
  });
  it('refuses a bad title with a code and exit status 3', async () => {
    const r = await runCli([
      'letter',
      'new',
      '--title',
      'a\u202Eb',
      '--text',
      join(dir, 'text.md'),
      '--out',
      join(dir, 'x'),
    ]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/MALFORMED_LETTER/);
  });
});

describe('undersigned key new / sign', () => {
  it('writes a key with mode 0600, never overwrites it, and signs with it', async () => {
    const key = join(dir, 'me.key');
    const made = await runCli(['key', 'new', '--out', key]);
    expect(made.status).toBe(0);
    expect(made.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    expect(statSync(key).mode & 0o777).toBe(0o600);
    expect((await runCli(['key', 'new', '--out', key])).status).toBe(4);

    const signed = await runCli([
      'sign',
      '--letter',
      letterFile,
      '--key',
      key,
      '--name',
      'Ada',
      '--affiliation',
      'Acme',
    ]);
    expect(signed.status).toBe(0);
    const entry = fromBase64(signed.stdout.trim());
    const letter = parseLetter(readFileSync(letterFile));
    expect(checkEntry(entry, letterId(letter), letter.stampBits).ok).toBe(true);
    expect(parseEntry(entry)).toMatchObject({ name: 'Ada', affiliation: 'Acme', kind: 'sign' });
  });
  it('refuses a withdraw entry with a name', async () => {
    const key = join(dir, 'w.key');
    await runCli(['key', 'new', '--out', key]);
    const r = await runCli([
      'sign',
      '--letter',
      letterFile,
      '--key',
      key,
      '--withdraw',
      '--name',
      'x',
    ]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/MALFORMED_ENTRY/);
  });
  it('names a missing flag and prints the usage with exit status 2', async () => {
    const r = await runCli(['sign', '--letter', letterFile]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--key is required/);
    expect(r.stderr).toMatch(/usage: undersigned sign/);
  });
  it('refuses unknown flags', async () => {
    expect((await runCli(['gen', '--bogus'])).status).toBe(2);
  });
  it('has --help on every command', async () => {
    for (const words of [['letter', 'new'], ['key', 'new'], ['sign'], ['verify'], ['gen']]) {
      const r = await runCli([...words, '--help']);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`undersigned ${words.join(' ')}`));
    }
  });
});

describe('undersigned gen / verify', () => {
  it('generates valid entries that verify as a log, with the JSON result', async () => {
    const out = join(dir, 'entries.b64');
    const r = await runCli([
      'gen',
      '--letter',
      letterFile,
      '--count',
      '700',
      '--out',
      out,
      '--affiliations',
      '7',
    ]);
    expect(r.status).toBe(0);
    const entries = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((line) => fromBase64(line));
    expect(entries).toHaveLength(700);
    const letter = parseLetter(readFileSync(letterFile));
    const log = buildLog(letterId(letter), entries);
    const logDir = join(dir, 'log');
    writeLog(log, logDir);
    writeFileSync(join(dir, 'log.vkey'), log.vkey);
    const v = await runCli([
      'verify',
      '--from',
      logDir,
      '--vkey',
      log.vkey,
      '--letter',
      letterFile,
      '--json',
    ]);
    expect(v.status).toBe(0);
    const result = JSON.parse(v.stdout) as {
      count: number;
      treeSize: number;
      rejectedTotal: number;
      byAffiliation: Record<string, number>;
    };
    expect(result).toMatchObject({ count: 700, treeSize: 700, rejectedTotal: 0 });
    expect(Object.values(result.byAffiliation).reduce((a, b) => a + b, 0)).toBe(700);
    expect(Object.keys(result.byAffiliation)).toHaveLength(7);
  });
  it('fails with status 3 and ROOT_MISMATCH when a bundle is tampered with', async () => {
    const letter = parseLetter(readFileSync(letterFile));
    const entries = readFileSync(join(dir, 'entries.b64'), 'utf8')
      .trim()
      .split('\n')
      .slice(0, 300)
      .map((l) => fromBase64(l));
    const log = buildLog(letterId(letter), entries);
    const bundle = log.files.get('tile/entries/000') as Uint8Array;
    bundle[50] = (bundle[50] ?? 0) ^ 0x80;
    const logDir = join(dir, 'tampered');
    writeLog(log, logDir);
    const v = await runCli([
      'verify',
      '--from',
      logDir,
      '--vkey',
      log.vkey,
      '--letter',
      letterFile,
    ]);
    expect(v.status).toBe(3);
    expect(v.stderr).toMatch(/ROOT_MISMATCH/);
  });
  it('verifies the shared sample log structurally, listing its entries as rejected', async () => {
    const sample = readSharedJson<{ vkey: string }>('sample-log-1000.json');
    const v = await runCli([
      'verify',
      '--from',
      join(SHARED_VECTORS, 'sample-log-1000'),
      '--vkey',
      sample.vkey,
      '--letter',
      letterFile,
      '--json',
    ]);
    expect(v.status).toBe(0);
    const result = JSON.parse(v.stdout) as {
      count: number;
      rejectedTotal: number;
      rejected: { code: string }[];
    };
    expect(result.count).toBe(0);
    expect(result.rejectedTotal).toBe(1000);
    expect(result.rejected[0]?.code).toBe('MALFORMED_ENTRY');
    expect(v.stderr).toMatch(/not an Undersigned log origin/);
  });
  it('verifies a log served over HTTP', async () => {
    const logDir = join(dir, 'log');
    const server = createServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://x').pathname.slice(1);
      try {
        response.end(readFileSync(join(logDir, path)));
      } catch {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const vkey = readFileSync(join(dir, 'log.vkey'), 'utf8');
      const v = await runCli([
        'verify',
        '--from',
        `http://127.0.0.1:${port}/`,
        '--vkey',
        vkey,
        '--letter',
        letterFile,
        '--json',
      ]);
      expect(v.stderr).toBe('');
      expect(JSON.parse(v.stdout)).toMatchObject({ count: 700, treeSize: 700 });
    } finally {
      server.close();
    }
  });
  it('says which file is missing, with status 4', async () => {
    const sample = readSharedJson<{ vkey: string }>('sample-log-1000.json');
    const v = await runCli([
      'verify',
      '--from',
      join(dir, 'nowhere'),
      '--vkey',
      sample.vkey,
      '--letter',
      letterFile,
    ]);
    expect(v.status).toBe(4);
    expect(v.stderr).toMatch(/NOT_FOUND: cannot read checkpoint/);
  });
});
