// Configured peers: multiaddrs that end in /p2p/<peer id> (libp2p specs, addressing/README.md).
// Policy: these are the only peers this node ever dials, and only at these addresses (or what
// their /dns names resolve to). No discovery, no DHT, no relays, no addresses learned from
// other peers. Inbound connections are accepted from anyone.

import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { peerIdFromString } from '@libp2p/peer-id';
import type { ConnectionGater, PeerId } from '@libp2p/interface';
import { UndersignedError } from '../../core/errors.ts';

/** Configured peers by peer ID (its base58 text), each with its addresses. */
export type PeerList = ReadonlyMap<string, readonly Multiaddr[]>;

// Caps on configuration, so that a typo cannot make the node dial thousands of addresses.
const MAX_PEERS = 256;
const MAX_ADDRESS_LENGTH = 1024;
const DNS_PROTOCOLS = new Set(['dns', 'dns4', 'dns6', 'dnsaddr']);

/** Parses configured peer multiaddrs; each must name its peer with a final /p2p/<peer id>. */
export function parsePeers(addresses: readonly string[]): PeerList {
  if (!Array.isArray(addresses))
    throw new TypeError('"peers" expected an array of multiaddr strings');
  if (addresses.length > MAX_PEERS) {
    throw new UndersignedError(
      'BAD_CONFIG',
      `${addresses.length} peer addresses, at most ${MAX_PEERS}`
    );
  }
  const peers = new Map<string, Multiaddr[]>();
  for (const [i, text] of addresses.entries()) {
    const address = parsePeerAddress(text, i);
    const id = peerIdOf(address);
    if (id === undefined)
      throw new UndersignedError('BAD_CONFIG', `peer ${i} does not end in /p2p/<peer id>`);
    const list = peers.get(id) ?? [];
    if (!list.some((a) => a.equals(address))) list.push(address);
    peers.set(id, list);
  }
  return peers;
}

function parsePeerAddress(text: unknown, i: number): Multiaddr {
  if (typeof text !== 'string') throw new TypeError(`peer ${i} expected a multiaddr string`);
  const address = parseConfigured(text, `peer ${i}`);
  const components = address.getComponents();
  const last = components.at(-1);
  if (last?.name !== 'p2p' || last.value === undefined) return address;
  try {
    peerIdFromString(last.value);
  } catch (cause) {
    throw new UndersignedError('BAD_CONFIG', `peer ${i} has an invalid peer id`, { cause });
  }
  if (components.some((c) => c.name === 'p2p-circuit')) {
    throw new UndersignedError('BAD_CONFIG', `peer ${i} is a relayed address; relays are not used`);
  }
  return address;
}

/**
 * Checks the addresses a node announces instead of its listen ones (config.ts): at most
 * MAX_PEERS multiaddrs, with no /p2p/ part (libp2p adds this node's own). Throws BAD_CONFIG.
 */
export function parseAnnounced(addresses: readonly string[]): string[] {
  if (addresses.length > MAX_PEERS) {
    throw new UndersignedError(
      'BAD_CONFIG',
      `${addresses.length} announced addresses, at most ${MAX_PEERS}`
    );
  }
  return addresses.map((text, i) => {
    const address = parseConfigured(text, `announced address ${i}`);
    if (address.getComponents().some((c) => c.name === 'p2p')) {
      throw new UndersignedError(
        'BAD_CONFIG',
        `announced address ${i} names a peer: leave out /p2p/, the node adds its own`
      );
    }
    return address.toString();
  });
}

/** A configured multiaddr, `what` naming it in errors. Throws BAD_CONFIG. */
function parseConfigured(text: string, what: string): Multiaddr {
  if (text.length > MAX_ADDRESS_LENGTH) {
    throw new UndersignedError(
      'BAD_CONFIG',
      `${what} is longer than ${MAX_ADDRESS_LENGTH} characters`
    );
  }
  try {
    return multiaddr(text);
  } catch (cause) {
    throw new UndersignedError('BAD_CONFIG', `${what} is not a multiaddr`, { cause });
  }
}

/** The peer ID text in the final /p2p/ component of `address`, if any. */
export function peerIdOf(address: Multiaddr): string | undefined {
  const last = address.getComponents().at(-1);
  return last?.name === 'p2p' ? last.value : undefined;
}

/**
 * A connection gater that denies every dial except to a configured peer at one of its
 * configured addresses. A peer configured by a /dns name may be dialed at any address, since
 * the resolved address is what reaches the gater. The peer store keeps only configured
 * addresses (and the node's own), so addresses that peers announce (identify) are neither
 * stored nor dialed.
 */
export function configuredOnlyGater(peers: PeerList, self: string): ConnectionGater {
  const allowed = new Set<string>();
  const anyAddress = new Set<string>();
  for (const [id, addresses] of peers) {
    for (const address of addresses) {
      allowed.add(address.toString());
      if (address.getComponents().some((c) => DNS_PROTOCOLS.has(c.name))) anyAddress.add(id);
    }
  }
  const allowAddress = (address: Multiaddr): boolean => {
    const id = peerIdOf(address);
    return (
      id !== undefined && peers.has(id) && (anyAddress.has(id) || allowed.has(address.toString()))
    );
  };
  return {
    denyDialPeer: (peer: PeerId) => !peers.has(peer.toString()),
    denyDialMultiaddr: (address: Multiaddr) => !allowAddress(address),
    filterMultiaddrForPeer: (peer: PeerId, address: Multiaddr) =>
      peer.toString() === self ||
      allowAddress(
        peerIdOf(address) === undefined ? address.encapsulate(`/p2p/${peer.toString()}`) : address
      ),
  };
}
