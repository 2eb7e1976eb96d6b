// undersigned submit: send entries to mirrors, over HTTP (§8.3) or libp2p (§8.4), and check the
// receipts they answer with.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Libp2p } from '@libp2p/interface';
import { fromBase64 } from '../../../core/bytes.ts';
import { checkReceipt } from '../../../core/receipt.ts';
import { newVerifier } from '../../../core/note.ts';
import type { Verifier } from '../../../core/note-key.ts';
import { parseLetter, type Letter } from '../../../core/letter.ts';
import { isUndersignedError, UndersignedError } from '../../../core/errors.ts';
import { readWholeFile } from '../../files.ts';
import { fetchInfo, fetchLetter, submitEntry, type Submitted } from '../../mirror-client.ts';
import { MAX_SUBMIT_STREAMS } from '../../p2p/submit-protocol.ts';
import { progressBar } from '../progress.ts';
import {
  integer,
  optional,
  repeated,
  UsageError,
  type Command,
  type CommandIO,
  type Values,
} from '../command.ts';

export const submit: Command = {
  name: ['submit'],
  summary: 'submit signed entries to mirrors and check their receipts',
  usage: `undersigned submit FILE --to URL|MULTIADDR [--to ...]... [--letter LETTER_FILE]
                   [--vkey VKEY]... [--out DIR] [--concurrency N]

  FILE              entries, one base64 entry a line (what 'sign' and 'gen' write)
  --to URL          a mirror to submit to over HTTP (repeatable: every entry goes to each)
  --to MULTIADDR    a mirror to submit to over libp2p, /ip4/…/tcp/…/p2p/<peer id> (its /info
                    lists them); needs --letter and --vkey, since receipts are checked offline
  --letter FILE     the letter, for checking the receipts of multiaddr mirrors
  --vkey VKEY       a trusted log key (repeatable): a multiaddr mirror's receipt must be signed
                    by one of them
  --out DIR         also write each receipt to DIR/<line>-<mirror n>.tlog-proof
  --concurrency N   submissions in flight (default 64; at most ${MAX_SUBMIT_STREAMS} with a MULTIADDR)

Prints one JSON line per entry and mirror: {"line", "mirror", "index", "receipt"}, after checking
the receipt against the mirror's log key and letter. The mirror sees your network address: use a
network you trust, or Tor. Over libp2p the client only dials (TCP, Noise, Yamux), with a fresh
peer ID each run. Exit status 3 if any entry was refused (each refusal is printed).`,
  flags: {
    entries: { type: 'string' },
    to: { type: 'string', multiple: true },
    letter: { type: 'string' },
    vkey: { type: 'string', multiple: true },
    out: { type: 'string' },
    concurrency: { type: 'string' },
  },
  positional: 'entries',
  async run(values, io) {
    const mirrors = repeated(values, 'to');
    if (mirrors.length === 0) throw new UsageError('--to is required');
    const file = values['entries'];
    if (typeof file !== 'string') throw new UsageError('FILE, the entries to submit, is required');
    const lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '');
    const entries = lines.map((line, i) => {
      try {
        return fromBase64(line);
      } catch {
        throw new UndersignedError('MALFORMED_BASE64', `line ${i + 1} is not base64`);
      }
    });
    const out = optional(values, 'out');
    if (out !== undefined) await mkdir(out, { recursive: true });
    const overLibp2p = mirrors.some((to) => to.startsWith('/'));
    const pinned = overLibp2p ? await pinnedLog(values) : undefined;
    // libp2p is loaded only for a MULTIADDR target: every other command starts without it.
    const client = overLibp2p
      ? await (await import('../../p2p/submit-client.ts')).startSubmitClient()
      : undefined;
    try {
      const targets = await Promise.all(mirrors.map((to) => target(to, pinned, client, io)));
      const jobs = entries.flatMap((entry, line) =>
        targets.map((target, m) => ({ entry, line: line + 1, target, m }))
      );
      const bar = progressBar(io.stderr, 'submitting');
      let done = 0;
      let refused = 0;
      let next = 0;
      const worker = async (): Promise<void> => {
        for (let job = jobs[next++]; job !== undefined; job = jobs[next++]) {
          try {
            const { receipt, index } = await job.target.send(job.entry);
            checkReceipt(receipt, job.target.keys, job.target.letter);
            io.stdout.write(
              `${JSON.stringify({ line: job.line, mirror: job.target.url, index, receipt })}\n`
            );
            if (out !== undefined)
              await writeFile(join(out, `${job.line}-${job.m + 1}.tlog-proof`), receipt);
          } catch (e) {
            if (!isUndersignedError(e)) throw e;
            refused++;
            io.stderr.write(`line ${job.line} → ${job.target.url}: ${e.code}: ${e.message}\n`);
          }
          bar.update(++done, jobs.length);
        }
      };
      // A mirror resets the streams over its limit: stay under it (§8.4).
      const most = overLibp2p ? MAX_SUBMIT_STREAMS : 4096;
      const concurrency = Math.min(most, Math.max(1, integer(values, 'concurrency', 64, 4096)));
      await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
      bar.finish();
      return refused > 0 ? 3 : 0;
    } finally {
      await client?.stop();
    }
  },
};

type Pinned = { letter: Letter; keys: Verifier[] };
type Target = Pinned & { url: string; send: (entry: Uint8Array) => Promise<Submitted> };

/** The letter and log keys that receipts from multiaddr mirrors are checked against. */
async function pinnedLog(values: Values): Promise<Pinned> {
  const file = optional(values, 'letter');
  const vkeys = repeated(values, 'vkey');
  if (file === undefined || vkeys.length === 0)
    throw new UsageError('a multiaddr --to needs --letter and --vkey to check its receipts');
  const keys = vkeys.map((vkey) => {
    try {
      return newVerifier(vkey);
    } catch {
      throw new UsageError(`--vkey ${JSON.stringify(vkey.slice(0, 100))} is not a verifier key`);
    }
  });
  return { letter: parseLetter(await readWholeFile(file)), keys };
}

/** A mirror: over libp2p for a multiaddr (checked against `pinned`), else over HTTP. */
async function target(
  to: string,
  pinned: Pinned | undefined,
  client: Libp2p | undefined,
  io: CommandIO
): Promise<Target> {
  if (to.startsWith('/') && pinned !== undefined && client !== undefined) {
    const { parsePeers } = await import('../../p2p/peers.ts');
    const { submitOverLibp2p } = await import('../../p2p/submit-client.ts');
    try {
      parsePeers([to]);
    } catch {
      throw new UsageError(`--to ${to} is not a multiaddr ending in /p2p/<peer id>`);
    }
    const send = (entry: Uint8Array): Promise<Submitted> =>
      submitOverLibp2p(client, to, entry, { signal: io.signal });
    return { url: to, ...pinned, send };
  }
  const [info, letter] = await Promise.all([
    fetchInfo(to, { signal: io.signal }),
    fetchLetter(to, { signal: io.signal }),
  ]);
  const send = (entry: Uint8Array): Promise<Submitted> =>
    submitEntry(to, entry, { signal: io.signal });
  return { url: to, letter, keys: [newVerifier(info.vkey)], send };
}
