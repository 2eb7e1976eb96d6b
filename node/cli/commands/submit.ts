// undersigned submit: send entries to mirrors and check the receipts they answer with.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fromBase64 } from '../../../core/bytes.ts';
import { checkReceipt } from '../../../core/receipt.ts';
import { newVerifier } from '../../../core/note.ts';
import { isUndersignedError, UndersignedError } from '../../../core/errors.ts';
import { fetchInfo, fetchLetter, submitEntry } from '../../mirror-client.ts';
import { progressBar } from '../progress.ts';
import { integer, optional, repeated, UsageError, type Command } from '../command.ts';

export const submit: Command = {
  name: ['submit'],
  summary: 'submit signed entries to mirrors and check their receipts',
  usage: `undersigned submit FILE --to URL [--to URL]... [--out DIR] [--concurrency N]

  FILE              entries, one base64 entry a line (what 'sign' and 'gen' write)
  --to URL          a mirror to submit to (repeatable: every entry goes to each)
  --out DIR         also write each receipt to DIR/<line>-<mirror n>.tlog-proof
  --concurrency N   submissions in flight (default 64)

Prints one JSON line per entry and mirror: {"line", "mirror", "index", "receipt"}, after checking
the receipt against the mirror's log key and letter. The mirror sees your network address: use a
network you trust, or Tor. Exit status 3 if any entry was refused (each refusal is printed).`,
  flags: {
    entries: { type: 'string' },
    to: { type: 'string', multiple: true },
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
    const targets = await Promise.all(
      mirrors.map(async (url) => {
        const [info, letter] = await Promise.all([
          fetchInfo(url, { signal: io.signal }),
          fetchLetter(url, { signal: io.signal }),
        ]);
        return { url, letter, keys: [newVerifier(info.vkey)] };
      })
    );
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
          const { receipt, index } = await submitEntry(job.target.url, job.entry, {
            signal: io.signal,
          });
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
    const concurrency = Math.max(1, integer(values, 'concurrency', 64, 4096));
    await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
    bar.finish();
    return refused > 0 ? 3 : 0;
  },
};
