// undersigned key new: make a signer key on this device (docs/PROTOCOL.md §3.2).

import { randomBytes } from 'node:crypto';
import { formatSignerKeyFile } from '../../../core/signer-key.ts';
import { publicKeyFromSeed } from '../../../core/ed25519.ts';
import { toHex } from '../../../core/bytes.ts';
import { writeFileDurably } from '../../files.ts';
import { optional, type Command } from '../command.ts';

export const keyNew: Command = {
  name: ['key', 'new'],
  summary: 'make a new signer key (a pseudonym for one letter)',
  usage: `undersigned key new [--out FILE]

  --out FILE   where to write the key (default undersigned.key); never overwritten

The key file is written with mode 0600. Anyone who holds it can sign or withdraw as you.
Prints the public key in hex: it appears in every entry you sign.`,
  flags: { out: { type: 'string' } },
  async run(values, io) {
    const seed = new Uint8Array(randomBytes(32));
    const out = optional(values, 'out') ?? 'undersigned.key';
    await writeFileDurably(out, formatSignerKeyFile(seed), { mode: 0o600, exclusive: true });
    io.stdout.write(`${toHex(publicKeyFromSeed(seed))}\n`);
    return 0;
  },
};
