// A mirror node: its own log of one letter (node/log/) behind its HTTP API (node/http/), on the
// letter's gossip topic over libp2p (node/p2p/, node/gossip/), following and witnessing the
// other logs of the letter (node/follow/, node/witness/).
//
// Start: read the letter; load or make the log and witness keys; open and recover the log;
// rebuild the dedup index (which re-checks the whole log); start the sequencer; listen; start
// libp2p under <data>/p2p/; load the followed logs and evidence; join the topic. Stop, in the
// reverse order: leave the topic and stop following, stop libp2p; refuse new submissions and
// write the last batch, so that everyone waiting gets an answer; close the HTTP server once
// those answers are out; release the data directory.

import { UndersignedError } from '../core/errors.ts';
import { letterId, letterIdHex, parseLetter } from '../core/letter.ts';
import { readWholeFile } from './files.ts';
import { buildEntryIndex } from './log/entry-index.ts';
import { dataLayout } from './log/layout.ts';
import { Log } from './log/log.ts';
import { loadOrCreateLogKey } from './log/log-key.ts';
import { Sequencer } from './log/sequencer.ts';
import { nodeEd25519 } from './ed25519/verifier.ts';
import { mirrorRoutes, type MirrorInfo } from './http/routes.ts';
import { startHttpServer, type ListenAddress } from './http/server.ts';
import { join } from 'node:path';
import { Follows } from './follow/follows.ts';
import type { Gossip } from './gossip/gossip.ts';
import type { MirrorP2P } from './p2p/mirror-p2p.ts';
import { EvidenceStore } from './witness/evidence.ts';
import { OwnCosignatures } from './witness/own-cosignatures.ts';
import { loadOrCreateWitnessKey } from './witness/witness-key.ts';
import { Metrics } from './metrics/metrics.ts';

/** The libp2p side: where to listen and which peers to dial; false runs without libp2p. */
export type P2POptions = {
  readonly listen?: readonly string[];
  /** Addresses announced instead of the listen ones (a public name behind a TLS proxy). */
  readonly announce?: readonly string[];
  readonly peers?: readonly string[];
};

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
  readonly p2p?: P2POptions | false;
  /** Base URLs of mirrors whose logs to follow, besides those announced over gossip. */
  readonly follow?: readonly string[];
  /** The HTTP base URLs announced for our log (default: the URL the server is bound to). */
  readonly publicUrls?: readonly string[];
  /** How often our checkpoint is announced again, in ms (default 10,000). */
  readonly announceMs?: number;
  /** How often each followed log is polled, in ms (default 3000). */
  readonly pollMs?: number;
  /** Whether to serve GET /metrics (default true); submissions are counted either way. */
  readonly metrics?: boolean;
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
  readonly witnessVkey: string;
  /** The libp2p peer ID and addresses; undefined without libp2p. */
  readonly peerId: string | undefined;
  addresses(): string[];
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
  const witness = await loadOrCreateWitnessKey(join(layout.dataDir, 'keys', 'witness.key'));
  const log = await Log.open({ layout, key });
  let sequencer: Sequencer | undefined;
  let p2p: MirrorP2P | undefined;
  const lifetime = new AbortController();
  try {
    const index = await buildEntryIndex(log, options.signal ? { signal: options.signal } : {});
    const metrics = new Metrics();
    sequencer = new Sequencer({
      log,
      index,
      letter,
      batchMs: options.batchMs ?? 1000,
      onError,
      onBatch: (batch) => {
        metrics.batchWritten(batch);
      },
    });
    sequencer.start();
    const running = sequencer;
    const cosignatures = new OwnCosignatures(key.verifier);
    const evidence = await EvidenceStore.open(join(layout.dataDir, 'evidence'));
    let gossip: Gossip | undefined;
    // Entries from gossip and followed logs: no receipt is made for them.
    const submit = (entry: Uint8Array): Promise<unknown> =>
      running.submit(entry, { receipt: false });
    const follows = await Follows.open({
      followsDir: join(layout.dataDir, 'follows'),
      letterId: letterId(letter),
      ownOrigin: key.origin,
      witness,
      evidence,
      checkBundle: (bytes, bundle) =>
        nodeEd25519().checkBundle(bytes, bundle, {
          letterId: letterId(letter),
          stampBits: letter.stampBits,
        }),
      submitChecked: (entries) => running.submitChecked(entries),
      publishCosigned: (note) => gossip?.publishCosigned(note),
      onError,
      ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
      signal: lifetime.signal,
    });
    const checkpoint = (): string => cosignatures.cosigned(log.signed);
    const info = (): MirrorInfo => ({
      letterId: letterIdHex(letter),
      origin: key.origin,
      vkey: key.vkey,
      witnessVkey: witness.vkey,
      treeSize: log.treeSize,
      peerId: p2p?.peerId ?? null,
      addresses: p2p?.addresses() ?? [],
      follows: follows.info(),
      evidence: evidence.list(),
    });
    // HTTP submissions are gossiped once committed; gossiped and followed entries are not.
    const clientSubmit = async (
      entry: Uint8Array,
      o: { signal?: AbortSignal } = {}
    ): ReturnType<Sequencer['submit']> => {
      const size = log.treeSize;
      const accepted = await running.submit(entry, o);
      if (accepted.index >= size) gossip?.entriesCommitted([entry]);
      return accepted;
    };
    const routes = mirrorRoutes({
      log,
      sequencer: { submit: clientSubmit },
      letterFile,
      info,
      checkpoint,
      follows,
      onError,
      submissions: metrics,
      ...(options.metrics === false
        ? {}
        : {
            metrics: () =>
              metrics.expose({
                treeSize: () => log.treeSize,
                peers: () => new Set(p2p?.connections().map((c) => c.peer)).size,
                follows: () => follows.sizes(),
              }),
          }),
      ...(options.webDir === undefined ? {} : { webDir: options.webDir }),
    });
    const server = await startHttpServer(options.http, routes);
    if (options.p2p !== false) {
      // libp2p and Helia are loaded only when used: without them a node starts seconds sooner.
      const [{ createMirrorP2P }, { startGossip }, { TileBlocks }] = await Promise.all([
        import('./p2p/mirror-p2p.ts'),
        import('./gossip/gossip.ts'),
        import('./gossip/tile-blocks.ts'),
      ]);
      p2p = await createMirrorP2P({
        dataDir: join(layout.dataDir, 'p2p'),
        ...(options.p2p?.listen === undefined ? {} : { listen: options.p2p.listen }),
        ...(options.p2p?.announce === undefined ? {} : { announce: options.p2p.announce }),
        ...(options.p2p?.peers === undefined ? {} : { peers: options.p2p.peers }),
      });
      const blocks = new TileBlocks(p2p, log.tiles);
      gossip = startGossip({
        p2p,
        directory: async (size) => (await blocks.directory(size)).toString(),
        letter,
        origin: key.origin,
        vkey: key.vkey,
        witnessVkey: witness.vkey,
        checkpoint,
        urls: () => options.publicUrls ?? [server.url],
        submit,
        follows,
        cosignatures,
        ...(options.announceMs === undefined ? {} : { announceMs: options.announceMs }),
        onError,
        signal: lifetime.signal,
      });
      // Submissions over libp2p are client submissions, as over HTTP: gossiped once committed.
      // A peer that went away before its answer is not counted, as over HTTP.
      await p2p.serveSubmissions({
        submit: clientSubmit,
        onError,
        onResult: (result) => {
          if (result.ok) metrics.accepted();
          else if (result.code !== 'ABORTED') metrics.rejected(result.code);
        },
      });
    }
    for (const url of options.follow ?? []) follows.followUrl(url).catch(onError);
    const node = p2p;
    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> =>
      (stopping ??= (async () => {
        lifetime.abort();
        await node?.stop();
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
      witnessVkey: witness.vkey,
      peerId: node?.peerId,
      addresses: () => node?.addresses() ?? [],
      treeSize: () => log.treeSize,
      ended: () => ended,
      stop,
    };
  } catch (e) {
    lifetime.abort();
    await p2p?.stop();
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
