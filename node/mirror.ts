// A mirror node: its own log of one letter (node/log/) behind its HTTP API (node/http/). The
// libp2p side (node/p2p/) plugs in later through `p2p`; replication and witnessing come later.
//
// Start: read the letter; load or make the log key; open and recover the log; rebuild the dedup
// index (which re-checks the whole log); start the sequencer; listen. Stop, in the reverse
// order: refuse new submissions and write the last batch, so that everyone waiting gets an
// answer; close the HTTP server once those answers are out; release the data directory.

import { UndersignedError } from '../core/errors.ts';
import { letterId, letterIdHex, parseLetter } from '../core/letter.ts';
import { readWholeFile } from './files.ts';
import { buildEntryIndex } from './log/entry-index.ts';
import { dataLayout } from './log/layout.ts';
import { Log } from './log/log.ts';
import { loadOrCreateLogKey } from './log/log-key.ts';
import { Sequencer } from './log/sequencer.ts';
import { mirrorRoutes, type MirrorInfo } from './http/routes.ts';
import { startHttpServer, type ListenAddress } from './http/server.ts';

/** What /info reports of the libp2p node, when there is one. */
export type P2PInfo = { readonly peerId: string; addresses(): readonly string[] };

export type MirrorOptions = {
  /** The letter: a letter file's path, or its bytes. */
  readonly letterFile?: string;
  readonly letter?: Uint8Array;
  readonly dataDir: string;
  readonly http: ListenAddress;
  /** The batch period in milliseconds (default 1000). */
  readonly batchMs?: number;
  /** The built web client (dist/web); a placeholder page is served without it. */
  readonly webDir?: string;
  readonly p2p?: P2PInfo;
  /** Where errors that are nobody's request go (default: stderr). Never a client's address. */
  readonly onError?: (error: unknown) => void;
  /** Aborting it stops the mirror, as stop() does. */
  readonly signal?: AbortSignal;
};

/** A running mirror. */
export type Mirror = {
  readonly url: string;
  readonly origin: string;
  readonly vkey: string;
  treeSize(): number;
  /** Resolves once it stopped; rejects, UNAVAILABLE, if it stopped because its log failed. */
  ended(): Promise<void>;
  /** Stops it (see the top of this file); resolves once the data directory is released. */
  stop(): Promise<void>;
};

/** Starts a mirror. Throws what the log's recovery throws (CORRUPT_DATA, BAD_CONFIG…). */
export async function createMirror(options: MirrorOptions): Promise<Mirror> {
  const letterFile = options.letter ?? (await readLetterFile(options.letterFile));
  const letter = parseLetter(letterFile);
  const onError = options.onError ?? reportError;
  const layout = dataLayout(options.dataDir);
  const key = await loadOrCreateLogKey(layout.keyFile, letterId(letter));
  const log = await Log.open({ layout, key });
  let sequencer: Sequencer | undefined;
  try {
    const index = await buildEntryIndex(log, options.signal ? { signal: options.signal } : {});
    sequencer = new Sequencer({ log, index, letter, batchMs: options.batchMs ?? 1000, onError });
    sequencer.start();
    const info = (): MirrorInfo => ({
      letterId: letterIdHex(letter),
      origin: key.origin,
      vkey: key.vkey,
      treeSize: log.treeSize,
      peerId: options.p2p?.peerId ?? null,
      addresses: options.p2p?.addresses() ?? [],
      follows: [],
    });
    const routes = mirrorRoutes({
      log,
      sequencer,
      letterFile,
      info,
      onError,
      ...(options.webDir === undefined ? {} : { webDir: options.webDir }),
    });
    const server = await startHttpServer(options.http, routes);
    const running = sequencer;
    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> =>
      (stopping ??= (async () => {
        await running.stop();
        await server.close();
        await log.close();
      })());
    const stopQuietly = (): void => {
      stop().catch(onError);
    };
    options.signal?.addEventListener('abort', stopQuietly, { once: true });
    // A log that cannot be written any more stops the node: restarting it is the recovery.
    const ended = running.ended().then(async () => {
      if (!running.failed) return;
      await stop();
      throw new UndersignedError('UNAVAILABLE', 'the log could not be written: restart the node');
    });
    ended.catch(() => undefined); // reported through `ended` to whoever waits for it
    return {
      url: server.url,
      origin: key.origin,
      vkey: key.vkey,
      treeSize: () => log.treeSize,
      ended: () => ended,
      stop,
    };
  } catch (e) {
    await sequencer?.stop();
    await log.close();
    throw e;
  }
}

async function readLetterFile(path: string | undefined): Promise<Uint8Array> {
  if (path === undefined) throw new TypeError('createMirror needs "letterFile" or "letter"');
  return readWholeFile(path);
}

function reportError(error: unknown): void {
  process.stderr.write(
    `undersigned node: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`
  );
}
