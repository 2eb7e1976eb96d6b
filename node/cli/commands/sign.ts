// undersigned sign: make a signed entry for a letter (docs/PROTOCOL.md §3).

import { parseLetter } from '../../../core/letter.ts';
import { parseSignerKeyFile } from '../../../core/signer-key.ts';
import { createEntry, seedSigner } from '../../../core/signer.ts';
import { toBase64, utf8Encode } from '../../../core/bytes.ts';
import { readWholeFile, writeFileDurably } from '../../files.ts';
import { optional, required, type Command } from '../command.ts';

export const sign: Command = {
  name: ['sign'],
  summary: 'sign (or withdraw from) a letter with a signer key',
  usage: `undersigned sign --letter LETTER_FILE --key KEY_FILE [--name NAME] [--affiliation TEXT]
                 [--withdraw] [--out FILE]

  --letter FILE        the letter file
  --key FILE           your signer key (undersigned key new)
  --name NAME          a display name to show with your signature (optional; it is public)
  --affiliation TEXT   a self-declared affiliation (optional; it is public, and a small group
                       of signers from one affiliation can point at you)
  --withdraw           withdraw an earlier signature made with this key
  --out FILE           write the entry there instead of standard output

Writes the entry as one line of base64, the form 'undersigned submit' reads.`,
  flags: {
    letter: { type: 'string' },
    key: { type: 'string' },
    name: { type: 'string' },
    affiliation: { type: 'string' },
    withdraw: { type: 'boolean' },
    out: { type: 'string' },
  },
  async run(values, io) {
    const letter = parseLetter(await readWholeFile(required(values, 'letter')));
    const seed = parseSignerKeyFile(await readWholeFile(required(values, 'key')));
    const entry = await createEntry(letter, seedSigner(seed), {
      kind: values['withdraw'] === true ? 'withdraw' : 'sign',
      name: optional(values, 'name') ?? '',
      affiliation: optional(values, 'affiliation') ?? '',
      signal: io.signal,
    });
    const line = `${toBase64(entry)}\n`;
    const out = optional(values, 'out');
    if (out === undefined) io.stdout.write(line);
    else await writeFileDurably(out, utf8Encode(line));
    return 0;
  },
};
