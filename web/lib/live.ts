// Live updates over libp2p (docs/P2P.md, "Browsers"): the page joins its letter's gossip topic
// (docs/PROTOCOL.md §8.1) over WebSocket connections to the mirrors in use, and takes a
// checkpoint or cosignature message (§8.2) as a doorbell and nothing more: it then re-reads the
// checkpoints over HTTP and verifies as always (lib/verification.svelte.ts, recheck). Nothing in
// a message is trusted or shown; every message is 'ignore'd, so none is delivered or forwarded
// (gossipsub v1.1 extended validators), and the page never publishes.
//
// This module and libp2p load only when the user turns live updates on: a chunk of their own in
// the build, not among the scripts that show the letter and its count.
//
// Policy: a fresh random libp2p identity for each page load; no listening, no discovery, no DHT,
// no relay, no identify push of addresses (the page has none); the connection gater refuses any
// address but the ones lib/live-targets.ts chose, and the page's CSP (lib/csp.ts) allows
// WebSockets only to the mirrors' hosts.

import { gossipsub, TopicValidatorResult, type GossipSub } from '@libp2p/gossipsub';
import { identify } from '@libp2p/identify';
import { noise } from '@libp2p/noise';
import { webSockets } from '@libp2p/websockets';
import { yamux } from '@libp2p/yamux';
import type { Libp2p } from '@libp2p/interface';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import { TOPIC_GOSSIP } from '../../core/topic.ts';

/** The message types that ring (§8.2): a checkpoint (0x02) and a cosignature (0x03). */
const DOORBELL_TYPES = new Set([0x02, 0x03]);
/** How often mirrors that are not connected are dialed again. */
const REDIAL_MS = 15_000;

export type LiveOptions = {
  /** The multiaddrs to dial, each ending in /p2p/<peer id> (lib/live-targets.ts). */
  readonly targets: readonly string[];
  /** The letter's topic (core/topic.ts). */
  readonly topic: string;
  /** Called for each announcement heard: a new checkpoint may be out. */
  readonly onAnnouncement: () => void;
  /** Called with the number of mirrors connected, whenever it changes. */
  readonly onConnected: (mirrors: number) => void;
  /** Stops everything: connections closed, libp2p stopped. */
  readonly signal: AbortSignal;
};

/**
 * Starts listening; resolves once libp2p runs and the first dials were made. Rejects when
 * libp2p cannot start, and with `signal.reason` when aborted; libp2p is stopped either way.
 */
export async function startLive(options: LiveOptions): Promise<void> {
  const { topic, signal } = options;
  signal.throwIfAborted();
  const targets = options.targets.flatMap((t) => {
    try {
      return [multiaddr(t)];
    } catch {
      return []; // lib/live-targets.ts should have refused it; one bad address spoils no other
    }
  });
  const allowed = new Set(targets.flatMap((t) => [t.toString(), withoutPeer(t.toString())]));
  const peers = new Set(targets.map((t) => t.getComponents().at(-1)?.value ?? ''));
  const node = await createLibp2p({
    nodeInfo: { name: 'undersigned', version: '0', userAgent: 'undersigned' },
    addresses: { listen: [] },
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: {
      denyDialPeer: (peer) => !peers.has(peer.toString()),
      denyDialMultiaddr: (address) => !allowed.has(address.toString()),
      denyInboundConnection: () => true,
    },
    connectionMonitor: { enabled: false },
    peerDiscovery: [],
    peerRouters: [],
    contentRouters: [],
    services: {
      identify: identify(),
      pubsub: gossipsub(TOPIC_GOSSIP),
    },
  });
  let redial: ReturnType<typeof setInterval> | undefined;
  const stop = (): void => {
    clearInterval(redial);
    // Stopping a page's listener: an error then leaves nothing to do.
    Promise.resolve(node.stop()).catch(() => undefined);
  };
  if (signal.aborted) {
    stop();
    throw signal.reason;
  }
  signal.addEventListener('abort', stop, { once: true });
  try {
    const dialAll = joinTopic(node, targets, topic, options);
    redial = setInterval(() => void dialAll(), REDIAL_MS);
    await dialAll();
  } catch (e) {
    stop();
    throw e;
  }
}

/**
 * Joins `topic` as a listener and reports connections; returns the function that dials the
 * targets not connected.
 */
function joinTopic(
  node: Libp2p<{ pubsub: GossipSub }>,
  targets: readonly Multiaddr[],
  topic: string,
  options: LiveOptions
): () => Promise<void> {
  const { signal } = options;
  const { pubsub } = node.services;
  pubsub.topicValidators.set(topic, (_from, message) => {
    if (!signal.aborted && DOORBELL_TYPES.has(message.data[0] ?? -1)) options.onAnnouncement();
    return TopicValidatorResult.Ignore;
  });
  pubsub.subscribe(topic);
  const connected = (): number =>
    new Set(node.getConnections().map((c) => c.remotePeer.toString())).size;
  let last = -1;
  const report = (): void => {
    const now = connected();
    if (signal.aborted || now === last) return;
    last = now;
    options.onConnected(now);
  };
  node.addEventListener('connection:open', report);
  node.addEventListener('connection:close', report);
  const dialAll = async (): Promise<void> => {
    const open = new Set(node.getConnections().map((c) => c.remotePeer.toString()));
    await Promise.allSettled(
      targets
        .filter((t) => !open.has(t.getComponents().at(-1)?.value ?? ''))
        .map((t) => node.dial(t, { signal }))
    );
    report();
  };
  return dialAll;
}

/** `address` without its final /p2p/<peer id>. */
function withoutPeer(address: string): string {
  return address.replace(/\/p2p\/[^/]+$/, '');
}
