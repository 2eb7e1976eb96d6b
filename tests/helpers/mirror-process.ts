// Runs `undersigned node` as a separate process, as an operator would, and talks to it over HTTP.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../node/cli/main.ts', import.meta.url));

/** A running node process. */
export type MirrorProcess = {
  readonly url: string;
  readonly origin: string;
  readonly vkey: string;
  /** The libp2p peer ID and addresses it printed (none with --no-p2p). */
  readonly peerId: string | undefined;
  readonly addresses: readonly string[];
  readonly child: ChildProcess;
  /** Everything it wrote so far, stdout and stderr. */
  output(): string;
  /** Sends `signal` and resolves with the exit code once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
};

export type MirrorProcessOptions = {
  readonly letterFile: string;
  readonly dataDir: string;
  readonly batchMs?: number;
  readonly webDir?: string;
  /** More flags: --peer, --listen, --follow, --no-p2p… */
  readonly args?: readonly string[];
};

/** Starts a node on a free port of 127.0.0.1 and resolves once it printed its URL, origin and vkey. */
export function startMirrorProcess(options: MirrorProcessOptions): Promise<MirrorProcess> {
  return spawnMirrorProcess(options).ready;
}

/** Starts a node; `ready` resolves as startMirrorProcess does, and rejects if it exits first. */
export function spawnMirrorProcess(options: MirrorProcessOptions): {
  child: ChildProcess;
  ready: Promise<MirrorProcess>;
} {
  const args = [
    MAIN,
    'node',
    '--letter',
    options.letterFile,
    '--data',
    options.dataDir,
    '--http',
    '127.0.0.1:0',
  ];
  args.push('--batch-ms', String(options.batchMs ?? 50), '--web', options.webDir ?? '/nonexistent');
  args.push(...(options.args ?? ['--no-p2p']));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit');
  const started = new Promise<{ url: string; origin: string; vkey: string }>((resolve, reject) => {
    const check = (): void => {
      const url = /^url\s+(\S+)$/m.exec(output)?.[1];
      const origin = /^origin\s+(\S+)$/m.exec(output)?.[1];
      const vkey = /^vkey\s+(\S+)$/m.exec(output)?.[1];
      const witness = /^witness\s+(\S+)$/m.exec(output)?.[1];
      if (url !== undefined && origin !== undefined && vkey !== undefined && witness !== undefined)
        resolve({ url, origin, vkey });
    };
    child.stdout.on('data', check);
    void exited.then(() => {
      reject(new Error(`the node exited before it started:\n${output}`));
    });
  });
  const ready = started.then((fields) => ({
    ...fields,
    peerId: /^peer id\s+(\S+)$/m.exec(output)?.[1],
    addresses: [...output.matchAll(/^address\s+(\S+)$/gm)].map((m) => m[1] as string),
    child,
    output: () => output,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const [code] = (await exited) as [number | null];
      return code;
    },
  }));
  ready.catch(() => undefined); // the caller may kill it before it is ready
  return { child, ready };
}

/** An HTTP answer: status, headers, body. */
export type Answer = {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
};

/**
 * A raw HTTP request: the path is sent as given (fetch would normalize "..", which is what a
 * traversal test must not do). Resolves with the answer; rejects if the connection fails.
 */
export function rawRequest(
  base: string,
  method: string,
  path: string,
  body?: string | Buffer
): Promise<Answer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method, path, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          });
        });
        res.on('error', reject);
      }
    );
    req.on('error', reject);
    if (body !== undefined) req.setHeader('Content-Type', 'application/json');
    req.end(body);
  });
}

/** POSTs `{"entry": <base64>}` (or a raw body) to /submit and parses the JSON answer. */
export async function submit(
  base: string,
  body: string | Buffer
): Promise<{ status: number; json: Record<string, unknown> }> {
  const answer = await rawRequest(base, 'POST', '/submit', body);
  return {
    status: answer.status,
    json: JSON.parse(answer.body.toString()) as Record<string, unknown>,
  };
}
