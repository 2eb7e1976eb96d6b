// The explicit libp2p configuration of a mirror node (js-libp2p 3, doc/CONFIGURATION.md;
// gossipsub v1.1, libp2p specs pubsub/gossipsub). Every module is listed here; nothing comes
// from defaults that reach the outside. See docs/P2P.md for what each choice reveals.
//
// Policy, by omission: no bootstrap list, no DHT, no delegated routing, no mDNS, no UPnP, no
// AutoTLS, no autoNAT, no circuit relay (client or server), no floodsub fallback, no public
// STUN servers. Peers come only from configuration (peers.ts).

import { gossipsub, type GossipSub, type GossipsubOpts } from '@libp2p/gossipsub';
import { identify, type Identify } from '@libp2p/identify';
import type { Keychain } from '@libp2p/keychain';
import type { PrivateKey } from '@libp2p/interface';
import { noise } from '@libp2p/noise';
import { ping, type Ping } from '@libp2p/ping';
import { tcp } from '@libp2p/tcp';
import { webRTCDirect, type WebRTCTransportDirectInit } from '@libp2p/webrtc';
import { webSockets } from '@libp2p/websockets';
import { yamux } from '@libp2p/yamux';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import type { Libp2pOptions } from 'libp2p';
import { TOPIC_GOSSIP } from '../../core/topic.ts';
import { certificateKeychain } from './identity.ts';
import { configuredOnlyGater, type PeerList } from './peers.ts';

/**
 * Default listen addresses: TCP and WebSockets for nodes, WebRTC-Direct for browsers.
 * Policy: loopback only; operators opt in to public interfaces.
 */
export const DEFAULT_LISTEN: readonly string[] = [
  '/ip4/127.0.0.1/tcp/0',
  '/ip4/127.0.0.1/tcp/0/ws',
  '/ip4/127.0.0.1/udp/0/webrtc-direct',
];

/** The identify agentVersion. Policy: the project's name, no version, no platform. */
export const AGENT = 'undersigned';

/** The services of a mirror node's libp2p. */
export interface P2PServices extends Record<string, unknown> {
  identify: Identify;
  ping: Ping;
  pubsub: GossipSub;
  keychain: Keychain;
}

/**
 * WebRTC-Direct options. Policy: no ICE servers. @libp2p/webrtc otherwise asks public STUN
 * servers (Google, Twilio, Cloudflare, Mozilla) on every connection, telling them our IP.
 * WebRTC-Direct needs none: the listener's address and certhash are in its multiaddr.
 */
export const WEBRTC_DIRECT_INIT: WebRTCTransportDirectInit = {
  rtcConfiguration: { iceServers: [] },
};

/** Gossipsub options: the topic's settings (core/topic.ts), and a mirror's own. */
export function gossipOptions(): Partial<GossipsubOpts> {
  return {
    ...TOPIC_GOSSIP,
    ignoreDuplicatePublishError: true,
    // Policy: a short seen cache (5 s, longer than gossip's 3 s IHAVE window), so that a mirror
    // can announce the same checkpoint again for peers that joined since (node/gossip/gossip.ts).
    seenTTL: 5_000,
  };
}

/** What libp2pOptions needs. */
export interface Libp2pConfig {
  privateKey: PrivateKey;
  datastore: NonNullable<Libp2pOptions['datastore']>;
  listen: readonly string[];
  /**
   * Addresses announced instead of the listen addresses (identify, /info): a public name behind
   * a proxy, such as /dns4/mirror.example/tcp/8443/wss. None: the listen addresses.
   */
  announce?: readonly string[];
  peers: PeerList;
}

/** The complete libp2p options of a mirror node (not started: the caller starts it). */
export function libp2pOptions(config: Libp2pConfig): Libp2pOptions<P2PServices> {
  return {
    start: false,
    privateKey: config.privateKey,
    datastore: config.datastore,
    nodeInfo: { name: AGENT, version: '0', userAgent: AGENT },
    addresses: {
      listen: [...config.listen],
      ...(config.announce !== undefined && config.announce.length > 0
        ? { announce: [...config.announce] }
        : {}),
    },
    transports: [tcp(), webSockets(), webRTCDirect(WEBRTC_DIRECT_INIT)],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: configuredOnlyGater(
      config.peers,
      peerIdFromPrivateKey(config.privateKey).toString()
    ),
    peerDiscovery: [],
    peerRouters: [],
    contentRouters: [],
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub(gossipOptions()),
      keychain: certificateKeychain(),
    },
  };
}
