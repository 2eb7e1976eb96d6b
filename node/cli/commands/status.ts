// undersigned status: what a mirror says about itself, with its checkpoint's signature checked.

import { openCheckpoint } from '../../../core/checkpoint.ts';
import { newVerifier } from '../../../core/note.ts';
import { toBase64 } from '../../../core/bytes.ts';
import { fetchInfo, fetchText } from '../../mirror-client.ts';
import { required, type Command } from '../command.ts';

export const status: Command = {
  name: ['status'],
  summary: "show a mirror's log, peers and followed logs",
  usage: `undersigned status --from URL [--json]

  --from URL   the mirror
  --json       print the mirror's /info with the checked checkpoint

The checkpoint is checked against the key the mirror reports; run 'undersigned verify' to check
every entry.`,
  flags: { from: { type: 'string' }, json: { type: 'boolean' } },
  async run(values, io) {
    const from = required(values, 'from');
    const info = await fetchInfo(from, { signal: io.signal });
    const note = await fetchText(from, 'log/checkpoint', { signal: io.signal });
    const opened = openCheckpoint(note, [newVerifier(info.vkey)]);
    const { checkpoint } = opened;
    if (values['json'] === true) {
      io.stdout.write(`${JSON.stringify({ ...info, checkpoint: note })}\n`);
      return 0;
    }
    const lines = [
      `mirror     ${from}`,
      `origin     ${checkpoint.origin}`,
      `vkey       ${info.vkey}`,
      `tree size  ${checkpoint.treeSize}, root hash ${toBase64(checkpoint.rootHash)}`,
      `signed by  ${opened.verified.map((s) => s.name).join(', ')}`,
      `peer ID    ${info.peerId ?? '(no p2p)'}`,
      ...info.addresses.map((a) => `address    ${a}`),
      `follows    ${info.follows.length} other logs`,
    ];
    io.stdout.write(lines.join('\n') + '\n');
    return 0;
  },
};
