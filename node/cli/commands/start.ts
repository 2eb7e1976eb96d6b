// undersigned start (npm start): the newcomer's first run. Builds the web client if it is
// missing, then runs one mirror, or a small local network of mirrors that replicate and cosign
// each other, on the sample letter, with all state in one data folder; a second start resumes.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { integer, optional, type Command, type CommandIO } from '../command.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SAMPLE_LETTER = join(ROOT, 'node/sample/letter.txt');
const WEB_DIR = join(ROOT, 'dist/web');
const MAIN = join(ROOT, 'node/cli/main.ts');
const FIRST_HTTP_PORT = 8470;

export const start: Command = {
  name: ['start'],
  summary: 'run local mirrors of the sample letter, with the web client (npm start)',
  usage: `undersigned start [--nodes N] [--data DIR] [--letter LETTER_FILE] [--port PORT]

  --nodes N        how many mirrors to run, peered with each other (default 1)
  --data DIR       the one folder all their state lives in (default .undersigned in this
                   checkout); starting again resumes from it
  --letter FILE    the letter (default: the sample letter, node/sample/letter.txt)
  --port PORT      the first mirror's HTTP port; the others take the next ones (default ${FIRST_HTTP_PORT})

Builds the web client first if dist/web is missing. Everything listens on 127.0.0.1 only.
Stops every mirror cleanly on Ctrl-C.`,
  flags: {
    nodes: { type: 'string' },
    data: { type: 'string' },
    letter: { type: 'string' },
    port: { type: 'string' },
  },
  async run(values, io) {
    const count = Math.max(1, integer(values, 'nodes', 1, 16));
    const dataDir = resolve(optional(values, 'data') ?? join(ROOT, '.undersigned'));
    const letterFile = resolve(optional(values, 'letter') ?? SAMPLE_LETTER);
    const firstPort = integer(values, 'port', FIRST_HTTP_PORT, 65_535);
    if (!existsSync(join(WEB_DIR, 'index.html'))) {
      io.stderr.write('building the web client (once) …\n');
      await run(
        process.execPath,
        [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'],
        io
      );
    }
    const mirrors: Started[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const dir = join(dataDir, count === 1 ? 'mirror' : `mirror-${i + 1}`);
        await mkdir(dir, { recursive: true });
        const peers = mirrors.flatMap((m) => m.peerAddresses);
        mirrors.push(
          await startMirror(dir, letterFile, firstPort === 0 ? 0 : firstPort + i, peers, io)
        );
      }
    } catch (e) {
      await Promise.all(mirrors.map((m) => m.stop()));
      throw e;
    }
    io.stdout.write(
      [
        '',
        count === 1
          ? 'Undersigned is running. Open:'
          : `${count} Undersigned mirrors are running. Open any of:`,
        ...mirrors.map((m) => `  ${m.url}`),
        `State: ${dataDir} (start again to resume). Ctrl-C stops.`,
        '',
      ].join('\n')
    );
    await new Promise<void>((done) => {
      if (io.signal.aborted) done();
      io.signal.addEventListener(
        'abort',
        () => {
          done();
        },
        { once: true }
      );
      for (const m of mirrors)
        m.child.once('exit', () => {
          done();
        });
    });
    io.stderr.write('stopping …\n');
    const codes = await Promise.all(mirrors.map((m) => m.stop()));
    return codes.every((c) => c === 0) ? 0 : 1;
  },
};

type Started = {
  url: string;
  peerAddresses: string[];
  child: ChildProcess;
  stop(): Promise<number | null>;
};

/** Starts `undersigned node` as a child process and reads what it prints until it is ready. */
function startMirror(
  dir: string,
  letterFile: string,
  port: number,
  peers: string[],
  io: CommandIO
): Promise<Started> {
  const args = [
    MAIN,
    'node',
    '--letter',
    letterFile,
    '--data',
    dir,
    '--http',
    `127.0.0.1:${port}`,
    '--web',
    WEB_DIR,
  ];
  for (const peer of peers) args.push('--peer', peer);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr.pipe(io.stderr, { end: false });
  let url: string | undefined;
  let peerId: string | undefined;
  const addresses: string[] = [];
  const stop = (): Promise<number | null> =>
    new Promise((done) => {
      if (child.exitCode !== null) {
        done(child.exitCode);
        return;
      }
      child.once('exit', (code) => {
        done(code);
      });
      child.kill('SIGTERM');
    });
  return new Promise((ready, fail) => {
    const lines = createInterface({ input: child.stdout });
    child.once('exit', (code) => {
      fail(new Error(`a mirror exited with status ${code ?? 'unknown'} while starting (${dir})`));
    });
    lines.on('line', (line) => {
      io.stdout.write(`${line}\n`);
      const [key, value] = [line.slice(0, 11).trim(), line.slice(11).trim()];
      if (key === 'url') url = value;
      else if (key === 'peer id') peerId = value;
      else if (key === 'address') addresses.push(value);
      else if (key === 'tree size' && url !== undefined) {
        // The start-up block may go on after the tree size (peer ID, addresses): read it all.
        const readyUrl = url;
        setTimeout(() => {
          const withId = (a: string): string =>
            a.includes('/p2p/') || peerId === undefined ? a : `${a}/p2p/${peerId}`;
          const peerAddresses = addresses
            .filter((a) => a.includes('/tcp/') && !a.includes('/ws'))
            .map(withId);
          ready({ url: readyUrl, peerAddresses, child, stop });
        }, 300);
      }
    });
  });
}

function run(command: string, args: string[], io: CommandIO): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
      signal: io.signal,
    });
    child.once('error', fail);
    child.once('exit', (code) => {
      if (code === 0) done();
      else fail(new Error(`${args.join(' ')} exited with status ${code ?? 'unknown'}`));
    });
  });
}
