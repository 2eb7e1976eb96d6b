// The gossipsub topic on which a letter's mirrors meet (docs/PROTOCOL.md §8.1), and the settings
// everyone on it uses, shared by the mirrors (node/p2p/config.ts, node/gossip/) and the web
// client's live updates (web/lib/live.ts).

import { sha256 } from './hash.ts';

/** The largest message published or accepted on a topic. Policy: entries and checkpoints are small. */
export const MAX_TOPIC_MESSAGE_BYTES = 64 * 1024;

/**
 * The gossipsub settings of every participant, mirror or reader, as plain values (core needs no
 * libp2p). Policy: StrictNoSign (messages carry no from, seqno, signature or key, §8.1),
 * floodPublish off (an originator sends only to its mesh, not to every topic peer at once), no
 * peer exchange, and message ID = SHA-256(data), so identical bytes are one message network-wide.
 */
export const TOPIC_GOSSIP = {
  globalSignaturePolicy: 'StrictNoSign',
  floodPublish: false,
  fallbackToFloodsub: false,
  doPX: false,
  emitSelf: false,
  msgIdFn: (message: { readonly data: Uint8Array }): Uint8Array => sha256(message.data),
  maxInboundDataLength: MAX_TOPIC_MESSAGE_BYTES + 1024, // one message plus its RPC framing
} as const;

/** The topic of the letter whose ID is `letterIdHex` (64 lowercase hex digits), §8.1. */
export function letterTopic(letterIdHex: string): string {
  if (!/^[0-9a-f]{64}$/.test(letterIdHex)) {
    throw new RangeError('"letterIdHex" expected 64 lowercase hex digits');
  }
  return `undersigned/1/${letterIdHex}`;
}
