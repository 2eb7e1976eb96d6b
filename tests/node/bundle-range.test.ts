// Entry bundle ranges (docs/PROTOCOL.md §6.7) end to end: a real node serves them; core's
// readingInRanges, with the web client's fetches (web/lib/mirror-api.ts), reads a log through
// them, or bundle by bundle from a mirror without them, with the same bytes either way; and
// the CLI's HTTP source verifies a log through them.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concatBytes } from '../../core/bytes.ts';
import { formatLetter, letterId } from '../../core/letter.ts';
import { entryBundlesForSize, TILE_WIDTH, tilePath } from '../../core/tiles.ts';
import { generateEntries } from '../../node/gen.ts';
import { dataLayout } from '../../node/log/layout.ts';
import { loadOrCreateLogKey } from '../../node/log/log-key.ts';
import { Log } from '../../node/log/log.ts';
import { readingInRanges } from '../../core/bundle-range.ts';
import { verifyLog } from '../../core/verifier.ts';
import { newVerifier } from '../../core/note.ts';
import { httpSource } from '../../node/log-source.ts';
import { fetchBundleRange } from '../../web/lib/mirror-api.ts';
import { readTile } from '../../web/lib/tile-fetch.ts';
import { testLetter } from '../helpers/entries.ts';
import { rawRequest, startMirrorProcess, type MirrorProcess } from '../helpers/mirror-process.ts';

const letter = testLetter(0);
const SIZE = 17 * TILE_WIDTH + 10; // two ranges (16 bundles and 1) and a partial bundle
let root: string;
let node: MirrorProcess;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'undersigned-ranges-'));
  const letterFile = join(root, 'letter');
  await writeFile(letterFile, formatLetter(letter));
  const layout = dataLayout(join(root, 'data'));
  const log = await Log.open({
    layout,
    key: await loadOrCreateLogKey(layout.keyFile, letterId(letter)),
  });
  for await (const chunk of generateEntries(letter, SIZE)) await log.append(chunk);
  await log.close();
  node = await startMirrorProcess({ letterFile, dataDir: join(root, 'data') });
}, 60_000);

afterAll(async () => {
  await node.stop();
  await rm(root, { recursive: true, force: true });
});

/** A proxy to the node that records the paths asked, and stands in for a mirror without ranges. */
async function proxy(
  ranges: 'served' | 'not found' | 'forbidden' | 'index page'
): Promise<{ url: string; asked: string[]; server: Server }> {
  const asked: string[] = [];
  const upstream = new URL(node.url);
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    asked.push(path);
    if (path.startsWith('/log/entry-bundles/') && ranges !== 'served') {
      if (ranges === 'not found') res.writeHead(404).end();
      else if (ranges === 'forbidden') res.writeHead(403).end();
      else res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>x');
      return;
    }
    const forward = httpRequest(
      { host: upstream.hostname, port: upstream.port, path, method: req.method },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      }
    );
    forward.on('error', () => res.writeHead(502).end());
    forward.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('bug: no port');
  return { url: `http://127.0.0.1:${address.port}/`, asked, server };
}

/** Every bundle of the log through the reader, asked for in order with 16 ahead, as verifyLog does. */
async function readAll(url: string): Promise<Uint8Array[]> {
  const source = { mirror: url, prefix: 'log/' };
  const read = readingInRanges(
    SIZE,
    (tile, options) => readTile(source, tile, options),
    (range, options) => fetchBundleRange(source, range, options)
  );
  const bundles = entryBundlesForSize(SIZE);
  const pending = bundles.slice(0, 16).map((tile) => read(tile, {}));
  const out: Uint8Array[] = [];
  for (let i = 0; i < bundles.length; i++) {
    out.push(await (pending[i] as Promise<Uint8Array>));
    const next = bundles[i + 16];
    if (next !== undefined) pending.push(read(next, {}));
  }
  return out;
}

/** The same bundles, each read alone at its tlog-tiles path. */
async function readEach(): Promise<Uint8Array[]> {
  return Promise.all(
    entryBundlesForSize(SIZE).map(async (tile) => {
      const answer = await rawRequest(node.url, 'GET', `/log/${tilePath(tile)}`);
      expect(answer.status).toBe(200);
      return new Uint8Array(answer.body);
    })
  );
}

describe('a node', () => {
  it('serves ranges of full entry bundles, concatenated, immutable, and nothing past them', async () => {
    const each = await readEach();
    const range = await rawRequest(node.url, 'GET', '/log/entry-bundles/16/1');
    expect(range.status).toBe(200);
    expect(range.headers['content-type']).toBe('application/octet-stream');
    expect(range.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(new Uint8Array(range.body)).toEqual(each[16]);
    const first = await rawRequest(node.url, 'GET', '/log/entry-bundles/0/16');
    expect(new Uint8Array(first.body)).toEqual(concatBytes(...each.slice(0, 16)));
    for (const path of [
      '/log/entry-bundles/16/2', // bundle 17 is partial
      '/log/entry-bundles/17/1',
      '/log/entry-bundles/0/17',
      '/log/entry-bundles/0/0',
      '/log/entry-bundles/00/1',
      '/logs/00/entry-bundles/0/1',
    ]) {
      expect((await rawRequest(node.url, 'GET', path)).status, path).toBe(404);
    }
  });
});

describe('reading a log in ranges', () => {
  it('reads full bundles in ranges of 16 and the partial one alone, byte for byte', async () => {
    const { url, asked, server } = await proxy('served');
    try {
      expect(await readAll(url)).toEqual(await readEach());
      expect(asked).toEqual([
        '/log/entry-bundles/0/16',
        '/log/entry-bundles/16/1',
        '/log/tile/entries/017.p/10',
      ]);
    } finally {
      server.close();
    }
  });

  for (const kind of ['not found', 'forbidden', 'index page'] as const) {
    it(`reads bundle by bundle from a mirror without ranges (${kind})`, async () => {
      const { url, asked, server } = await proxy(kind);
      try {
        expect(await readAll(url)).toEqual(await readEach());
        expect(asked.filter((p) => p.startsWith('/log/entry-bundles/'))).toEqual([
          '/log/entry-bundles/0/16',
        ]);
        expect(asked.filter((p) => p.startsWith('/log/tile/entries/'))).toHaveLength(18);
      } finally {
        server.close();
      }
    });
  }
});

describe('the CLI’s HTTP source', () => {
  it('verifies the log through ranges', async () => {
    const { url, asked, server } = await proxy('served');
    try {
      const log = httpSource(`${url}log/`);
      const result = await verifyLog({
        checkpoint: await log.read('checkpoint'),
        logKeys: [newVerifier(node.vkey)],
        letterId: letterId(letter),
        stampBits: letter.stampBits,
        readEntryBundle: (tile, options) => log.read(tilePath(tile), options),
        readBundleRange: log.readRange,
      });
      expect([result.treeSize, result.rejectedTotal]).toEqual([SIZE, 0]);
      expect(result.tally.count).toBeGreaterThan(SIZE / 2);
      expect(asked.filter((p) => p.includes('entr'))).toEqual([
        '/log/entry-bundles/0/16',
        '/log/entry-bundles/16/1',
        '/log/tile/entries/017.p/10',
      ]);
    } finally {
      server.close();
    }
  });
});

describe('a follower', () => {
  it('catches up on a peer log through ranges', async () => {
    const { url, asked, server } = await proxy('served');
    const follower = await startMirrorProcess({
      letterFile: join(root, 'letter'),
      dataDir: join(root, 'follower'),
      args: ['--no-p2p', '--follow', url, '--poll-ms', '200'],
    });
    try {
      for (;;) {
        const info = (await (await fetch(new URL('info', follower.url))).json()) as {
          treeSize: number;
          follows: { treeSize: number }[];
        };
        if (info.treeSize === SIZE && info.follows[0]?.treeSize === SIZE) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(asked.filter((p) => p.includes('entr'))).toEqual([
        '/log/entry-bundles/0/16',
        '/log/entry-bundles/16/1',
        '/log/tile/entries/017.p/10',
      ]);
    } finally {
      await follower.stop();
      server.close();
    }
  }, 60_000);
});
