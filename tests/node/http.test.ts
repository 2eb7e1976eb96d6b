import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBase64, utf8Encode } from '../../core/bytes.ts';
import { NONCE_OFFSET } from '../../core/entry.ts';
import { formatLetter, letterIdHex } from '../../core/letter.ts';
import { newVerifier } from '../../core/note.ts';
import { checkReceipt } from '../../core/receipt.ts';
import { hasStamp } from '../../core/stamp.ts';
import { httpSource } from '../../node/log-source.ts';
import { testEntry, testLetter } from '../helpers/entries.ts';
import { openLogCheckpoint, servedCheckpoint, verifyServedLog } from '../helpers/log-checks.ts';
import {
  rawRequest,
  startMirrorProcess,
  submit,
  type MirrorProcess,
} from '../helpers/mirror-process.ts';

const letter = testLetter(2);
let root: string;
let letterFile: string;
let dataDir: string;
let webDir: string;
let node: MirrorProcess;
let entries: Uint8Array[];
const accepted = new Map<number, { index: number; receipt: string }>(); // by entry number

const body = (entry: Uint8Array): string => JSON.stringify({ entry: toBase64(entry) });

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'undersigned-http-'));
  letterFile = join(root, 'letter');
  dataDir = join(root, 'data');
  webDir = join(root, 'web');
  await writeFile(letterFile, formatLetter(letter));
  await mkdir(join(webDir, 'assets'), { recursive: true });
  await writeFile(join(webDir, 'index.html'), '<!doctype html><title>client</title>');
  await writeFile(join(webDir, 'assets', 'app-1234.js'), 'console.log(1);');
  await writeFile(join(webDir, '.env'), 'SECRET=1');
  entries = await Promise.all(Array.from({ length: 300 }, (_, i) => testEntry(letter, i)));
  node = await startMirrorProcess({ letterFile, dataDir, webDir, batchMs: 50 });
});
afterAll(async () => {
  await node.stop('SIGKILL');
  await rm(root, { recursive: true, force: true });
});

describe('a node process over HTTP', () => {
  it('describes itself at /info and serves its letter at /letter', async () => {
    const info = await rawRequest(node.url, 'GET', '/info');
    expect(info.status).toBe(200);
    expect(info.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(info.headers['access-control-allow-origin']).toBe('*');
    const witnessVkeyLike: unknown = expect.stringMatching(
      /^undersigned\/witness\/[0-9a-f]{16}\+[0-9a-f]{8}\+/
    );
    expect(JSON.parse(info.body.toString())).toEqual({
      letterId: letterIdHex(letter),
      origin: node.origin,
      vkey: node.vkey,
      treeSize: 0,
      peerId: null,
      addresses: [],
      witnessVkey: witnessVkeyLike,
      follows: [],
      evidence: [],
    });
    const served = await rawRequest(node.url, 'GET', '/letter');
    expect(served.body.equals(await readFile(letterFile))).toBe(true);
  });

  it('accepts entries with receipts that checkReceipt accepts, once they are in a signed checkpoint', async () => {
    const answers = await Promise.all(entries.map((e) => submit(node.url, body(e))));
    const keys = [newVerifier(node.vkey)];
    answers.forEach(({ status, json }, i) => {
      expect(status).toBe(200);
      expect(Object.keys(json).sort()).toEqual(['index', 'receipt']);
      const checked = checkReceipt(json['receipt'] as string, keys, letter);
      expect(checked.index).toBe(json['index']);
      accepted.set(i, { index: json['index'] as number, receipt: json['receipt'] as string });
    });
    expect(new Set(answers.map((a) => a.json['index'])).size).toBe(300);
  });

  it('answers an entry submitted again with its receipt, and appends nothing', async () => {
    const size = openLogCheckpoint(
      await servedCheckpoint(httpSource(`${node.url}log/`)),
      node.vkey
    ).treeSize;
    for (const i of [0, 150, 299]) {
      const again = await submit(node.url, body(entries[i] as Uint8Array));
      const twice = await submit(node.url, body(entries[i] as Uint8Array));
      expect(again.status).toBe(200);
      expect(again.json['index']).toBe(accepted.get(i)?.index);
      expect(twice.json).toEqual(again.json); // same checkpoint, same receipt
      checkReceipt(again.json['receipt'] as string, [newVerifier(node.vkey)], letter);
    }
    expect(
      openLogCheckpoint(await servedCheckpoint(httpSource(`${node.url}log/`)), node.vkey).treeSize
    ).toBe(size);
  });

  it('refuses bad input with a typed error, and appends none of it', async () => {
    const source = httpSource(`${node.url}log/`);
    const before = await servedCheckpoint(source);
    const good = await testEntry(letter, 1000);
    const forged = good.slice();
    forged[forged.length - 1] = (forged[forged.length - 1] ?? 0) ^ 1;
    const unstamped = good.slice();
    for (let n = 1; hasStamp(unstamped.subarray(0, unstamped.length - 64), letter.stampBits); n++)
      unstamped[NONCE_OFFSET + 7] = n;
    const table: [string, string | Buffer, number, string][] = [
      ['malformed JSON', '{"entry": "AQ', 400, 'BAD_REQUEST'],
      ['JSON that is not an object', '["AQ=="]', 400, 'BAD_REQUEST'],
      ['an unknown field', JSON.stringify({ entry: toBase64(good), time: 1 }), 400, 'BAD_REQUEST'],
      ['an entry that is not a string', '{"entry": 12}', 400, 'BAD_REQUEST'],
      ['an oversized body', JSON.stringify({ entry: 'A'.repeat(20_000) }), 413, 'BAD_REQUEST'],
      ['non-base64', '{"entry": "not base64!"}', 400, 'MALFORMED_BASE64'],
      [
        'non-canonical base64',
        JSON.stringify({ entry: `${toBase64(good).slice(0, -2)}B=` }),
        400,
        'MALFORMED_BASE64',
      ],
      ['a malformed entry', body(utf8Encode('hello')), 422, 'MALFORMED_ENTRY'],
      ['the wrong letter', body(await testEntry(testLetter(3), 1000)), 422, 'WRONG_LETTER'],
      ['an insufficient stamp', body(unstamped), 422, 'INSUFFICIENT_STAMP'],
      ['a bad signature', body(forged), 422, 'BAD_ENTRY_SIGNATURE'],
      [
        'a duplicate key',
        body(await testEntry(letter, 5, { name: 'Another name' })),
        422,
        'DUPLICATE_KEY',
      ],
    ];
    for (const [what, input, status, code] of table) {
      const answer = await rawRequest(node.url, 'POST', '/submit', input);
      expect(answer.status, what).toBe(status);
      expect(answer.headers['access-control-allow-origin'], what).toBe('*');
      const json = JSON.parse(answer.body.toString()) as {
        error: { code: string; message: string };
      };
      expect(json.error.code, what).toBe(code);
      expect(json.error.message.length, what).toBeLessThan(200);
    }
    const wrongMethod = await rawRequest(node.url, 'GET', '/submit');
    expect(wrongMethod.status).toBe(405);
    await new Promise((resolve) => setTimeout(resolve, 150)); // three batch periods
    expect(await servedCheckpoint(source)).toBe(before);
  });

  it('answers CORS preflights', async () => {
    const answer = await rawRequest(node.url, 'OPTIONS', '/submit');
    expect(answer.status).toBe(204);
    expect(answer.headers['access-control-allow-origin']).toBe('*');
    expect(answer.headers['access-control-allow-methods']).toContain('POST');
    expect(answer.headers['access-control-allow-headers']).toBe('Content-Type');
  });

  it('serves the log in the tlog-tiles layout with its caching headers, and nothing else', async () => {
    const checkpoint = await rawRequest(node.url, 'GET', '/log/checkpoint');
    expect(checkpoint.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(checkpoint.headers['cache-control']).toBe('no-cache');
    expect(openLogCheckpoint(checkpoint.body, node.vkey).treeSize).toBe(300);
    for (const path of ['/log/tile/0/000', '/log/tile/entries/000']) {
      const full = await rawRequest(node.url, 'GET', path);
      expect(full.status, path).toBe(200);
      expect(full.headers['content-type']).toBe('application/octet-stream');
      expect(full.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    }
    const partial = await rawRequest(node.url, 'GET', '/log/tile/0/001.p/44');
    expect(partial.status).toBe(200);
    expect(partial.body.length).toBe(44 * 32);
    expect(partial.headers['cache-control']).toBe('public, max-age=60');
    // A partial tile whose full tile exists is gone from the disk, and still served, cut from it.
    const cut = await rawRequest(node.url, 'GET', '/log/tile/0/000.p/5');
    const fullTile = await rawRequest(node.url, 'GET', '/log/tile/0/000');
    expect(cut.status).toBe(200);
    expect(cut.body.equals(fullTile.body.subarray(0, 5 * 32))).toBe(true);
    const cutBundle = await rawRequest(node.url, 'GET', '/log/tile/entries/000.p/2');
    expect(cutBundle.status).toBe(200);
    expect(cutBundle.headers['cache-control']).toBe('public, max-age=60');
    const head = await rawRequest(node.url, 'HEAD', '/log/tile/0/000');
    expect([head.status, head.body.length, head.headers['content-length']]).toEqual([
      200,
      0,
      '8192',
    ]);
    for (const path of [
      '/log/tile/0/002',
      '/log/tile/0/000.p/256',
      '/log/tile/0/x000/001',
      '/log/tile/64/000',
      '/log/tile/entries/000.p/0',
      '/log/tile/../../keys/log.key',
      '/log/../keys/log.key',
      '/log/tile/%2e%2e/%2e%2e/keys/log.key',
      '/log/../state/checkpoint',
      '/keys/log.key',
      '/../keys/log.key',
      '/%2e%2e/keys/log.key',
      '/.env',
      '/assets/../.env',
    ]) {
      const answer = await rawRequest(node.url, 'GET', path);
      expect(answer.status, path).toBe(404);
      expect(answer.body.toString(), path).not.toContain('PRIVATE');
    }
  });

  it('serves a log that verifyLog verifies over HTTP', async () => {
    const verified = await verifyServedLog(httpSource(`${node.url}log/`), node.vkey, letter);
    expect(verified.treeSize).toBe(300);
    expect(verified.tally.count).toBe(300);
    expect(verified.rejectedTotal).toBe(0);
  });

  it('serves the web client from its directory', async () => {
    const index = await rawRequest(node.url, 'GET', '/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.body.toString()).toContain('<title>client</title>');
    const asset = await rawRequest(node.url, 'GET', '/assets/app-1234.js');
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await rawRequest(node.url, 'GET', '/missing.js')).status).toBe(404);
  });

  it('stops on SIGTERM and starts again with the same log, origin and key', async () => {
    const before = await servedCheckpoint(httpSource(`${node.url}log/`));
    expect(await node.stop('SIGTERM')).toBe(0);
    expect(node.output()).toMatch(/stopped at tree size 300/);
    node = await startMirrorProcess({ letterFile, dataDir, batchMs: 50 });
    expect(await servedCheckpoint(httpSource(`${node.url}log/`))).toBe(before);
    const again = await submit(node.url, body(entries[7] as Uint8Array));
    expect(again.json['index']).toBe(accepted.get(7)?.index);
    checkReceipt(again.json['receipt'] as string, [newVerifier(node.vkey)], letter);
    const page = await rawRequest(node.url, 'GET', '/'); // started without a web directory
    expect(page.status).toBe(200);
    expect(page.body.toString()).toContain('not built');
    // It prints where it serves and what it is, and nothing about requests: no request log.
    for (const line of node.output().trim().split('\n'))
      expect(line).toMatch(/^(url|origin|vkey|tree size|witness|peer id|address) /);
  });
});
