// The undersigned command (its executable is main.ts): subcommands in ./commands, and the only
// place where error codes become exit statuses and sentences (but for `node --log-format json`, which logs
// the error that stops it as JSON, with the same exit status: exit-status.ts).

import { isUndersignedError } from '../../core/errors.ts';
import { parseFlags, UsageError, type Command, type CommandIO } from './command.ts';
import { exitStatus } from './exit-status.ts';
import { letterNew } from './commands/letter-new.ts';
import { keyNew } from './commands/key-new.ts';
import { sign } from './commands/sign.ts';
import { verify } from './commands/verify.ts';
import { exportCar } from './commands/export.ts';
import { init } from './commands/init.ts';
import { gen } from './commands/gen.ts';
import { node } from './commands/node.ts';
import { submit } from './commands/submit.ts';
import { status } from './commands/status.ts';
import { start } from './commands/start.ts';

const COMMANDS: readonly Command[] = [
  start,
  letterNew,
  keyNew,
  sign,
  gen,
  node,
  submit,
  status,
  verify,
  exportCar,
  init,
];

export { exitStatus };

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.join(' ').length));
  return [
    'undersigned: a privacy-first, decentralized open letter',
    '',
    'usage: undersigned <command> [flags]   (undersigned <command> --help for its flags)',
    '',
    ...COMMANDS.map((c) => `  ${c.name.join(' ').padEnd(width)}  ${c.summary}`),
    '',
  ].join('\n');
}

/** Runs the CLI with `argv` (without node and the script) and returns the exit status. */
export async function main(argv: string[], io: CommandIO): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.stdout.write(overview());
    return argv.length === 0 ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name.every((word, i) => argv[i] === word));
  if (command === undefined) {
    io.stderr.write(
      `undersigned: unknown command "${argv.slice(0, 2).join(' ')}"\n\n${overview()}`
    );
    return 2;
  }
  try {
    const { values, help } = parseFlags(command, argv.slice(command.name.length));
    if (help) {
      io.stdout.write(`${command.usage}\n`);
      return 0;
    }
    return await command.run(values, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(
        `undersigned ${command.name.join(' ')}: ${e.message}\n\nusage: ${command.usage}\n`
      );
      return 2;
    }
    if (isUndersignedError(e)) {
      io.stderr.write(`undersigned ${command.name.join(' ')}: ${e.code}: ${e.message}\n`);
      return exitStatus(e.code);
    }
    if (io.signal.aborted) {
      io.stderr.write('undersigned: stopped\n');
      return 130;
    }
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
      io.stderr.write(`undersigned ${command.name.join(' ')}: ${(e as Error).message}\n`);
      return 4;
    }
    throw e;
  }
}

/** Runs the CLI as this process: its arguments, its output, SIGINT and SIGTERM, its exit code. */
export async function run(): Promise<void> {
  const controller = new AbortController();
  process.once('SIGINT', () => {
    controller.abort(new Error('interrupted'));
  });
  process.once('SIGTERM', () => {
    controller.abort(new Error('terminated'));
  });
  process.exitCode = await main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    signal: controller.signal,
  });
}
