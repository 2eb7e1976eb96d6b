// What `undersigned verify` and `undersigned export` share: where a log comes from (a directory,
// a tlog-tiles URL, or an Undersigned mirror's URL), which keys and letter to trust, and the
// origin check (docs/PROTOCOL.md §6.2, §7).

import { letterId, parseLetter, type Letter } from '../../core/letter.ts';
import { parseVerifierKey } from '../../core/note-key.ts';
import { checkLogOrigin, parseLogOrigin } from '../../core/origin.ts';
import { utf8Decode } from '../../core/bytes.ts';
import { isUndersignedError, UndersignedError } from '../../core/errors.ts';
import { readWholeFile } from '../files.ts';
import { httpSource, logSource, type LogSource } from '../log-source.ts';
import { optional, repeated, UsageError, type CommandIO, type Values } from './command.ts';

/** A log to read, and what its mirror reports (its key and letter), if it is a mirror. */
export type LogTarget = { log: LogSource; vkey?: string; letter?: Letter; letterFile?: Uint8Array };

/** A mirror URL (it answers /info) or a plain tlog-tiles prefix (a URL or a directory). */
export async function resolveTarget(from: string, signal: AbortSignal): Promise<LogTarget> {
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
  const letterFile = await root.read('letter', { signal });
  const target: LogTarget = {
    log: httpSource(new URL('log/', root.where).href),
    letter: parseLetter(letterFile),
    letterFile,
  };
  if (typeof info.vkey === 'string') target.vkey = info.vkey;
  return target;
}

/**
 * The trusted log keys and the letter for `target`: --vkey (repeatable) and --letter, else what
 * the mirror reports (with a note on stderr, since that checks consistency, not identity).
 */
export async function trustedLog(
  values: Values,
  target: LogTarget,
  from: string,
  io: CommandIO
): Promise<{ vkeys: string[]; letter: Letter; letterFile: Uint8Array }> {
  const vkeys = repeated(values, 'vkey');
  if (vkeys.length === 0 && target.vkey !== undefined) {
    vkeys.push(target.vkey);
    io.stderr.write(`note: trusting the log key that ${from} reports; pass --vkey to pin it\n`);
  }
  if (vkeys.length === 0)
    throw new UsageError('--vkey is required for a log that is not an Undersigned mirror');
  const letterPath = optional(values, 'letter');
  const letterFile = letterPath !== undefined ? await readWholeFile(letterPath) : target.letterFile;
  if (letterFile === undefined)
    throw new UsageError('--letter is required for a log that is not an Undersigned mirror');
  return { vkeys, letter: parseLetter(letterFile), letterFile };
}

/**
 * Our origins name the letter and the key: a warning when the origin is not one of ours; a
 * WRONG_ORIGIN error when a trusted key named by the origin signs for another letter or key.
 */
export function originWarning(
  origin: string,
  letter: Letter,
  vkeys: readonly string[]
): string | undefined {
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
