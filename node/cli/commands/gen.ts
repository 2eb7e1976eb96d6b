// undersigned gen: N valid signed entries from throwaway keys, one base64 entry a line, for
// tests and benchmarks; other tools and scripts read this form.

import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseLetter } from '../../../core/letter.ts';
import { toBase64 } from '../../../core/bytes.ts';
import { generateEntries } from '../../gen.ts';
import { readWholeFile } from '../../files.ts';
import { integer, required, type Command } from '../command.ts';
import { progressBar } from '../progress.ts';

export const gen: Command = {
  name: ['gen'],
  summary: 'generate N valid signed entries from throwaway keys (tests, benchmarks)',
  usage: `undersigned gen --letter LETTER_FILE --count N --out FILE [--affiliations K]

  --letter FILE        the letter the entries sign
  --count N            how many entries
  --out FILE           where to write them: one base64 entry a line
  --affiliations K     spread the entries over K made-up affiliations (default 0: none)`,
  flags: {
    letter: { type: 'string' },
    count: { type: 'string' },
    out: { type: 'string' },
    affiliations: { type: 'string' },
  },
  async run(values, io) {
    const letter = parseLetter(await readWholeFile(required(values, 'letter')));
    const count = integer(values, 'count', 0, 100_000_000);
    const affiliations = integer(values, 'affiliations', 0, 1_000_000);
    const out = createWriteStream(required(values, 'out'));
    const bar = progressBar(io.stderr, 'generating');
    let done = 0;
    for await (const entries of generateEntries(letter, count, {
      affiliations,
      signal: io.signal,
    })) {
      if (!out.write(entries.map((e) => toBase64(e)).join('\n') + '\n')) await once(out, 'drain');
      done += entries.length;
      bar.update(done, count);
    }
    bar.finish();
    out.end();
    await once(out, 'close');
    return 0;
  },
};
