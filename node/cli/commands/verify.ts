// undersigned verify: count a log and check everything on the way (docs/PROTOCOL.md §7).

import { parseLetter, letterId, type Letter } from '../../../core/letter.ts';
import { newVerifier } from '../../../core/note.ts';
import { parseVerifierKey } from '../../../core/note-key.ts';
import { checkLogOrigin, parseLogOrigin } from '../../../core/origin.ts';
import { tilePath } from '../../../core/tiles.ts';
import { verifyLog, type LogVerification } from '../../../core/verifier.ts';
import { toBase64, utf8Decode } from '../../../core/bytes.ts';
import { isUndersignedError, UndersignedError } from '../../../core/errors.ts';
import { logSource, httpSource, type LogSource } from '../../log-source.ts';
import { readWholeFile } from '../../files.ts';
import { progressBar } from '../progress.ts';
import { optional, repeated, required, UsageError, type Command } from '../command.ts';

export const verify: Command = {
  name: ['verify'],
  summary: 'verify a log and count its signatures',
  usage: `undersigned verify --from DIR|URL [--vkey VKEY]... [--letter LETTER_FILE] [--witness VKEY]... [--json]

  --from DIR|URL     a log in the tlog-tiles layout (a directory, or an HTTP base URL), or the
                     URL of an Undersigned mirror (then its /log/ is verified)
  --vkey VKEY        a trusted log key (repeatable). For a mirror URL without --vkey, the
                     mirror's own key is used: that checks the log is internally consistent,
                     not that it is the log you meant
  --letter FILE      the letter the entries must sign (default for a mirror URL: its /letter)
  --witness VKEY     a witness key whose cosignature to check and list (repeatable)
  --json             print the result as JSON: count, breakdown and every rejected entry

Exit status 0 when the log verifies (rejected entries inside it are listed, not fatal),
3 when it does not, 4 when it cannot be read, 2 for usage errors.`,
  flags: {
    from: { type: 'string' },
    vkey: { type: 'string', multiple: true },
    letter: { type: 'string' },
    witness: { type: 'string', multiple: true },
    json: { type: 'boolean' },
  },
  async run(values, io) {
    const from = required(values, 'from');
    const target = await resolveTarget(from, io.signal);
    const vkeys = repeated(values, 'vkey');
    if (vkeys.length === 0 && target.vkey !== undefined) {
      vkeys.push(target.vkey);
      io.stderr.write(`note: trusting the log key that ${from} reports; pass --vkey to pin it\n`);
    }
    if (vkeys.length === 0)
      throw new UsageError('--vkey is required for a log that is not an Undersigned mirror');
    const letterFile = optional(values, 'letter');
    const letter =
      letterFile !== undefined ? parseLetter(await readWholeFile(letterFile)) : target.letter;
    if (letter === undefined)
      throw new UsageError('--letter is required for a log that is not an Undersigned mirror');
    const json = values['json'] === true;
    const bar = progressBar(json ? ({ write: () => true } as never) : io.stderr, 'verifying');
    const started = performance.now();
    const result = await verifyLog({
      checkpoint: await target.log.read('checkpoint', { signal: io.signal }),
      logKeys: vkeys.map((k) => newVerifier(k)),
      witnessKeys: repeated(values, 'witness').map((k) => newVerifier(k)),
      letterId: letterId(letter),
      stampBits: letter.stampBits,
      readEntryBundle: (tile, options) => target.log.read(tilePath(tile), options),
      onProgress: ({ entriesVerified, treeSize }) => {
        bar.update(entriesVerified, treeSize);
      },
      signal: io.signal,
    });
    bar.finish();
    const seconds = (performance.now() - started) / 1000;
    const warning = originWarning(result.origin, letter, vkeys);
    if (warning !== undefined) io.stderr.write(`warning: ${warning}\n`);
    io.stdout.write(
      json ? `${JSON.stringify(toJson(result, seconds))}\n` : describe(result, seconds, target.log)
    );
    return 0;
  },
};

type Target = { log: LogSource; vkey?: string; letter?: Letter };

/** A mirror URL (it answers /info) or a plain tlog-tiles prefix. */
async function resolveTarget(from: string, signal: AbortSignal): Promise<Target> {
  if (!/^https?:\/\//.test(from)) return { log: logSource(from) };
  const root = httpSource(from);
  let info: { vkey?: unknown };
  try {
    info = JSON.parse(utf8Decode(await root.read('info', { signal }))) as { vkey?: unknown };
  } catch (e) {
    if (signal.aborted) throw signal.reason;
    if (isUndersignedError(e, 'NOT_FOUND') || e instanceof SyntaxError) return { log: root };
    throw e;
  }
  const letter = parseLetter(await root.read('letter', { signal }));
  const target: Target = { log: httpSource(new URL('log/', root.where).href), letter };
  if (typeof info.vkey === 'string') target.vkey = info.vkey;
  return target;
}

/** Our origins name the letter and the key; say so when one does not match. */
function originWarning(origin: string, letter: Letter, vkeys: string[]): string | undefined {
  try {
    parseLogOrigin(origin);
  } catch {
    return `origin "${origin}" is not an Undersigned log origin; it does not name the letter`;
  }
  const key = vkeys.map((k) => parseVerifierKey(k)).find((k) => k.name === origin);
  if (key === undefined) return undefined;
  try {
    checkLogOrigin(origin, letterId(letter), key.publicKey);
  } catch (e) {
    if (isUndersignedError(e))
      throw new UndersignedError('WRONG_ORIGIN', `${e.message}: ${origin}`);
    throw e;
  }
  return undefined;
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

function describe(result: LogVerification, seconds: number, log: LogSource): string {
  const { tally } = result;
  const lines = [
    `log        ${result.origin} (${log.where})`,
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
