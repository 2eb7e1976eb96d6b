// Helia 7 with a persistent blockstore and datastore and bitswap (ipfs/specs, BITSWAP.md) as
// its only block broker, over the libp2p node of config.ts. No routers: blocks are asked of
// connected peers only, never of a DHT, a delegated router or a public gateway.
//
// Storage, under the data directory (created 0700 by identity.ts):
//   blocks/     blockstore-fs: one file per block. Durability: each block is written to a
//               temporary file and renamed (steno), without fsync: after a power loss the
//               latest blocks may be missing, never torn. The log keeps its own durable tiles.
//   datastore/  datastore-fs: Helia's metadata, the WebRTC-Direct certificate and its key
//               (identity.ts). Not libp2p's peer store: /peers/... is mounted in memory, so
//               the peers a node meets (their addresses among them) never reach the disk.
//   peer-key    the libp2p private key (identity.ts).

import { join } from 'node:path';
import { withBitswap } from '@helia/bitswap';
import type { Libp2p } from '@libp2p/interface';
import { FsBlockstore } from 'blockstore-fs';
import { MemoryDatastore, MountDatastore } from 'datastore-core';
import { FsDatastore } from 'datastore-fs';
import { Key } from 'interface-datastore';
import { createHeliaLight, type Helia } from 'helia';
import { createLibp2p } from 'libp2p';
import { libp2pOptions, type P2PServices } from './config.ts';
import { loadOrCreatePeerKey, openDataDir } from './identity.ts';
import type { PeerList } from './peers.ts';

/** A started Helia node and the libp2p node under it. */
export interface BlockNode {
  helia: Helia;
  libp2p: Libp2p<P2PServices>;
  /** Stops Helia and libp2p and closes the stores. */
  stop(): Promise<void>;
}

/** What startBlockNode needs. */
export interface BlockNodeConfig {
  dataDir: string;
  listen: readonly string[];
  /** Addresses announced instead of the listen addresses (config.ts). */
  announce?: readonly string[];
  peers: PeerList;
}

/** Opens the stores under `dataDir`, then starts libp2p and Helia with bitswap. */
export async function startBlockNode(config: BlockNodeConfig): Promise<BlockNode> {
  await openDataDir(config.dataDir);
  const privateKey = await loadOrCreatePeerKey(config.dataDir);
  const files = new FsDatastore(join(config.dataDir, 'datastore'));
  const blockstore = new FsBlockstore(join(config.dataDir, 'blocks'));
  await files.open();
  await blockstore.open();
  await forgetPeers(files); // records written by versions that kept them on disk
  const datastore = new MountDatastore([
    { prefix: PEERS, datastore: new MemoryDatastore() },
    { prefix: new Key('/'), datastore: files },
  ]);

  const libp2p = await createLibp2p(
    libp2pOptions({
      privateKey,
      datastore,
      listen: config.listen,
      ...(config.announce === undefined ? {} : { announce: config.announce }),
      peers: config.peers,
    })
  );
  // Helia 7 composes features as mixins: bitswap reads `helia.libp2p`, which @helia/libp2p
  // would create from its own (phoning-home) defaults. We hand it ours instead.
  const helia = withBitswap(
    Object.assign(createHeliaLight({ blockstore, datastore, routers: [], blockBrokers: [] }), {
      libp2p,
    })
  );

  // Known limit (node-datachannel 0.33.4): the WebRTC-Direct UDP socket is released by a
  // native thread after stop() returns. Starting again on the same UDP port in the same
  // process can fail ("Failed to register ICE UDP mux listener"), after which @libp2p/webrtc
  // keeps that port marked as taken; waiting for the port and binding it again crashed the
  // process (a stale native thread). Restart the process, or listen on another UDP port.
  const stop = async (): Promise<void> => {
    await helia.stop();
    await libp2p.stop();
    await blockstore.close();
    await files.close();
  };
  try {
    await libp2p.start();
    await helia.start();
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
  return { helia, libp2p, stop };
}

/**
 * libp2p's peer store, kept in memory only. Policy: the peers a node met (peer IDs,
 * addresses, protocols, topics, dial times) are not written down, so a seized disk holds
 * less than a running node knows. Configured peers come back from configuration.
 */
const PEERS = new Key('/peers');

/** Deletes peer store records (/peers/...) from the data directory's datastore. */
async function forgetPeers(datastore: FsDatastore): Promise<void> {
  await drain(datastore.deleteMany(datastore.queryKeys({ prefix: PEERS.toString() })));
}

async function drain(source: AsyncIterable<unknown> | Iterable<unknown>): Promise<void> {
  const iterator =
    Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
  while ((await iterator.next()).done !== true) {
    // consume
  }
}
