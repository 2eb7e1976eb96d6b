// undersigned node --seed FILE.car and --config FILE, with real node processes.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatLetter, letterId } from '../../core/letter.ts';
import { CLI, runCli } from '../helpers/cli.ts';
import { testEntry, testLetter } from '../helpers/entries.ts';
import { buildLog, writeLog } from '../helpers/log.ts';
import { startMirrorProcess } from '../helpers/mirror-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'undersigned-seed-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
const letter = testLetter(2);
const letterFile = join(dir, 'letter.txt');
writeFileSync(letterFile, formatLetter(letter));

describe('undersigned node --seed', () => {
  it('starts a new mirror from an exported copy, holding every entry that counts', async () => {
    const entries = await Promise.all(Array.from({ length: 40 }, (_, i) => testEntry(letter, i)));
    const log = buildLog(letterId(letter), entries, 'seed source');
    writeLog(log, join(dir, 'source'));
    const car = join(dir, 'copy.car');
    const exported = await runCli([
      'export',
      '--from',
      join(dir, 'source'),
      '--vkey',
      log.vkey,
      '--letter',
      letterFile,
      '--out',
      car,
    ]);
    expect(exported.stderr).toBe('');
    expect(exported.status).toBe(0);

    const mirror = await startMirrorProcess({
      letterFile,
      dataDir: join(dir, 'seeded'),
      args: ['--no-p2p', '--seed', car],
    });
    try {
      await expect.poll(() => mirror.output(), { timeout: 30_000 }).toMatch(/seeded\s+40 entries/);
      const verified = await runCli([
        'verify',
        '--from',
        mirror.url,
        '--vkey',
        mirror.vkey,
        '--json',
      ]);
      expect(JSON.parse(verified.stdout)).toMatchObject({ count: 40, treeSize: 40 });
    } finally {
      await mirror.stop();
    }
  });
  it('refuses a copy of another letter', async () => {
    const other = testLetter(3);
    const otherFile = join(dir, 'other.txt');
    writeFileSync(otherFile, formatLetter(other));
    const r = await runCli([
      'node',
      '--letter',
      otherFile,
      '--data',
      join(dir, 'other'),
      '--http',
      '127.0.0.1:0',
      '--no-p2p',
      '--seed',
      join(dir, 'copy.car'),
    ]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/WRONG_LETTER/);
  });
});

describe('undersigned node --config', () => {
  it('runs from a config file alone, paths relative to the file', async () => {
    const config = join(dir, 'node.conf');
    writeFileSync(
      config,
      `# a test mirror\nletter = "letter.txt"\ndata = "from-config"\nhttp = "127.0.0.1:0"\nno-p2p = true\n`
    );
    const child = spawn(process.execPath, [CLI, 'node', '--config', config], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await expect
        .poll(() => output, { timeout: 30_000 })
        .toMatch(/^url\s+http:\/\/127\.0\.0\.1:\d+\/$/m);
      expect(existsSync(join(dir, 'from-config', 'keys', 'log.key'))).toBe(true);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
  it('lets a flag override the file', async () => {
    const r = await runCli([
      'node',
      '--config',
      join(dir, 'node.conf'),
      '--http',
      'not-an-address',
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--http must be HOST:PORT/);
  });
  it('names an unknown key and its line, with exit status 2', async () => {
    const config = join(dir, 'bad.conf');
    writeFileSync(config, `letter = "letter.txt"\nlisten-on = "x"\n`);
    const r = await runCli(['node', '--config', config]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`BAD_CONFIG: ${config}:2: unknown key "listen-on"`);
  });
  it('names a missing file', async () => {
    const r = await runCli(['node', '--config', join(dir, 'missing.conf')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/BAD_CONFIG/);
  });
});
