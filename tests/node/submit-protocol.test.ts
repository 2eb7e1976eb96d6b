// /undersigned/submit/1 (node/p2p/submit-protocol.ts, submit-client.ts, docs/PROTOCOL.md §8.4):
// a real mirror in process and real client libp2p nodes on loopback, well-behaved and not.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Libp2p, Stream } from '@libp2p/interface';
import { noise } from '@libp2p/noise';
import { tcp } from '@libp2p/tcp';
import { yamux } from '@libp2p/yamux';
import { multiaddr } from '@multiformats/multiaddr';
import fc from 'fast-check';
import { createLibp2p } from 'libp2p';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concatBytes, toBase64, utf8Encode } from '../../core/bytes.ts';
import { NONCE_OFFSET } from '../../core/entry.ts';
import { UndersignedError } from '../../core/errors.ts';
import { formatLetter } from '../../core/letter.ts';
import { newVerifier } from '../../core/note.ts';
import { checkReceipt, parseReceipt } from '../../core/receipt.ts';
import { hasStamp } from '../../core/stamp.ts';
import { createMirror, type Mirror } from '../../node/mirror.ts';
import { formatFrame, parseFrame } from '../../node/p2p/frame.ts';
import { startSubmitClient, submitOverLibp2p } from '../../node/p2p/submit-client.ts';
import {
  formatSubmitAnswer,
  handleSubmitProtocol,
  MAX_ANSWER_SIZE,
  parseSubmitAnswer,
  SUBMIT_PROTOCOL,
  type SubmitAnswer,
  type SubmitResult,
} from '../../node/p2p/submit-protocol.ts';
import { UsageError, type Values } from '../../node/cli/command.ts';
import { submit } from '../../node/cli/commands/submit.ts';
import { runCli } from '../helpers/cli.ts';
import { sampleValue, scrape } from '../helpers/prometheus.ts';
import { testEntry, testLetter } from '../helpers/entries.ts';

const letter = testLetter(2);
const BATCH_MS = 50;
let root: string;
let mirror: Mirror;
let client: Libp2p;
let address: string;
const errors: unknown[] = [];
const stopping: Libp2p[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'undersigned-submit-'));
  mirror = await createMirror({
    letter: formatLetter(letter),
    dataDir: join(root, 'data'),
    http: { host: '127.0.0.1', port: 0 },
    batchMs: BATCH_MS,
    p2p: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    onError: (e) => errors.push(e),
  });
  client = await startSubmitClient();
  address = mirror.addresses().find((a) => a.includes('/tcp/')) ?? '';
});

afterAll(async () => {
  await Promise.all(
    stopping.map(async (node) => {
      await node.stop();
    })
  );
  await client.stop();
  await mirror.stop();
  await rm(root, { recursive: true, force: true });
});

const keys = () => [newVerifier(mirror.vkey)];
const batches = (n: number) => new Promise((resolve) => setTimeout(resolve, n * BATCH_MS));

/** Writes `bytes` on a fresh stream (and ends our writes if `end`); the answer, if any. */
async function rawExchange(
  bytes: Uint8Array,
  { end = true, node = client, to = address } = {}
): Promise<SubmitAnswer | undefined> {
  const stream = await node.dialProtocol(multiaddr(to), SUBMIT_PROTOCOL);
  const received = collect(stream);
  if (bytes.length > 0) stream.send(bytes);
  if (end) await stream.close();
  const all = await received;
  stream.abort(new Error('test done'));
  return all.length === 0 ? undefined : parseSubmitAnswer(parseFrame(all, MAX_ANSWER_SIZE));
}

/** Everything the other end writes, until it ends its writes or the stream closes. */
function collect(stream: Stream, timeoutMs = 5000): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error('no end of the answer'));
    }, timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      resolve(concatBytes(...chunks));
    };
    stream.addEventListener('message', (e) => chunks.push(e.data.subarray()));
    stream.addEventListener('end', done);
    stream.addEventListener('close', done);
  });
}

const codeOf = (answer: SubmitAnswer | undefined): string | undefined =>
  answer !== undefined && 'error' in answer ? answer.error.code : undefined;

describe('a mirror over /undersigned/submit/1', () => {
  let first: { index: number; receipt: string };
  const entry0 = testEntry(letter, 0);

  it('accepts an entry with a receipt that checks against its signed checkpoint', async () => {
    first = await submitOverLibp2p(client, address, await entry0);
    const checked = checkReceipt(first.receipt, keys(), letter);
    expect(checked.index).toBe(first.index);
    expect(checked.entry.publicKey).toHaveLength(32);
    expect(parseReceipt(first.receipt).entry).toEqual(await entry0);
    const served = await (await fetch(new URL('log/checkpoint', mirror.url))).text();
    expect(parseReceipt(first.receipt).checkpoint).toBe(served);
    expect(mirror.treeSize()).toBe(1);
  });

  it('answers the same entry again with its index, and appends nothing', async () => {
    const again = await submitOverLibp2p(client, address, await entry0);
    expect(again.index).toBe(first.index);
    checkReceipt(again.receipt, keys(), letter);
    expect(mirror.treeSize()).toBe(1);
  });

  it('answers with the same JSON as POST /submit', async () => {
    const raw = await rawExchange(formatFrame(await entry0));
    const http = await fetch(new URL('submit', mirror.url), {
      method: 'POST',
      body: JSON.stringify({ entry: toBase64(await entry0) }),
    });
    expect(raw).toEqual(await http.json());
    expect(Object.keys(raw ?? {})).toEqual(['receipt', 'index']);
  });

  it('refuses entries that do not count, or a second entry by a key, with typed errors', async () => {
    const good = await testEntry(letter, 1000);
    const forged = good.slice();
    forged[forged.length - 1] = (forged[forged.length - 1] ?? 0) ^ 1;
    const unstamped = good.slice();
    for (let n = 1; hasStamp(unstamped.subarray(0, unstamped.length - 64), letter.stampBits); n++)
      unstamped[NONCE_OFFSET + 7] = n;
    const table: [string, Uint8Array, string][] = [
      ['a bad signature', forged, 'BAD_ENTRY_SIGNATURE'],
      ['the wrong letter', await testEntry(testLetter(3), 1000), 'WRONG_LETTER'],
      ['a duplicate key', await testEntry(letter, 0, { name: 'Another name' }), 'DUPLICATE_KEY'],
      ['an insufficient stamp', unstamped, 'INSUFFICIENT_STAMP'],
      ['bytes that are no entry', utf8Encode('hello'), 'MALFORMED_ENTRY'],
      ['an empty message', new Uint8Array(0), 'MALFORMED_ENTRY'],
    ];
    for (const [what, entry, code] of table) {
      const refused = submitOverLibp2p(client, address, entry, { attempts: 1 });
      await expect(refused, what).rejects.toMatchObject({ name: 'UndersignedError', code });
      expect(codeOf(await rawExchange(formatFrame(entry))), what).toBe(code);
    }
    await batches(3);
    expect(mirror.treeSize()).toBe(1);
  });

  it('answers garbage with a typed error or a reset, appends nothing, and keeps serving', async () => {
    const spare = await testEntry(letter, 2000);
    const huge = Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x20); // 2^40
    // Answered from the prefix alone, while our writes are still open.
    expect(codeOf(await rawExchange(concatBytes(huge, new Uint8Array(100)), { end: false }))).toBe(
      'BAD_REQUEST'
    );
    expect(codeOf(await rawExchange(formatFrame(new Uint8Array(1025)), { end: false }))).toBe(
      'BAD_REQUEST'
    );
    const cases: [string, Uint8Array, string | undefined][] = [
      ['a stream ended at once', new Uint8Array(0), 'MALFORMED_MESSAGE'],
      ['a ten-byte varint', new Uint8Array(10).fill(0xff), 'MALFORMED_MESSAGE'],
      [
        'a non-minimal varint',
        concatBytes(Uint8Array.of(0xa3, 0x81, 0x00), spare),
        'MALFORMED_MESSAGE',
      ],
      ['a truncated message', formatFrame(spare).subarray(0, 50), 'MALFORMED_MESSAGE'],
      ['two messages', concatBytes(formatFrame(spare), formatFrame(spare)), 'MALFORMED_MESSAGE'],
      [
        'a message and a byte',
        concatBytes(formatFrame(spare), Uint8Array.of(0)),
        'MALFORMED_MESSAGE',
      ],
    ];
    for (const [what, bytes, code] of cases)
      expect(codeOf(await rawExchange(bytes)), what).toBe(code);
    // A stream reset before anything is written gets no answer.
    const stream = await client.dialProtocol(multiaddr(address), SUBMIT_PROTOCOL);
    stream.abort(new Error('gone'));
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 64 }), async (bytes) => {
        const code = codeOf(await rawExchange(bytes));
        expect(['MALFORMED_MESSAGE', 'BAD_REQUEST', 'MALFORMED_ENTRY']).toContain(code);
      }),
      { numRuns: 30 }
    );
    await batches(3);
    expect(mirror.treeSize()).toBe(1);
    const accepted = await submitOverLibp2p(client, address, spare);
    expect(accepted.index).toBe(1);
    checkReceipt(accepted.receipt, keys(), letter);
    expect(errors).toEqual([]); // nothing the peers did is the node's error, nor logged
  });

  it('counts its answers in /metrics, as POST /submit does', async () => {
    const count = async (): Promise<[number, number]> => {
      const { families } = await scrape(mirror.url);
      return [
        sampleValue(families, 'undersigned_submissions_total', { result: 'accepted' }) ?? NaN,
        sampleValue(families, 'undersigned_submissions_rejected_total', {
          reason: 'BAD_ENTRY_SIGNATURE',
        }) ?? NaN,
      ];
    };
    const [accepted, forgedBefore] = await count();
    const good = await testEntry(letter, 4000);
    const forged = good.slice();
    forged[forged.length - 1] = (forged[forged.length - 1] ?? 0) ^ 1;
    await expect(submitOverLibp2p(client, address, forged, { attempts: 1 })).rejects.toThrow();
    await submitOverLibp2p(client, address, good);
    expect(await count()).toEqual([accepted + 1, forgedBefore + 1]);
  });

  it('is used by undersigned submit --to MULTIADDR, with --letter and --vkey', async () => {
    const letterFile = join(root, 'letter');
    await writeFile(letterFile, formatLetter(letter));
    const entries = await Promise.all([3000, 3001].map((i) => testEntry(letter, i)));
    const file = join(root, 'entries.b64');
    await writeFile(file, entries.map((e) => `${toBase64(e)}\n`).join('') + 'AQ==\n');
    const args = ['submit', file, '--to', address, '--letter', letterFile];
    const r = await runCli([...args, '--vkey', mirror.vkey]);
    expect(r.status).toBe(3); // the third line is refused
    expect(r.stderr).toMatch(/^line 3 → \/ip4\/.*: MALFORMED_ENTRY: /m);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; mirror: string; receipt: string });
    expect(lines.map((l) => l.line).sort()).toEqual([1, 2]);
    for (const l of lines) {
      expect(l.mirror).toBe(address);
      checkReceipt(l.receipt, keys(), letter);
      expect(parseReceipt(l.receipt).entry).toEqual(entries[l.line - 1]);
    }
    expect(mirror.treeSize()).toBe(5);
    // Receipts from a multiaddr are checked against the keys given, and only those.
    const other = // the log key of PROTOCOL.md §10.3
      'undersigned/452d8d25712fb39383ab7512b321e09f4ed69376f4081d783d153d89d304c765/21d2546f7a3665ae+7a705a8f+AQ1Eb2dQJ+oSqe5ukRB6LzAnP/H2VIBt2XzZDQvU1UU3';
    const run = async (
      flags: Values
    ): Promise<{ status: number; stdout: string; stderr: string }> => {
      const out = { stdout: '', stderr: '' };
      const sink = (name: 'stdout' | 'stderr') =>
        ({
          write: (text: string) => ((out[name] += text), true),
        }) as unknown as NodeJS.WritableStream;
      const io = {
        stdout: sink('stdout'),
        stderr: sink('stderr'),
        signal: new AbortController().signal,
      };
      return {
        status: await submit.run(
          { entries: file, to: [address], letter: letterFile, ...flags },
          io
        ),
        ...out,
      };
    };
    const wrongKey = await run({ vkey: [other] });
    expect(wrongKey.status).toBe(3);
    expect(wrongKey.stdout).toBe('');
    expect(wrongKey.stderr).toMatch(/^line 1 → .*: UNVERIFIED_NOTE: /m);
    await expect(run({})).rejects.toThrow(/needs --letter and --vkey/);
    await expect(run({ vkey: ['not a key'] })).rejects.toThrow(UsageError);
    await expect(run({ vkey: [mirror.vkey], to: ['/ip4/127.0.0.1/tcp/1'] })).rejects.toThrow(
      /not a multiaddr ending in \/p2p\/<peer id>/
    );
  });
});

describe('the protocol handler', () => {
  /** A bare libp2p node on loopback serving the protocol with `submit`. */
  async function server(
    submit: (
      entry: Uint8Array,
      o: { signal: AbortSignal }
    ) => Promise<{ index: number; receipt: string }>,
    extra: { maxInboundStreams?: number } = {}
  ) {
    const node = await bareNode();
    const results: SubmitResult[] = [];
    const failures: unknown[] = [];
    await handleSubmitProtocol(node, {
      submit,
      readTimeoutMs: 300,
      onResult: (r) => results.push(r),
      onError: (e) => failures.push(e),
      ...extra,
    });
    return { node, to: node.getMultiaddrs()[0]?.toString() ?? '', results, failures };
  }
  const entry = Uint8Array.of(1, 2, 3);
  const accepted = { index: 7, receipt: 'a receipt' };

  it('answers a silent peer BAD_REQUEST once the read time is up', async () => {
    const s = await server(async () => accepted);
    const started = performance.now();
    const answer = await rawExchange(new Uint8Array(0), { end: false, to: s.to });
    expect(codeOf(answer)).toBe('BAD_REQUEST');
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    expect(s.results).toEqual([{ ok: false, code: 'BAD_REQUEST' }]);
  });

  it('stops waiting when the peer resets the stream, and says ABORTED', async () => {
    let signal: AbortSignal | undefined;
    const s = await server(
      (_, o) =>
        // An entry waiting for its batch, as the sequencer's submit waits: until the signal.
        new Promise((_resolve, reject) => {
          signal = o.signal;
          o.signal.addEventListener('abort', () => {
            reject(o.signal.reason as Error);
          });
        })
    );
    const stream = await client.dialProtocol(multiaddr(s.to), SUBMIT_PROTOCOL);
    stream.send(formatFrame(entry));
    await stream.close();
    await until(() => signal !== undefined);
    stream.abort(new Error('gone'));
    await until(() => signal?.aborted === true);
    await until(() => s.results.length === 1);
    expect(s.results).toEqual([{ ok: false, code: 'ABORTED' }]);
  });

  it('answers UNAVAILABLE for its own failures, and tells onError, not the peer', async () => {
    const s = await server(async () => {
      throw new Error('disk on fire');
    });
    const answer = await rawExchange(formatFrame(entry), { to: s.to });
    expect(answer).toEqual({
      error: { code: 'UNAVAILABLE', message: 'internal error: retry later' },
    });
    expect(s.failures).toEqual([new Error('disk on fire')]);
    expect(s.results).toEqual([{ ok: false, code: 'UNAVAILABLE' }]);
  });

  it('hands the entry to submit as written, and reports ok', async () => {
    const seen: Uint8Array[] = [];
    const s = await server(async (e) => {
      seen.push(e);
      return accepted;
    });
    expect(await submitOverLibp2p(client, s.to, entry)).toEqual(accepted);
    expect(seen).toEqual([entry]);
    expect(s.results).toEqual([{ ok: true }]);
  });

  it('lets libp2p reset the streams over maxInboundStreams', async () => {
    const s = await server(() => new Promise(() => undefined), { maxInboundStreams: 2 });
    const waiting = [1, 2].map(() => submitOverLibp2p(client, s.to, entry, { attempts: 1 }));
    for (const w of waiting) w.catch(() => undefined);
    await until(() => client.getConnections().some((c) => c.streams.length >= 2));
    await expect(submitOverLibp2p(client, s.to, entry, { attempts: 1 })).toRejectWithCode(
      'FETCH_FAILED'
    );
  });
});

describe('submitOverLibp2p', () => {
  /** A bare node whose handler answers with `reply` frames. */
  async function answering(replies: Uint8Array[]): Promise<string> {
    const node = await bareNode();
    await node.handle(SUBMIT_PROTOCOL, async (stream) => {
      await collect(stream);
      stream.send(replies.shift() ?? new Uint8Array(0));
      await stream.close();
    });
    return node.getMultiaddrs()[0]?.toString() ?? '';
  }
  const accepted = { index: 3, receipt: 'r' };

  it('retries after UNAVAILABLE', async () => {
    const to = await answering([
      formatFrame(formatSubmitAnswer(new UndersignedError('UNAVAILABLE', 'busy'))),
      formatFrame(formatSubmitAnswer(accepted)),
    ]);
    expect(await submitOverLibp2p(client, to, Uint8Array.of(1))).toEqual(accepted);
  });

  it('throws the refusal code, and FETCH_FAILED for an answer that does not parse', async () => {
    const refusal = formatFrame(utf8Encode('{"error":{"code":"WRONG_LETTER","message":"no"}}'));
    const table: [Uint8Array, string][] = [
      [refusal, 'WRONG_LETTER'],
      [formatFrame(utf8Encode('{"receipt":"r","index":-1}')), 'FETCH_FAILED'],
      [formatFrame(utf8Encode('{"receipt":"r","index":1,"x":1}')), 'FETCH_FAILED'],
      [formatFrame(utf8Encode('not json')), 'FETCH_FAILED'],
      [concatBytes(refusal, Uint8Array.of(0)), 'FETCH_FAILED'],
      [refusal.subarray(0, 10), 'FETCH_FAILED'],
    ];
    const to = await answering(table.map(([reply]) => reply));
    for (const [, code] of table)
      await expect(
        submitOverLibp2p(client, to, Uint8Array.of(1), { attempts: 1 })
      ).toRejectWithCode(code as 'FETCH_FAILED');
  });

  it('does not retry a peer that does not speak the protocol', async () => {
    const node = await bareNode();
    const started = performance.now();
    const to = node.getMultiaddrs()[0]?.toString() ?? '';
    await expect(submitOverLibp2p(client, to, Uint8Array.of(1))).rejects.toThrow(/does not take/);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('needs a multiaddr that names its peer', async () => {
    await expect(
      submitOverLibp2p(client, '/ip4/127.0.0.1/tcp/1', Uint8Array.of(1))
    ).rejects.toThrow(RangeError);
  });
});

/** A libp2p node on loopback with no protocol of ours, stopped after the tests. */
async function bareNode(): Promise<Libp2p> {
  const node = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
  });
  stopping.push(node);
  return node;
}

async function until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
