// undersigned submit, status and verify against a real mirror process on loopback.

import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLetter, formatLetter } from '../../core/letter.ts';
import { parseReceipt } from '../../core/receipt.ts';
import { toBase64 } from '../../core/bytes.ts';
import { runCli } from '../helpers/cli.ts';
import { testEntry } from '../helpers/entries.ts';
import { startMirrorProcess, type MirrorProcess } from '../helpers/mirror-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'undersigned-client-'));
const letter = createLetter({ title: 'Client test', text: 'We test the client.\n', stampBits: 2 });
const letterFile = join(dir, 'letter.txt');
let mirror: MirrorProcess;

beforeAll(async () => {
  writeFileSync(letterFile, formatLetter(letter));
  mirror = await startMirrorProcess({ letterFile, dataDir: join(dir, 'data'), batchMs: 50 });
});

afterAll(async () => {
  await mirror.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('undersigned submit', () => {
  it('submits every entry, checks and prints each receipt, and writes them to --out', async () => {
    const entries = await Promise.all([0, 1, 2, 3, 4].map((i) => testEntry(letter, 100 + i)));
    const file = join(dir, 'entries.b64');
    writeFileSync(file, entries.map((e) => toBase64(e)).join('\n') + '\n');
    const r = await runCli(['submit', file, '--to', mirror.url, '--out', join(dir, 'receipts')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; index: number; receipt: string });
    expect(lines.map((l) => l.line).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(lines.map((l) => l.index))).toEqual(new Set([0, 1, 2, 3, 4]));
    for (const l of lines) expect(parseReceipt(l.receipt).entry).toEqual(entries[l.line - 1]);
    expect(readdirSync(join(dir, 'receipts'))).toHaveLength(5);
  });
  it('reports a refused entry with its code and exit status 3, and submits the rest', async () => {
    const good = await testEntry(letter, 200);
    const other = await testEntry(createLetter({ title: 'Other', text: 'x\n' }), 201);
    const file = join(dir, 'mixed.b64');
    writeFileSync(file, `${toBase64(good)}\n${toBase64(other)}\n`);
    const r = await runCli(['submit', file, '--to', mirror.url]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/line 2 → .*WRONG_LETTER/);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
  });
  it('needs the entries file', async () => {
    const r = await runCli(['submit', '--to', mirror.url]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/FILE, the entries to submit, is required/);
  });
});

describe('undersigned status and verify --from a mirror', () => {
  it('shows the checked checkpoint', async () => {
    const r = await runCli(['status', '--from', mirror.url]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`origin     ${mirror.origin}`);
    expect(r.stdout).toContain('tree size  6,');
  });
  it('verifies the live log, trusting the key the mirror reports and saying so', async () => {
    const r = await runCli(['verify', '--from', mirror.url, '--json']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/trusting the log key/);
    expect(JSON.parse(r.stdout)).toMatchObject({
      count: 6,
      treeSize: 6,
      rejectedTotal: 0,
      origin: mirror.origin,
    });
  });
  it('verifies against a pinned key, and refuses another key', async () => {
    const pinned = await runCli(['verify', '--from', mirror.url, '--vkey', mirror.vkey]);
    expect(pinned.status).toBe(0);
    const sample = JSON.parse(
      readFileSync(new URL('../../../shared/vectors/sample-log-1000.json', import.meta.url), 'utf8')
    ) as { vkey: string };
    const wrong = await runCli(['verify', '--from', mirror.url, '--vkey', sample.vkey]);
    expect(wrong.status).toBe(3);
    expect(wrong.stderr).toMatch(/UNVERIFIED_NOTE/);
  });
});
