// The mirror node's peer-to-peer layer (DESIGN.md "Replication over IPFS/libp2p"; docs/P2P.md):
// gossip topics, raw blocks over bitswap, UnixFS directories of tiles, connections to
// configured peers only. Callers see strings, bytes and CIDs; libp2p and Helia stay inside.

import { peerIdFromString } from '@libp2p/peer-id';
import type { CID } from 'multiformats/cid';
import { concatBytes } from '../../core/bytes.ts';
import { UndersignedError } from '../../core/errors.ts';
import { asCid, blockCid, checkBlock } from './cid.ts';
import { DEFAULT_LISTEN } from './config.ts';
import { getDirectory, putDirectory, type DirectoryEntry } from './directory.ts';
import { startBlockNode } from './helia.ts';
import { parseAnnounced, parsePeers } from './peers.ts';
import { publishTopic, subscribeTopic, topicPeers, type MessageHandler } from './pubsub.ts';
import { keepConnected } from './reconnect.ts';
import { handleSubmitProtocol, type SubmitProtocolOptions } from './submit-protocol.ts';

export type { DirectoryEntry, MessageHandler };
export type { Verdict } from './pubsub.ts';
export type { SubmitProtocolOptions, SubmitResult } from './submit-protocol.ts';

/** How to start a mirror's p2p layer. */
export interface MirrorP2POptions {
  /** Holds peer-key, blocks/ and datastore/ (created, mode 0700). */
  dataDir: string;
  /** Multiaddrs to listen on; DEFAULT_LISTEN (loopback only) if omitted. */
  listen?: readonly string[];
  /** Multiaddrs announced instead of the listen addresses (config.ts); checked here. */
  announce?: readonly string[];
  /** Multiaddrs ending in /p2p/<peer id>: the only peers ever dialed. */
  peers?: readonly string[];
  /** Aborts startup, and stops the node once started. */
  signal?: AbortSignal;
}

/** An open connection. */
export interface PeerConnection {
  peer: string;
  address: string;
  direction: 'inbound' | 'outbound';
}

/** Options of async calls. */
export interface CallOptions {
  signal?: AbortSignal;
}

/** A started p2p layer. */
export interface MirrorP2P {
  /** This node's peer ID (base58btc), stable across restarts with the same data dir. */
  readonly peerId: string;
  /** The multiaddrs peers can dial, each ending in /p2p/<peerId>. */
  addresses(): string[];
  connections(): PeerConnection[];
  /** Handles `topic` (one handler per topic); returns the unsubscribe function. */
  subscribe(topic: string, handler: MessageHandler): () => void;
  /** Publishes to `topic`; returns the number of neighbours it was sent to (see pubsub.ts). */
  publish(topic: string, data: Uint8Array, options?: CallOptions): Promise<number>;
  /** The peer IDs of neighbours subscribed to `topic`. */
  topicPeers(topic: string): string[];
  /** Stores `bytes` as a raw block; returns its CID (CIDv1, raw, SHA-256). */
  putBlock(bytes: Uint8Array, options?: CallOptions): Promise<CID>;
  /** The block's bytes, from the blockstore or over bitswap, checked against the CID. */
  getBlock(cid: CID | string, options?: CallOptions): Promise<Uint8Array>;
  /** Whether the block is in the local blockstore. */
  hasBlock(cid: CID | string, options?: CallOptions): Promise<boolean>;
  /** Builds a UnixFS directory of local raw blocks; returns its CID. */
  putDirectory(entries: readonly DirectoryEntry[], options?: CallOptions): Promise<CID>;
  /** Lists a UnixFS directory's files, fetching its directory blocks if need be. */
  getDirectory(cid: CID | string, options?: CallOptions): Promise<DirectoryEntry[]>;
  /** Round-trip time to a connected peer, in milliseconds. */
  ping(peer: string, options?: CallOptions): Promise<number>;
  /** Takes submissions over /undersigned/submit/1 (submit-protocol.ts) from any peer. */
  serveSubmissions(options: SubmitProtocolOptions): Promise<void>;
  /** Stops the node; safe to call twice. */
  stop(): Promise<void>;
}

/** How long a network fetch may take when the caller's signal does not end it sooner. */
export const FETCH_TIMEOUT_MS = 60_000;

/** Starts the p2p layer: stores, libp2p, Helia, and the dial loop to configured peers. */
export async function createMirrorP2P(options: MirrorP2POptions): Promise<MirrorP2P> {
  const peers = parsePeers(options.peers ?? []);
  options.signal?.throwIfAborted();
  const node = await startBlockNode({
    dataDir: options.dataDir,
    listen: options.listen ?? DEFAULT_LISTEN,
    announce: parseAnnounced(options.announce ?? []),
    peers,
  });
  const { helia, libp2p } = node;
  const lifetime = new AbortController();
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    lifetime.abort();
    stopping ??= node.stop();
    return stopping;
  };
  if (options.signal?.aborted === true) {
    await stop();
    throw options.signal.reason;
  }
  options.signal?.addEventListener('abort', () => void stop(), {
    once: true,
    signal: lifetime.signal,
  });
  keepConnected(libp2p, peers, lifetime.signal);

  // A fetch ends when the caller says so, after FETCH_TIMEOUT_MS, or when the node stops.
  const fetchSignal = (o: CallOptions | undefined): AbortSignal =>
    AbortSignal.any([
      lifetime.signal,
      AbortSignal.timeout(FETCH_TIMEOUT_MS),
      ...(o?.signal ? [o.signal] : []),
    ]);
  const localSignal = (o: CallOptions | undefined): { signal?: AbortSignal } =>
    o?.signal === undefined ? {} : { signal: o.signal };

  return {
    peerId: libp2p.peerId.toString(),
    addresses: () => libp2p.getMultiaddrs().map((a) => a.toString()),
    connections: () =>
      libp2p.getConnections().map((c) => ({
        peer: c.remotePeer.toString(),
        address: c.remoteAddr.toString(),
        direction: c.direction,
      })),
    subscribe: (topic, handler) => subscribeTopic(libp2p.services.pubsub, topic, handler),
    publish: async (topic, data, o) => {
      o?.signal?.throwIfAborted();
      return publishTopic(libp2p.services.pubsub, topic, data);
    },
    topicPeers: (topic) => topicPeers(libp2p.services.pubsub, topic),
    putBlock: async (bytes, o) => {
      if (!(bytes instanceof Uint8Array)) throw new TypeError('"bytes" expected Uint8Array');
      const cid = blockCid(bytes);
      await helia.blockstore.put(cid, bytes, localSignal(o));
      return cid;
    },
    getBlock: async (cid, o) => {
      const key = asCid(cid);
      const signal = fetchSignal(o);
      const chunks: Uint8Array[] = [];
      try {
        for await (const chunk of helia.blockstore.get(key, { signal })) chunks.push(chunk);
      } catch (cause) {
        if (signal.aborted) throw o?.signal?.aborted === true ? o.signal.reason : signal.reason;
        throw new UndersignedError('FETCH_FAILED', `could not fetch block ${key.toString()}`, {
          cause,
        });
      }
      // One plain Uint8Array (not a Node Buffer view of a larger pool), whatever the store gave.
      const bytes =
        chunks.length === 1 && chunks[0] !== undefined
          ? Uint8Array.from(chunks[0])
          : concatBytes(...chunks);
      // Helia checks the hash of fetched blocks; this also covers the local blockstore.
      if (!checkBlock(key, bytes))
        throw new UndersignedError(
          'FETCH_FAILED',
          `block ${key.toString()} does not match its cid`
        );
      return bytes;
    },
    hasBlock: async (cid, o) => helia.blockstore.has(asCid(cid), localSignal(o)),
    putDirectory: async (entries, o) => putDirectory(helia.blockstore, entries, localSignal(o)),
    getDirectory: async (cid, o) => {
      const signal = fetchSignal(o);
      try {
        return await getDirectory(helia.blockstore, asCid(cid), { signal });
      } catch (e) {
        if (signal.aborted && o?.signal?.aborted === true) throw o.signal.reason;
        throw e;
      }
    },
    ping: async (peer, o) => libp2p.services.ping.ping(peerIdFromString(peer), localSignal(o)),
    serveSubmissions: (o) => handleSubmitProtocol(libp2p, o),
    stop,
  };
}
