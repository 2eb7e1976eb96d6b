// undersigned letter new: write a canonical letter file (docs/PROTOCOL.md §2).

import { createLetter, formatLetter, letterIdHex } from '../../../core/letter.ts';
import { utf8Decode } from '../../../core/bytes.ts';
import { readWholeFile, writeFileDurably } from '../../files.ts';
import { integer, required, type Command } from '../command.ts';

export const letterNew: Command = {
  name: ['letter', 'new'],
  summary: 'write a letter file from a title and a Markdown text',
  usage: `undersigned letter new --title TITLE --text FILE --out LETTER_FILE [--stamp-bits N]

  --title TITLE       the letter's title (one line)
  --text FILE         the letter's text, Markdown (canonicalized: NFC, LF, no trailing spaces)
  --out FILE          where to write the letter file
  --stamp-bits N      proof-of-work difficulty each signature must meet, 0 to 32 (default 0)

Prints the letter ID: SHA-256 of the letter file.`,
  flags: {
    title: { type: 'string' },
    text: { type: 'string' },
    out: { type: 'string' },
    'stamp-bits': { type: 'string' },
  },
  async run(values, io) {
    const text = utf8Decode(await readWholeFile(required(values, 'text')));
    const letter = createLetter({
      title: required(values, 'title'),
      text,
      stampBits: integer(values, 'stamp-bits', 0, 32),
    });
    await writeFileDurably(required(values, 'out'), formatLetter(letter));
    io.stdout.write(`${letterIdHex(letter)}\n`);
    return 0;
  },
};
