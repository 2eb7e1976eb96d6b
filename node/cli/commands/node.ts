// undersigned node: run a mirror node of one letter (node/mirror.ts) until SIGINT or SIGTERM.

import { fileURLToPath } from 'node:url';
import { createMirror, type MirrorOptions } from '../../mirror.ts';
import { parseListenAddress } from '../../http/server.ts';
import {
  integer,
  optional,
  repeated,
  required,
  UsageError,
  type Command,
  type CommandIO,
  type Values,
} from '../command.ts';
import { loadConfig, mergeConfig } from '../../config.ts';
import { readWholeFile } from '../../files.ts';
import { submitEntry } from '../../mirror-client.ts';
import { isUndersignedError } from '../../../core/errors.ts';
import { exitStatus } from '../exit-status.ts';
import { createOpsLog, isLogFormat, type OpsLog } from '../../ops-log.ts';

const DEFAULT_HTTP = '127.0.0.1:8470';
const DEFAULT_DATA = './undersigned-data';
/** The built web client of this checkout (vite.config.ts builds it there). */
const DEFAULT_WEB = fileURLToPath(new URL('../../../dist/web', import.meta.url));

export const node: Command = {
  name: ['node'],
  summary: 'run a mirror node: a log of one letter, served over HTTP',
  usage: `undersigned node --letter LETTER_FILE [--data DIR] [--http HOST:PORT] [--batch-ms N] [--web DIR]
                        [--listen MULTIADDR]... [--announce MULTIADDR]... [--peer MULTIADDR]...
                        [--follow URL]...
                        [--public-url URL]... [--announce-ms N] [--poll-ms N] [--no-p2p]
                        [--no-metrics] [--log-format text|json]

  --letter FILE     the letter this node's log holds
  --data DIR        the data directory: log key, log, state (default ${DEFAULT_DATA});
                    one directory holds the log of one letter
  --http HOST:PORT  where to serve the HTTP API and the log (default ${DEFAULT_HTTP});
                    port 0 picks a free port
  --batch-ms N      sequence submissions every N milliseconds (default 1000)
  --web DIR         the built web client to serve at / (default dist/web of this checkout)
  --listen ADDR     a libp2p multiaddr to listen on (repeatable; default loopback TCP,
                    WebSockets and WebRTC-Direct on free ports)
  --announce ADDR   a libp2p multiaddr announced instead of the listen ones, to peers and in
                    /info (repeatable): the public name behind a TLS proxy, such as
                    /dns4/mirror.example/tcp/8443/wss (browsers' live updates need it)
  --peer ADDR       a peer's multiaddr ending in /p2p/<peer id> (repeatable): the only peers
                    ever dialed
  --follow URL      also follow the log of the mirror at URL (repeatable)
  --public-url URL  the HTTP base URL announced for this log (repeatable; default the --http one)
  --announce-ms N   announce the checkpoint again every N ms (default 10000)
  --poll-ms N       fetch each followed log's checkpoint every N ms (default 3000)
  --no-p2p          run without libp2p (no gossip; --follow still works)
  --no-metrics      do not serve GET /metrics (Prometheus counters and gauges)
  --log-format F    text (default) or json: one JSON object a line, for log collectors
  --config FILE     read these settings from FILE (undersigned init writes one); flags given
                    here override it
  --seed FILE.car   start from an offline copy (undersigned export): it is verified, then every
                    entry of it that counts is appended to this node's log

Prints its URL, log origin and vkey, witness vkey, peer ID and libp2p addresses, then serves until interrupted (SIGINT, SIGTERM), when it
writes the last batch and stops. It keeps no submission times and no network addresses, and
logs none (docs/OPERATORS.md "Logs", "Metrics").`,
  flags: {
    letter: { type: 'string' },
    data: { type: 'string' },
    http: { type: 'string' },
    'batch-ms': { type: 'string' },
    web: { type: 'string' },
    listen: { type: 'string', multiple: true },
    announce: { type: 'string', multiple: true },
    peer: { type: 'string', multiple: true },
    follow: { type: 'string', multiple: true },
    'public-url': { type: 'string', multiple: true },
    'announce-ms': { type: 'string' },
    'poll-ms': { type: 'string' },
    'no-p2p': { type: 'boolean' },
    'no-metrics': { type: 'boolean' },
    'log-format': { type: 'string' },
    config: { type: 'string' },
    seed: { type: 'string' },
  },
  async run(flags, io) {
    const configFile = optional(flags, 'config');
    const values =
      configFile === undefined ? flags : mergeConfig(await loadConfig(configFile), flags);
    const logFormat = optional(values, 'log-format') ?? 'text';
    if (!isLogFormat(logFormat)) throw new UsageError('--log-format must be text or json');
    const options = mirrorOptions(values);
    const log = createOpsLog({
      format: logFormat,
      write: (line, level) => (level === 'info' ? io.stdout : io.stderr).write(line),
    });
    try {
      return await serve(options, optional(values, 'seed'), log, io);
    } catch (e) {
      // In json, an error that stops the node is a JSON line too, not main's sentence.
      if (log.format === 'text' || io.signal.aborted) throw e;
      return failed(e, log);
    }
  },
};

/** A mirror's options, read from a letter file. */
type NodeOptions = MirrorOptions & { readonly letterFile: string };

/** The mirror's options from the flags; throws UsageError. */
function mirrorOptions(values: Values): NodeOptions {
  const letterFile = required(values, 'letter');
  const httpText = optional(values, 'http') ?? DEFAULT_HTTP;
  const http = parseListenAddress(httpText);
  if (http === undefined) throw new UsageError(`--http must be HOST:PORT, got "${httpText}"`);
  const batchMs = integer(values, 'batch-ms', 1000, 3_600_000);
  if (batchMs < 1) throw new UsageError('--batch-ms must be at least 1');
  return {
    letterFile,
    dataDir: optional(values, 'data') ?? DEFAULT_DATA,
    http,
    batchMs,
    webDir: optional(values, 'web') ?? DEFAULT_WEB,
    p2p:
      values['no-p2p'] === true
        ? false
        : {
            ...(repeated(values, 'listen').length > 0
              ? { listen: repeated(values, 'listen') }
              : {}),
            ...(repeated(values, 'announce').length > 0
              ? { announce: repeated(values, 'announce') }
              : {}),
            peers: repeated(values, 'peer'),
          },
    follow: repeated(values, 'follow'),
    ...(repeated(values, 'public-url').length > 0
      ? { publicUrls: repeated(values, 'public-url') }
      : {}),
    announceMs: integer(values, 'announce-ms', 10_000, 3_600_000),
    pollMs: integer(values, 'poll-ms', 3000, 3_600_000),
    metrics: values['no-metrics'] !== true,
  };
}

/** Runs the mirror until interrupted, or until it stops by itself (its log could not be written). */
async function serve(
  options: NodeOptions,
  seedFile: string | undefined,
  log: OpsLog,
  io: CommandIO
): Promise<number> {
  io.signal.throwIfAborted();
  // The CAR and IPLD code loads only for --seed: it is a fifth of the command's start-up.
  const seed =
    seedFile === undefined
      ? undefined
      : await (
          await import('../../car/seed.ts')
        ).seedFromCar(seedFile, {
          letter: await readWholeFile(options.letterFile),
          signal: io.signal,
        });
  const mirror = await createMirror({
    ...options,
    signal: io.signal,
    onError: (e) => {
      logError(log, e);
    },
  });
  const peerId = mirror.peerId === undefined ? [] : [`peer id    ${mirror.peerId}`];
  const addresses = mirror.addresses();
  log.info(
    'started',
    {
      url: mirror.url,
      origin: mirror.origin,
      vkey: mirror.vkey,
      treeSize: mirror.treeSize(),
      witnessVkey: mirror.witnessVkey,
      peerId: mirror.peerId ?? null,
      addresses,
    },
    [
      `url        ${mirror.url}`,
      `origin     ${mirror.origin}`,
      `vkey       ${mirror.vkey}`,
      `tree size  ${mirror.treeSize()}`,
      `witness    ${mirror.witnessVkey}`,
      ...peerId,
      ...addresses.map((a) => `address    ${a}`),
    ].join('\n')
  );
  if (seed !== undefined) {
    const appended = await appendSeed(mirror.url, seed.entries(), io.signal);
    log.info(
      'seeded',
      { entries: appended, origin: seed.origin, treeSize: seed.treeSize },
      `seeded     ${appended} entries from ${seed.origin} at tree size ${seed.treeSize}`
    );
  }
  const interrupted = new Promise<void>((resolve) => {
    if (io.signal.aborted) resolve();
    io.signal.addEventListener(
      'abort',
      () => {
        resolve();
      },
      { once: true }
    );
  });
  await Promise.race([interrupted, mirror.ended()]);
  await mirror.stop();
  log.info('stopped', { treeSize: mirror.treeSize() }, `stopped at tree size ${mirror.treeSize()}`);
  return 0;
}

/** An error that is nobody's request: its code if it has one, and its message only. */
function logError(log: OpsLog, e: unknown): void {
  const message = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: unknown } | undefined)?.code;
  log.error(message, typeof code === 'string' ? { code } : {}, `undersigned node: ${message}`);
}

/**
 * The exit status of an error that stopped the node, logged first (json only), as main()
 * would for the text format: typed codes by exitStatus, system errors (EADDRINUSE…) 4.
 */
function failed(e: unknown, log: OpsLog): number {
  if (e instanceof UsageError) throw e;
  const code = (e as { code?: unknown } | undefined)?.code;
  if (!isUndersignedError(e) && !(typeof code === 'string' && /^E[A-Z]+$/.test(code))) throw e;
  logError(log, e);
  return isUndersignedError(e) ? exitStatus(e.code) : 4;
}

/**
 * Appends a seed's entries through the mirror's own submission path, so they get exactly the
 * checks of any submission; entries already in the log or that do not count are skipped.
 */
async function appendSeed(
  url: string,
  entries: AsyncIterable<Uint8Array>,
  signal: AbortSignal
): Promise<number> {
  let appended = 0;
  let batch: Uint8Array[] = [];
  const flush = async (): Promise<void> => {
    const results = await Promise.allSettled(
      batch.map((entry) => submitEntry(url, entry, { signal }))
    );
    for (const result of results) {
      if (result.status === 'fulfilled') appended++;
      else if (!isUndersignedError(result.reason)) throw result.reason;
    }
    batch = [];
  };
  for await (const entry of entries) {
    batch.push(entry);
    if (batch.length >= 512) await flush();
  }
  await flush();
  return appended;
}
