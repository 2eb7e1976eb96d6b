import { describe, expect, it } from 'vitest';
import { liveChosen, liveTargets } from '../../web/lib/live-targets.ts';
import { memoryStore } from '../../web/lib/checkpoint-memory.ts';

const ID = '12D3KooWNFMrRCj9R6yqQc2pjAto8kznHLdXjGeVYqodyqJ7uveN';
const OTHER = '12D3KooWJVsZk1gfoxyA86mJ4ymHtxzgcmkaVwU8vxsc9LRcYuMb';

describe('the addresses a page dials for live updates', () => {
  it('keeps WebSockets at the mirror’s own host, with its peer ID', () => {
    const addresses = [
      `/ip4/127.0.0.1/tcp/33925/p2p/${ID}`, // TCP: browsers cannot dial it
      `/ip4/127.0.0.1/tcp/32965/ws/p2p/${ID}`,
      `/ip4/127.0.0.1/tcp/32966/ws`, // the peer ID is added
      `/ip4/127.0.0.1/udp/38907/webrtc-direct/certhash/uEiCQ/p2p/${ID}`,
      `/ip4/10.0.0.7/tcp/32965/ws/p2p/${ID}`, // another host
      `/ip4/127.0.0.1/tcp/32967/ws/p2p/${OTHER}`, // another peer
      `/ip4/127.0.0.1/tcp/32968/wss/p2p/${ID}`, // secure: not for an http mirror
      `/ip4/127.0.0.1/tcp/99999/ws/p2p/${ID}`, // no such port
      `/ip4/127.0.0.1/tcp/32969/ws/p2p/${ID}/p2p-circuit`, // relayed
      `/dns4/127.0.0.1/tcp/32970/ws/p2p/${ID}`, // an address is /ip4, not /dns
    ];
    expect(liveTargets('http://127.0.0.1:8470/', { peerId: ID, addresses })).toEqual([
      `/ip4/127.0.0.1/tcp/32965/ws/p2p/${ID}`,
      `/ip4/127.0.0.1/tcp/32966/ws/p2p/${ID}`,
    ]);
  });

  it('keeps only secure WebSockets for an https mirror, by name', () => {
    const addresses = [
      `/dns4/mirror.example/tcp/443/wss/p2p/${ID}`,
      `/dns4/mirror.example/tcp/4443/tls/ws/p2p/${ID}`,
      `/dns4/mirror.example/tcp/80/ws/p2p/${ID}`,
      `/dns4/other.example/tcp/443/wss/p2p/${ID}`,
      `/ip4/mirror.example/tcp/443/wss/p2p/${ID}`, // a name is /dns, not /ip4: would not parse
    ];
    expect(liveTargets('https://mirror.example/', { peerId: ID, addresses })).toEqual([
      `/dns4/mirror.example/tcp/443/wss/p2p/${ID}`,
      `/dns4/mirror.example/tcp/4443/tls/ws/p2p/${ID}`,
    ]);
  });

  it('dials nothing without a peer ID, or with one that is not base58', () => {
    const addresses = [`/ip4/127.0.0.1/tcp/32965/ws`];
    expect(liveTargets('http://127.0.0.1:8470/', { peerId: undefined, addresses })).toEqual([]);
    expect(liveTargets('http://127.0.0.1:8470/', { peerId: 'x/y', addresses })).toEqual([]);
  });
});

describe('whether live updates are on', () => {
  it('is off unless chosen, on this device or for this visit (#live=1)', () => {
    const store = memoryStore();
    expect(liveChosen(new URLSearchParams(''), store)).toBe(false);
    expect(liveChosen(new URLSearchParams(''), undefined)).toBe(false);
    expect(liveChosen(new URLSearchParams('live=1'), store)).toBe(true);
    store.setItem('undersigned/live', '1');
    expect(liveChosen(new URLSearchParams(''), store)).toBe(true);
    expect(liveChosen(new URLSearchParams('live=0'), store)).toBe(false);
  });
});
