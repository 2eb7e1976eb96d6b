// What every subcommand shares: its flags, its help text, and a typed usage error.

import { parseArgs, type ParseArgsConfig } from 'node:util';

export type Flags = NonNullable<ParseArgsConfig['options']>;

export type Command = {
  /** Words that select it, e.g. ['letter', 'new']. */
  readonly name: readonly string[];
  readonly summary: string;
  readonly usage: string;
  readonly flags: Flags;
  /** The flag that one positional argument, if given, stands for (e.g. 'entries' for FILE). */
  readonly positional?: string;
  run(values: Values, io: CommandIO): Promise<number>;
};

export type Values = Record<string, string | boolean | string[] | boolean[] | undefined>;

/** Where a command writes and how it is stopped; tests pass their own. */
export type CommandIO = {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly signal: AbortSignal;
};

/** A mistake in how a command was called: printed with the command's usage, exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Parses `args` strictly against a command's flags (plus --help). */
export function parseFlags(command: Command, args: string[]): { values: Values; help: boolean } {
  try {
    const parsed = parseArgs({
      args,
      options: { ...command.flags, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: true,
    });
    const values: Values = parsed.values;
    const [first, ...rest] = parsed.positionals;
    const extra = command.positional === undefined ? first : rest[0];
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
    if (first !== undefined && command.positional !== undefined) {
      if (values[command.positional] !== undefined) {
        throw new UsageError(`give ${command.positional} once, as an argument or as a flag`);
      }
      return { values: { ...values, [command.positional]: first }, help: values['help'] === true };
    }
    return { values, help: values['help'] === true };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

/** A string flag that must be present. */
export function required(values: Values, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

/** An optional string flag. */
export function optional(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** A repeatable string flag. */
export function repeated(values: Values, name: string): string[] {
  const value = values[name];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}

/** A non-negative integer flag. */
export function integer(
  values: Values,
  name: string,
  fallback: number,
  max = Number.MAX_SAFE_INTEGER
): number {
  const value = values[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^(0|[1-9][0-9]*)$/.test(value) || Number(value) > max) {
    throw new UsageError(`--${name} must be a whole number from 0 to ${max}`);
  }
  return Number(value);
}
