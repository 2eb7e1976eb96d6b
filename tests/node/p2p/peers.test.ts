import fc from 'fast-check';
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { describe, expect, it } from 'vitest';
import { isUndersignedError } from '../../../core/errors.ts';
import { configuredOnlyGater, parsePeers, peerIdOf } from '../../../node/p2p/peers.ts';

const ID = '12D3KooWCeU1kUfEaDvUwh5k6m57TQSJUTJXoyFog6rHHSjQy8GD';
const OTHER = '12D3KooWK4LXNnpuPd8dyQgBHomAoLmuWEuvRpYPQa1sDkYzTsbj';
const TCP = `/ip4/127.0.0.1/tcp/4001/p2p/${ID}`;
const WS = `/ip4/127.0.0.1/tcp/4002/ws/p2p/${ID}`;

describe('parsePeers', () => {
  it('groups addresses by peer ID and drops repeats', () => {
    const peers = parsePeers([TCP, WS, TCP, `/dns4/mirror.example/tcp/4001/p2p/${OTHER}`]);
    expect([...peers.keys()]).toEqual([ID, OTHER]);
    expect(peers.get(ID)?.map(String)).toEqual([TCP, WS]);
    expect(peerIdOf(multiaddr(TCP))).toBe(ID);
    expect(peerIdOf(multiaddr('/ip4/127.0.0.1/tcp/1'))).toBeUndefined();
  });

  it('refuses addresses without a peer ID, relayed addresses and junk', () => {
    const refused = [
      '/ip4/127.0.0.1/tcp/4001',
      `/ip4/127.0.0.1/tcp/4001/p2p/${ID}/p2p-circuit/p2p/${OTHER}`,
      '/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWnot-a-peer-id',
      'not a multiaddr',
      `/ip4/1.2.3.4/tcp/1/p2p/${ID}`.padEnd(1100, '/'),
    ];
    for (const text of refused) expect(() => parsePeers([text])).toThrowCode('BAD_CONFIG');
    expect(() =>
      parsePeers(Array.from({ length: 257 }, (_, i) => `/ip4/127.0.0.1/tcp/${i + 1}/p2p/${ID}`))
    ).toThrowCode('BAD_CONFIG');
  });

  it('parses any list of strings or throws BAD_CONFIG', () => {
    const part = fc.constantFrom(
      '/ip4/127.0.0.1',
      '/tcp/1',
      '/ws',
      `/p2p/${ID}`,
      '/udp/2',
      '/webrtc-direct',
      '/x',
      '/',
      ''
    );
    const address = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.array(part, { maxLength: 5 }).map((parts) => parts.join(''))
    );
    fc.assert(
      fc.property(fc.array(address, { maxLength: 4 }), (list) => {
        try {
          for (const addresses of parsePeers(list).values())
            expect(addresses.length).toBeGreaterThan(0);
        } catch (e) {
          expect(isUndersignedError(e, 'BAD_CONFIG')).toBe(true);
        }
      })
    );
  });
});

describe('configuredOnlyGater', () => {
  const gater = configuredOnlyGater(
    parsePeers([TCP, `/dns4/mirror.example/tcp/4001/p2p/${OTHER}`]),
    'self'
  );

  it('denies dials to unconfigured peers and addresses', () => {
    expect(gater.denyDialPeer?.(peerIdFromString(ID))).toBe(false);
    expect(gater.denyDialMultiaddr?.(multiaddr(TCP))).toBe(false);
    expect(gater.denyDialMultiaddr?.(multiaddr(WS))).toBe(true); // announced, not configured
    expect(gater.denyDialMultiaddr?.(multiaddr('/ip4/127.0.0.1/tcp/4001'))).toBe(true); // no peer ID
    // A peer configured by DNS name may be dialed where the name resolves.
    expect(gater.denyDialMultiaddr?.(multiaddr(`/ip4/192.0.2.7/tcp/4001/p2p/${OTHER}`))).toBe(
      false
    );
  });

  it('keeps only configured addresses in the peer store', () => {
    expect(
      gater.filterMultiaddrForPeer?.(peerIdFromString(ID), multiaddr('/ip4/127.0.0.1/tcp/4001'))
    ).toBe(true);
    expect(
      gater.filterMultiaddrForPeer?.(peerIdFromString(ID), multiaddr('/ip4/127.0.0.1/tcp/4002/ws'))
    ).toBe(false);
  });
});
