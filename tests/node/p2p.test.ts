// Real libp2p + Helia nodes on loopback, in-process, with temporary data dirs (node/p2p/).
// Set UNDERSIGNED_P2P_TIMINGS=1 to print the measured times (docs/P2P.md quotes them).

import { lstat, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gossipsub, StrictSign, type GossipsubMessage } from '@libp2p/gossipsub';
import type { Libp2p } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr } from '@multiformats/multiaddr';
import { MemoryDatastore } from 'datastore-core';
import { createLibp2p } from 'libp2p';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { utf8Decode, utf8Encode } from '../../core/bytes.ts';
import { blockCid } from '../../node/p2p/cid.ts';
import {
  gossipOptions,
  libp2pOptions,
  WEBRTC_DIRECT_INIT,
  type P2PServices,
} from '../../node/p2p/config.ts';
import { loadOrCreatePeerKey, PEER_KEY_FILE } from '../../node/p2p/identity.ts';
import {
  createMirrorP2P,
  type MirrorP2P,
  type MirrorP2POptions,
} from '../../node/p2p/mirror-p2p.ts';
import { configuredOnlyGater, parseAnnounced, parsePeers } from '../../node/p2p/peers.ts';

const TOPIC = 'undersigned/test';
const nodes: { stop(): unknown }[] = [];
const dirs: string[] = [];
const timings: Record<string, number[]> = {};

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'undersigned-p2p-'));
  dirs.push(dir);
  return dir;
}

async function start(options: Partial<MirrorP2POptions> = {}): Promise<MirrorP2P> {
  const dataDir = options.dataDir ?? (await tempDir());
  const t0 = performance.now();
  const node = await createMirrorP2P({ dataDir, ...options });
  record('start', performance.now() - t0);
  nodes.push(node);
  return node;
}

// A bare libp2p node with the mirror's configuration, for looking at raw gossipsub events.
async function startRaw(peers: string[], signing = false): Promise<Libp2p<P2PServices>> {
  const dataDir = await tempDir();
  const options = libp2pOptions({
    privateKey: await loadOrCreatePeerKey(dataDir),
    datastore: new MemoryDatastore(),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    peers: parsePeers(peers),
  });
  if (signing && options.services !== undefined) {
    options.services.pubsub = gossipsub({ ...gossipOptions(), globalSignaturePolicy: StrictSign });
  }
  const node = await createLibp2p(options);
  nodes.push(node);
  await node.start();
  for (const peer of peers) await node.dial(multiaddr(peer));
  return node;
}

async function waitFor(
  what: string,
  predicate: () => boolean,
  timeoutMs = 10_000
): Promise<number> {
  const start = performance.now();
  while (!predicate()) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return performance.now() - start;
}

function inbox(
  node: MirrorP2P,
  handle?: (text: string) => 'reject' | undefined
): { text: string; from: string }[] {
  const received: { text: string; from: string }[] = [];
  node.subscribe(TOPIC, (data, from) => {
    const text = utf8Decode(data);
    received.push({ text, from });
    return handle?.(text);
  });
  return received;
}

function record(name: string, ms: number): void {
  (timings[name] ??= []).push(Math.round(ms * 10) / 10);
}

const tcpOf = (node: MirrorP2P): string =>
  node.addresses().find((a) => /\/tcp\/\d+\/p2p\//.test(a)) ?? '';
const certhashOf = (node: MirrorP2P): string | undefined =>
  /\/certhash\/([^/]+)/.exec(node.addresses().join(' '))?.[1];

afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => Promise.resolve(n.stop())));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

afterAll(() => {
  if (process.env['UNDERSIGNED_P2P_TIMINGS'] !== undefined)
    console.info(JSON.stringify(timings, null, 1));
});

describe('two nodes', () => {
  it('connect through configured peers and gossip both ways', async () => {
    const a = await start();
    const b = await start({ peers: a.addresses() });
    const atA = inbox(a);
    const atB = inbox(b);
    record(
      'connect (B configured with all of A addresses)',
      await waitFor('connection', () => b.connections().length > 0)
    );
    await waitFor(
      'subscriptions',
      () => a.topicPeers(TOPIC).includes(b.peerId) && b.topicPeers(TOPIC).includes(a.peerId)
    );

    expect(await b.publish(TOPIC, utf8Encode('from b'))).toBe(1);
    expect(await a.publish(TOPIC, utf8Encode('from a'))).toBe(1);
    record('gossip one hop', await waitFor('messages', () => atA.length === 1 && atB.length === 1));
    expect(atA).toEqual([{ text: 'from b', from: b.peerId }]);
    expect(atB).toEqual([{ text: 'from a', from: a.peerId }]);
    // The same bytes again are one message (ID = SHA-256(data)): not sent twice.
    expect(await a.publish(TOPIC, utf8Encode('from a'))).toBe(0);
    record('ping', await b.ping(a.peerId));
  });

  it('connect over each transport: tcp, ws, webrtc-direct', async () => {
    const a = await start();
    for (const transport of ['/tcp/', '/ws/', '/webrtc-direct/']) {
      const address = a
        .addresses()
        .find((x) => x.includes(transport) && (transport !== '/tcp/' || !x.includes('/ws/')));
      expect(address).toBeDefined();
      const b = await start({ peers: [address ?? ''] });
      record(`connect ${transport}`, await waitFor(transport, () => b.connections().length > 0));
      expect(b.connections()[0]?.address).toContain(transport);
      record(`ping ${transport}`, await b.ping(a.peerId));
    }
  });

  it('send gossip without from, seqno, signature or key, and refuse signed gossip', async () => {
    const a = await start();
    const atA = inbox(a);
    const observer = await startRaw([tcpOf(a)]);
    const raw: GossipsubMessage[] = [];
    observer.services.pubsub.addEventListener('gossipsub:message', (e) => raw.push(e.detail));
    observer.services.pubsub.subscribe(TOPIC);
    // Both ways: the observer knowing A's subscription means A's outbound stream is open.
    await waitFor(
      'subscriptions',
      () =>
        a.topicPeers(TOPIC).includes(observer.peerId.toString()) &&
        observer.services.pubsub.getSubscribers(TOPIC).length === 1
    );

    expect(await a.publish(TOPIC, utf8Encode('unsigned'))).toBe(1);
    await waitFor('raw message', () => raw.length === 1);
    expect(raw[0]?.msg.type).toBe('unsigned');
    expect(Object.keys(raw[0]?.msg ?? {}).sort()).toEqual(['data', 'topic', 'type']);
    expect(raw[0]?.propagationSource.toString()).toBe(a.peerId); // the neighbour, seen anyway
    // What identify tells a neighbour about the software: the name only.
    const seen = await observer.peerStore.get(peerIdFromString(a.peerId));
    expect(utf8Decode(seen.metadata.get('AgentVersion') ?? new Uint8Array())).toBe('undersigned');

    // A StrictSign publisher's messages carry from/seqno/signature: the node drops them.
    const signer = await startRaw([tcpOf(a)], true);
    signer.services.pubsub.subscribe(TOPIC);
    await waitFor('signer subscription', () =>
      a.topicPeers(TOPIC).includes(signer.peerId.toString())
    );
    await waitFor('signer sees a', () => signer.services.pubsub.getSubscribers(TOPIC).length > 0);
    await signer.services.pubsub.publish(TOPIC, utf8Encode('signed'));
    await observer.services.pubsub.publish(TOPIC, utf8Encode('unsigned from observer'));
    await waitFor('unsigned message', () => atA.some((m) => m.text === 'unsigned from observer'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(atA.map((m) => m.text)).toEqual(['unsigned from observer']);
  });
});

describe('blocks', () => {
  it('are fetched over bitswap, and a missing block ends with the signal', async () => {
    const a = await start();
    const b = await start({ peers: [tcpOf(a)] });
    await waitFor('connection', () => b.connections().length > 0);

    const bytes = crypto.getRandomValues(new Uint8Array(8192));
    const cid = await a.putBlock(bytes);
    expect(cid.toString()).toBe(blockCid(bytes).toString());
    expect(cid.toString().startsWith('bafkrei')).toBe(true); // CIDv1, raw, sha2-256
    expect(await b.hasBlock(cid)).toBe(false);
    const t0 = performance.now();
    expect(await b.getBlock(cid, { signal: AbortSignal.timeout(5000) })).toEqual(bytes);
    record('bitswap fetch 8 KiB', performance.now() - t0);
    expect(await b.hasBlock(cid.toString())).toBe(true);

    const missing = blockCid(utf8Encode('never stored'));
    const t1 = performance.now();
    await expect(b.getBlock(missing, { signal: AbortSignal.timeout(300) })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    expect(performance.now() - t1).toBeLessThan(3000);
    const controller = new AbortController();
    const pending = b.getBlock(missing, { signal: controller.signal });
    controller.abort(new Error('caller gave up'));
    await expect(pending).rejects.toThrow('caller gave up');
    await expect(b.getBlock('bafy-not-a-cid')).toRejectWithCode('MALFORMED_CID');
  });

  it('form UnixFS directories that another node lists over bitswap', async () => {
    const a = await start();
    const b = await start({ peers: [tcpOf(a)] });
    const paths = [
      'tile/0/000',
      'tile/0/001.p/7',
      'tile/1/000.p/1',
      'tile/entries/000',
      'tile/0/x001/234',
    ];
    const entries = await Promise.all(
      paths.map(async (path) => ({ path, cid: await a.putBlock(utf8Encode(path)) }))
    );
    const [first] = entries;
    if (first === undefined) throw new Error('no entries');
    const root = await a.putDirectory(entries);
    expect(root.code).toBe(0x70); // dag-pb
    expect((await a.putDirectory([...entries].reverse())).equals(root)).toBe(true);
    await expect(a.putDirectory([...entries, first])).rejects.toThrow(RangeError);
    await expect(a.putDirectory([{ path: '../x', cid: first.cid }])).rejects.toThrow(RangeError);
    await expect(a.putDirectory([{ path: 'tile', cid: first.cid }, first])).rejects.toThrow(
      RangeError
    );
    await expect(
      a.putDirectory([{ path: 'x', cid: blockCid(utf8Encode('absent')) }])
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });

    await waitFor('connection', () => b.connections().length > 0);
    const listed = await b.getDirectory(root, { signal: AbortSignal.timeout(5000) });
    const byPath = (x: { path: string }, y: { path: string }): number => (x.path < y.path ? -1 : 1);
    expect(listed.map((e) => [e.path, e.cid.toString()])).toEqual(
      [...entries].sort(byPath).map((e) => [e.path, e.cid.toString()])
    );
    await expect(b.getDirectory(first.cid, { signal: AbortSignal.timeout(5000) })).toRejectWithCode(
      'MALFORMED_DIRECTORY'
    );
  });
});

describe('restart', () => {
  it('keeps the peer ID, the WebRTC-Direct certhash and the blocks; peers reconnect', async () => {
    const dataDir = await tempDir();
    const first = await start({ dataDir });
    const addresses = first.addresses();
    const certhash = certhashOf(first);
    const webrtc = addresses.find((x) => x.includes('/webrtc-direct/')) ?? '';
    const cid = await first.putBlock(utf8Encode('kept'));
    expect(certhash).toMatch(/^u[A-Za-z0-9_-]{40,}$/);
    expect((await lstat(join(dataDir, PEER_KEY_FILE))).mode % 0o1000).toBe(0o600);
    expect((await lstat(dataDir)).mode % 0o1000).toBe(0o700);
    // B knows A by its TCP address and by its WebRTC-Direct address (with the certhash).
    const b = await start({ peers: [tcpOf(first), webrtc] });
    await waitFor('first connection', () => b.connections().length > 0);
    // The peer store (B's record, with its addresses) never reaches the disk: not while
    // connected, not after stopping.
    inbox(first);
    inbox(b);
    await waitFor('identify and subscriptions', () => first.topicPeers(TOPIC).includes(b.peerId));
    const peerRecords = (): Promise<string[]> =>
      readdir(join(dataDir, 'datastore', 'peers')).catch(() => []);
    expect(await peerRecords()).toEqual([]);
    await first.stop();
    await waitFor('disconnection', () => b.connections().length === 0);
    expect(await peerRecords()).toEqual([]);

    // The same TCP ports; a new UDP port (see the known limit in node/p2p/helia.ts).
    const listen = addresses.map((x) =>
      x.includes('/webrtc-direct/')
        ? '/ip4/127.0.0.1/udp/0/webrtc-direct'
        : x.replace(/\/p2p\/.*$/, '')
    );
    const t0 = performance.now();
    const second = await start({ dataDir, listen });
    record('restart', performance.now() - t0);
    expect(second.peerId).toBe(first.peerId);
    expect(certhashOf(second)).toBe(certhash);
    expect(await second.getBlock(cid, { signal: AbortSignal.timeout(1000) })).toEqual(
      utf8Encode('kept')
    );
    record(
      'reconnect after restart',
      await waitFor('reconnection', () => b.connections().length > 0, 15_000)
    );
    // A new peer reaches the restarted node over WebRTC-Direct with the old certhash.
    const c = await start({
      peers: [second.addresses().find((x) => x.includes(`/certhash/${certhash ?? ''}/`)) ?? ''],
    });
    await waitFor('webrtc-direct connection', () => c.connections().length > 0);
    expect(c.connections()[0]?.address).toContain('/webrtc-direct/');
  });
});

describe('lifetime', () => {
  it('stops when the signal aborts, and does not start with an aborted signal', async () => {
    const controller = new AbortController();
    const a = await start({ signal: controller.signal });
    expect(a.addresses().length).toBe(3);
    controller.abort();
    await waitFor('stop', () => a.addresses().length === 0);
    await expect(start({ signal: AbortSignal.abort(new Error('no')) })).rejects.toThrow('no');
  });
});

describe('three nodes in a line A-B-C', () => {
  it('relay a message from A to C through B, and B drops what it rejects', async () => {
    const a = await start();
    const b = await start({ peers: [tcpOf(a)] });
    const c = await start({ peers: [tcpOf(b)] });
    inbox(a);
    inbox(b, (text) => (text.startsWith('x') ? 'reject' : undefined));
    const atC = inbox(c);
    await waitFor(
      'line',
      () => b.topicPeers(TOPIC).length === 2 && c.topicPeers(TOPIC).length === 1
    );
    expect(c.connections().map((x) => x.peer)).toEqual([b.peerId]);

    // B forwards only to its mesh, which forms at gossipsub heartbeats (1 s).
    const t0 = performance.now();
    for (let i = 0; !atC.some((m) => m.text.startsWith('probe')); i++) {
      await a.publish(TOPIC, utf8Encode(`probe ${i}`));
      await waitFor('probe', () => atC.length > 0, 300).catch(() => undefined);
      if (performance.now() - t0 > 10_000) throw new Error('mesh did not form');
    }
    await a.publish(TOPIC, utf8Encode('x rejected by b'));
    const t1 = performance.now();
    await a.publish(TOPIC, utf8Encode('two hops'));
    await waitFor('two hops', () => atC.some((m) => m.text === 'two hops'));
    record('gossip two hops', performance.now() - t1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(atC.every((m) => m.from === b.peerId)).toBe(true);
    expect(atC.some((m) => m.text.startsWith('x'))).toBe(false);
  });
});

describe('announced addresses', () => {
  it('replace the listen addresses in what the node reports, which still listens', async () => {
    const a = await start({
      listen: ['/ip4/127.0.0.1/tcp/0/ws'],
      announce: ['/dns4/mirror.example/tcp/443/wss'],
    });
    expect(a.addresses()).toEqual([`/dns4/mirror.example/tcp/443/wss/p2p/${a.peerId}`]);
    expect((await listeningSockets()).length).toBeGreaterThan(0);
  });

  it('are refused when they are not multiaddrs or name a peer', () => {
    expect(() => parseAnnounced(['not an address'])).toThrow(/announced address 0/);
    expect(() =>
      parseAnnounced([
        '/ip4/1.2.3.4/tcp/1/ws/p2p/12D3KooWNFMrRCj9R6yqQc2pjAto8kznHLdXjGeVYqodyqJ7uveN',
      ])
    ).toThrow(/names a peer/);
    expect(parseAnnounced(['/dns4/mirror.example/tcp/443/wss'])).toEqual([
      '/dns4/mirror.example/tcp/443/wss',
    ]);
  });
});

describe('privacy defaults', () => {
  it('configure no discovery, routing, relay or public STUN', async () => {
    const dataDir = await tempDir();
    const options = libp2pOptions({
      privateKey: await loadOrCreatePeerKey(dataDir),
      datastore: new MemoryDatastore(),
      listen: [],
      peers: parsePeers([]),
    });
    expect(Object.keys(options.services ?? {}).sort()).toEqual([
      'identify',
      'keychain',
      'ping',
      'pubsub',
    ]);
    expect(options.peerDiscovery).toEqual([]);
    expect(options.peerRouters).toEqual([]);
    expect(options.contentRouters).toEqual([]);
    expect(options.nodeInfo?.userAgent).toBe('undersigned');
    expect(WEBRTC_DIRECT_INIT.rtcConfiguration).toEqual({ iceServers: [] });
    expect(gossipOptions()).toMatchObject({
      globalSignaturePolicy: 'StrictNoSign',
      floodPublish: false,
      fallbackToFloodsub: false,
    });
    const message = { type: 'unsigned', topic: 't', data: utf8Encode('d') } as const;
    const other = { ...message, topic: 'u' };
    expect(await gossipOptions().msgIdFn?.(message)).toEqual(
      await gossipOptions().msgIdFn?.(other)
    );
  });

  it('listen on loopback only, dial nobody unconfigured, and stay alone with no peers', async () => {
    const a = await start();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(a.connections()).toEqual([]);
    for (const address of a.addresses()) expect(address.startsWith('/ip4/127.0.0.1/')).toBe(true);
    const ports = a.addresses().map((x) => Number(/\/(?:tcp|udp)\/(\d+)/.exec(x)?.[1]));
    const sockets = await listeningSockets();
    for (const port of ports) {
      const bound = sockets.filter((s) => s.port === port);
      expect(bound.length).toBeGreaterThan(0);
      expect(bound.every((s) => s.host === '0100007F')).toBe(true);
    }

    // C (a bare node) dials A and hangs up; A knows C's addresses from identify but must not
    // dial them: C is not among A's configured peers.
    const c = await startRaw([tcpOf(a)]);
    await waitFor('inbound connection', () => a.connections().length === 1);
    expect(await a.ping(c.peerId.toString())).toBeGreaterThanOrEqual(0);
    await c.hangUp(multiaddr(tcpOf(a)));
    await waitFor('hang-up', () => a.connections().length === 0);
    await expect(
      a.ping(c.peerId.toString(), { signal: AbortSignal.timeout(2000) })
    ).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(a.connections()).toEqual([]);

    const gater = configuredOnlyGater(parsePeers([tcpOf(a)]), 'self');
    expect(gater.denyDialMultiaddr?.(multiaddr(tcpOf(a)))).toBe(false);
    expect(gater.denyDialMultiaddr?.(multiaddr(tcpOf(a).replace('127.0.0.1', '127.0.0.2')))).toBe(
      true
    );
  });
});

// Sockets from /proc/net/{tcp,tcp6,udp,udp6}: listening TCP (state 0A) and bound UDP (07).
async function listeningSockets(): Promise<{ host: string; port: number }[]> {
  const out: { host: string; port: number }[] = [];
  for (const [file, state] of [
    ['tcp', '0A'],
    ['tcp6', '0A'],
    ['udp', '07'],
    ['udp6', '07'],
  ] as const) {
    const text = await readFile(`/proc/net/${file}`, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [host, port] = (fields[1] ?? '').split(':');
      if (fields[3] === state && host !== undefined && port !== undefined)
        out.push({ host, port: parseInt(port, 16) });
    }
  }
  return out;
}
