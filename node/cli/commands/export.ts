// undersigned export: verify a log and write it as one offline copy, a CARv1 file (node/car/).

import { letterIdHex } from '../../../core/letter.ts';
import { writeFileDurably } from '../../files.ts';
import { progressBar } from '../progress.ts';
import { repeated, required, type Command } from '../command.ts';
import { originWarning, resolveTarget, trustedLog } from '../log-target.ts';

export const exportCar: Command = {
  name: ['export'],
  summary: 'verify a log and write it as one offline copy (a CAR file)',
  usage: `undersigned export --from DIR|URL --out FILE.car [--vkey VKEY]... [--letter LETTER_FILE] [--witness VKEY]...

  --from DIR|URL     a log in the tlog-tiles layout (a directory, or an HTTP base URL), or the
                     URL of an Undersigned mirror (then its /log/, /letter and /info are used)
  --out FILE.car     where to write the copy
  --vkey VKEY        a trusted log key (repeatable); for a mirror URL, by default its own key
  --letter FILE      the letter the entries must sign (default for a mirror URL: its /letter)
  --witness VKEY     a witness key whose cosignature to check (repeatable)

The log is verified first, as undersigned verify does, at the tree size of the checkpoint it
reads; nothing is written if it does not verify. The copy is a CARv1 file: every file a raw
block (CIDv1, raw, SHA-256) and a UnixFS directory of them at their tlog-tiles paths
(checkpoint, letter, vkey, tile/...), whose CID is the root. The same log gives the same bytes.
undersigned verify FILE.car checks it with no network. Prints the root CID and the tree size.`,
  flags: {
    from: { type: 'string' },
    out: { type: 'string' },
    vkey: { type: 'string', multiple: true },
    letter: { type: 'string' },
    witness: { type: 'string', multiple: true },
  },
  async run(values, io) {
    // Loaded here, not with the CLI: every other command starts without the CAR and IPLD code.
    const [{ collectLog }, { formatLogCar }] = await Promise.all([
      import('../../car/verify-copy.ts'),
      import('../../car/log-car.ts'),
    ]);
    const from = required(values, 'from');
    const out = required(values, 'out');
    const target = await resolveTarget(from, io.signal);
    const { vkeys, letter, letterFile } = await trustedLog(values, target, from, io);
    const bar = progressBar(io.stderr, 'verifying');
    const { copy, verification } = await collectLog(target.log, {
      letter: letterFile,
      vkeys,
      witnessKeys: repeated(values, 'witness'),
      onProgress: ({ entriesVerified, treeSize }) => {
        bar.update(entriesVerified, treeSize);
      },
      signal: io.signal,
    });
    bar.finish();
    const warning = originWarning(verification.origin, letter, vkeys);
    if (warning !== undefined) io.stderr.write(`warning: ${warning}\n`);
    const { car, root } = formatLogCar(copy);
    await writeFileDurably(out, car);
    io.stdout.write(
      [
        `root       ${root.toString()}`,
        `log        ${verification.origin}`,
        `letter     ${letterIdHex(letter)}`,
        `tree size  ${verification.treeSize}, count ${verification.tally.count}`,
        `wrote      ${out} (${car.length} bytes)`,
        '',
      ].join('\n')
    );
    return 0;
  },
};
