// undersigned verify: count a log and check everything on the way (docs/PROTOCOL.md §7), from a
// directory, a URL, a mirror, or an offline copy (a CAR file, node/car/).

import { equalBytes, toBase64 } from '../../../core/bytes.ts';
import { letterId, type Letter } from '../../../core/letter.ts';
import { newVerifier } from '../../../core/note.ts';
import { tilePath } from '../../../core/tiles.ts';
import { verifyLog, type LogVerification } from '../../../core/verifier.ts';
import { UndersignedError } from '../../../core/errors.ts';
import { nodeEd25519 } from '../../ed25519/verifier.ts';
import { readWholeFile } from '../../files.ts';
import { progressBar } from '../progress.ts';
import {
  optional,
  repeated,
  UsageError,
  type Command,
  type CommandIO,
  type Values,
} from '../command.ts';
import { originWarning, resolveTarget, trustedLog } from '../log-target.ts';

export const verify: Command = {
  name: ['verify'],
  summary: 'verify a log and count its signatures',
  usage: `undersigned verify --from DIR|URL [--vkey VKEY]... [--letter LETTER_FILE] [--witness VKEY]... [--json]
       undersigned verify FILE.car [--vkey VKEY]... [--letter LETTER_FILE] [--witness VKEY]... [--json]

  --from DIR|URL     a log in the tlog-tiles layout (a directory, or an HTTP base URL), or the
                     URL of an Undersigned mirror (then its /log/ is verified)
  FILE.car, --car    an offline copy made by undersigned export, verified with no network: every
                     block against its CID, the directory, the log, and every hash tile. Without
                     --vkey, the key stored in the copy is used; --letter must match its letter
  --vkey VKEY        a trusted log key (repeatable). For a mirror URL without --vkey, the
                     mirror's own key is used: that checks the log is internally consistent,
                     not that it is the log you meant
  --letter FILE      the letter the entries must sign (default for a mirror URL: its /letter)
  --witness VKEY     a witness key whose cosignature to check and list (repeatable)
  --json             print the result as JSON: count, breakdown and every rejected entry

Exit status 0 when the log verifies (rejected entries inside it are listed, not fatal),
3 when it does not, 4 when it cannot be read, 2 for usage errors.`,
  positional: 'car',
  flags: {
    from: { type: 'string' },
    car: { type: 'string' },
    vkey: { type: 'string', multiple: true },
    letter: { type: 'string' },
    witness: { type: 'string', multiple: true },
    json: { type: 'boolean' },
  },
  async run(values, io) {
    const from = optional(values, 'from');
    const car = optional(values, 'car');
    if ((from === undefined) === (car === undefined))
      throw new UsageError('give either --from DIR|URL or a CAR file');
    const json = values['json'] === true;
    const bar = progressBar(json ? ({ write: () => true } as never) : io.stderr, 'verifying');
    const started = performance.now();
    const onProgress = ({
      entriesVerified,
      treeSize,
    }: {
      entriesVerified: number;
      treeSize: number;
    }): void => {
      bar.update(entriesVerified, treeSize);
    };
    const checked =
      car !== undefined
        ? await verifyCar(car, values, io, onProgress)
        : await verifySource(from ?? '', values, io, onProgress);
    bar.finish();
    const seconds = (performance.now() - started) / 1000;
    const warning = originWarning(checked.result.origin, checked.letter, checked.vkeys);
    if (warning !== undefined) io.stderr.write(`warning: ${warning}\n`);
    io.stdout.write(
      json
        ? `${JSON.stringify(toJson(checked.result, seconds))}\n`
        : describe(checked.result, seconds, checked.where)
    );
    return 0;
  },
};

type Checked = {
  result: LogVerification;
  letter: Letter;
  vkeys: string[];
  where: string;
};
type OnProgress = (progress: { entriesVerified: number; treeSize: number }) => void;

async function verifySource(
  from: string,
  values: Values,
  io: CommandIO,
  onProgress: OnProgress
): Promise<Checked> {
  const target = await resolveTarget(from, io.signal);
  const { vkeys, letter } = await trustedLog(values, target, from, io);
  const result = await verifyLog({
    checkpoint: await target.log.read('checkpoint', { signal: io.signal }),
    logKeys: vkeys.map((k) => newVerifier(k)),
    witnessKeys: repeated(values, 'witness').map((k) => newVerifier(k)),
    letterId: letterId(letter),
    stampBits: letter.stampBits,
    ed25519: nodeEd25519(),
    readEntryBundle: (tile, options) => target.log.read(tilePath(tile), options),
    ...(target.log.readRange === undefined ? {} : { readBundleRange: target.log.readRange }),
    onProgress,
    signal: io.signal,
  });
  return { result, letter, vkeys, where: target.log.where };
}

/** An offline copy: the CAR's structure, then the log inside it, with no network. */
async function verifyCar(
  file: string,
  values: Values,
  io: CommandIO,
  onProgress: OnProgress
): Promise<Checked> {
  // The CAR and IPLD code loads only here, for a file: verifying a mirror has no use for it.
  const [{ parseLogCar }, { verifyLogCopy }] = await Promise.all([
    import('../../car/log-car.ts'),
    import('../../car/verify-copy.ts'),
  ]);
  const { root, copy } = parseLogCar(await readWholeFile(file));
  const letterFile = optional(values, 'letter');
  if (letterFile !== undefined && !equalBytes(await readWholeFile(letterFile), copy.letter))
    throw new UndersignedError('WRONG_LETTER', `${file} holds a log of another letter`);
  const vkeys = repeated(values, 'vkey');
  if (vkeys.length === 0)
    io.stderr.write(`note: trusting the log key stored in ${file}; pass --vkey to pin it\n`);
  const result = await verifyLogCopy(copy, {
    vkeys,
    witnessKeys: repeated(values, 'witness'),
    onProgress,
    signal: io.signal,
  });
  return {
    result,
    letter: result.letter,
    vkeys: vkeys.length > 0 ? vkeys : [copy.vkey],
    where: `${file}, root ${root.toString()}`,
  };
}

function toJson(result: LogVerification, seconds: number): unknown {
  return {
    origin: result.origin,
    treeSize: result.treeSize,
    rootHash: toBase64(result.rootHash),
    signedBy: result.signedBy,
    count: result.tally.count,
    signers: result.tally.signers,
    withdrawn: result.tally.withdrawn,
    repeats: result.tally.repeats,
    byAffiliation: Object.fromEntries(result.tally.byAffiliation),
    rejectedTotal: result.rejectedTotal,
    rejected: result.rejected,
    seconds: Math.round(seconds * 1000) / 1000,
  };
}

function describe(result: LogVerification, seconds: number, where: string): string {
  const { tally } = result;
  const lines = [
    `log        ${result.origin} (${where})`,
    `tree size  ${result.treeSize}, root hash ${toBase64(result.rootHash)}`,
    `signed by  ${result.signedBy.join(', ')}`,
    `count      ${tally.count} (${tally.signers} signed, ${tally.withdrawn} withdrew, ${tally.repeats} repeats)`,
  ];
  for (const [affiliation, n] of [...tally.byAffiliation].slice(0, 20)) {
    lines.push(
      `           ${String(n).padStart(8)}  ${affiliation === '' ? '(no affiliation given)' : JSON.stringify(affiliation)}`
    );
  }
  lines.push(`rejected   ${result.rejectedTotal} entries`);
  for (const r of result.rejected.slice(0, 10))
    lines.push(`           #${r.index} ${r.code}: ${r.reason}`);
  if (result.rejectedTotal > 10) lines.push('           … (--json lists them all)');
  const rate = seconds > 0 ? Math.round(result.treeSize / seconds) : 0;
  lines.push(`verified   ${result.treeSize} entries in ${seconds.toFixed(2)} s (${rate}/s)`);
  return lines.join('\n') + '\n';
}
