// Topics over gossipsub (libp2p specs, pubsub/gossipsub/gossipsub-v1.1.md), configured in
// config.ts: unsigned messages, no flood publishing, message ID = SHA-256(data).
//
// A topic's handler is also its validator (gossipsub v1.1 "extended validators"): it sees each
// new message once, before the message is forwarded, and its verdict decides whether it is.

import { TopicValidatorResult, type GossipSub, type Message } from '@libp2p/gossipsub';
import type { PeerId } from '@libp2p/interface';
import { MAX_TOPIC_MESSAGE_BYTES } from '../../core/topic.ts';

/**
 * What a handler decides about a message: 'accept' delivers and forwards it; 'ignore' drops
 * it; 'reject' drops it and counts against the peer that sent it (gossipsub peer scoring).
 * Returning nothing accepts.
 */
export type Verdict = 'accept' | 'ignore' | 'reject';

/**
 * Receives a message's data and the peer ID of the neighbour that relayed it. That neighbour
 * is not necessarily the author: messages carry no author.
 */
export type MessageHandler = (
  data: Uint8Array,
  from: string
) => Verdict | undefined | Promise<Verdict | undefined>;

const RESULTS = {
  accept: TopicValidatorResult.Accept,
  ignore: TopicValidatorResult.Ignore,
  reject: TopicValidatorResult.Reject,
} as const;

/** Subscribes `handler` to `topic` (one handler per topic); returns the unsubscribe function. */
export function subscribeTopic(
  pubsub: GossipSub,
  topic: string,
  handler: MessageHandler
): () => void {
  checkTopic(topic);
  if (typeof handler !== 'function') throw new TypeError('"handler" expected a function');
  if (pubsub.topicValidators.has(topic)) throw new RangeError(`already subscribed to "${topic}"`);
  const validator = async (from: PeerId, message: Message): Promise<TopicValidatorResult> => {
    try {
      return RESULTS[(await handler(message.data, from.toString())) ?? 'accept'];
    } catch {
      // Policy: a handler that throws has a bug of ours, not the peer's: drop, do not penalize.
      return TopicValidatorResult.Ignore;
    }
  };
  pubsub.topicValidators.set(topic, validator);
  pubsub.subscribe(topic);
  return () => {
    if (pubsub.topicValidators.get(topic) !== validator) return;
    pubsub.unsubscribe(topic);
    pubsub.topicValidators.delete(topic);
  };
}

/**
 * Publishes `data` on `topic`; returns how many neighbours it was sent to. 0 means nothing was
 * sent now: either no neighbour is subscribed (nothing is recorded, so the same bytes may be
 * published again later), or the same bytes were seen within the seen cache's lifetime
 * (gossipsub's seen cache, 5 s: config.ts), or the streams to subscribed neighbours are still opening (the bytes are then
 * in the seen cache: publish other bytes, or wait until each neighbour lists this node as
 * subscribed too). A neighbour appears in topicPeers once it has told us its subscriptions.
 */
export async function publishTopic(
  pubsub: GossipSub,
  topic: string,
  data: Uint8Array
): Promise<number> {
  checkTopic(topic);
  if (!(data instanceof Uint8Array)) throw new TypeError('"data" expected Uint8Array');
  if (data.length > MAX_TOPIC_MESSAGE_BYTES)
    throw new RangeError(`"data" is ${data.length} bytes, at most ${MAX_TOPIC_MESSAGE_BYTES}`);
  try {
    return (await pubsub.publish(topic, data)).recipients.length;
  } catch (e) {
    // Thrown before the message enters the seen cache, so a later publish is not a duplicate.
    if (e instanceof Error && e.message === 'PublishError.NoPeersSubscribedToTopic') return 0;
    throw e;
  }
}

/** The peer IDs of neighbours subscribed to `topic`. */
export function topicPeers(pubsub: GossipSub, topic: string): string[] {
  checkTopic(topic);
  return pubsub.getSubscribers(topic).map((peer) => peer.toString());
}

function checkTopic(topic: string): void {
  if (typeof topic !== 'string' || topic.length === 0 || topic.length > 256) {
    throw new TypeError('"topic" expected a string of 1 to 256 characters');
  }
}
