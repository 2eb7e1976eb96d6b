// A mirror on its letter's gossip topic (docs/PROTOCOL.md §8): what it publishes and how it
// handles what it receives.
//
// Publishes: each entry submitted to it over HTTP (0x01), once its batch committed, in batches
// after a random delay (Policy: 0.5–2.5 s, shuffled, so that timing and order point at neither
// the submitter nor the batch); its checkpoint (0x02) whenever it changes and again every
// announceMs (a node that joins later hears it then: the gossipsub seen cache is kept short,
// config.ts); its cosignatures of peer logs (0x03), with the checkpoint announcements.
//
// Receives: handlers only parse and check signatures (quick), return 'reject' for a malformed
// message, and leave the slow work (submitting, following) to run after they return.

import { randomInt } from 'node:crypto';
import { openCheckpoint } from '../../core/checkpoint.ts';
import { cosignatureVerifier } from '../../core/cosignature.ts';
import { checkEntry } from '../../core/entry-check.ts';
import type { Letter } from '../../core/letter.ts';
import { letterId, letterIdHex } from '../../core/letter.ts';
import { openNote } from '../../core/note.ts';
import { letterTopic } from '../../core/topic.ts';
import { KEY_TYPE_COSIGNATURE, KEY_TYPE_ED25519 } from '../../core/note-key.ts';
import { newVerifier } from '../../core/note.ts';
import { checkLogOrigin } from '../../core/origin.ts';
import type { Follows } from '../follow/follows.ts';
import type { MirrorP2P, Verdict } from '../p2p/mirror-p2p.ts';
import type { OwnCosignatures } from '../witness/own-cosignatures.ts';
import {
  formatCheckpointMessage,
  formatCosignatureMessage,
  formatEntryMessage,
  parseGossipMessage,
} from './messages.ts';

export type GossipOptions = {
  readonly p2p: MirrorP2P;
  readonly letter: Letter;
  readonly origin: string;
  readonly vkey: string;
  readonly witnessVkey: string;
  /** Our checkpoint with the cosignatures we hold. */
  readonly checkpoint: () => string;
  /** The CID of the directory of the tiles of our tree of that size (tile-blocks.ts). */
  readonly directory: (treeSize: number) => Promise<string>;
  readonly urls: () => readonly string[];
  readonly submit: (entry: Uint8Array) => Promise<unknown>;
  readonly follows: Follows;
  readonly cosignatures: OwnCosignatures;
  /** How often the checkpoint is announced again (default 10 s). */
  readonly announceMs?: number;
  readonly onError: (error: unknown) => void;
  readonly signal: AbortSignal;
};

/** A running gossip participant. */
export type Gossip = {
  /** Queues entries committed from HTTP submissions for publication. */
  entriesCommitted(entries: readonly Uint8Array[]): void;
  /** Publishes a cosigned note of a peer log. */
  publishCosigned(note: string): void;
};

/** Subscribes to the letter's topic and starts announcing. */
export function startGossip(o: GossipOptions): Gossip {
  const topic = letterTopic(letterIdHex(o.letter));
  const id = letterId(o.letter);
  const publish = (data: Uint8Array): void => {
    if (o.signal.aborted) return;
    o.p2p.publish(topic, data).catch((e: unknown) => {
      if (!o.signal.aborted) o.onError(e);
    });
  };
  const handle = (data: Uint8Array): Verdict | undefined => {
    let m;
    try {
      m = parseGossipMessage(data);
    } catch {
      return 'reject';
    }
    switch (m.type) {
      case 'entry': {
        if (!checkEntry(m.entry, id, o.letter.stampBits).ok) return 'reject';
        o.submit(m.entry).catch(() => undefined); // the sequencer checks the signature and dedups
        return undefined;
      }
      case 'checkpoint': {
        try {
          if (m.key.type !== KEY_TYPE_ED25519) return 'reject';
          checkLogOrigin(m.key.name, id, m.key.publicKey);
          openCheckpoint(m.note, [newVerifier(m.key)], m.key.name);
        } catch {
          return 'reject';
        }
        if (m.key.name !== o.origin) {
          o.follows.announce(m.vkey, m.urls, m.note).catch(o.onError);
        }
        return undefined;
      }
      case 'cosignature': {
        let origin: string;
        try {
          if (m.key.type !== KEY_TYPE_COSIGNATURE) return 'reject';
          openNote(m.note, [cosignatureVerifier(m.key)]);
          origin = m.note.slice(0, m.note.indexOf('\n'));
        } catch {
          return 'reject';
        }
        if (origin === o.origin) o.cosignatures.add(m.vkey, m.note, o.follows.witnessVkeys());
        return undefined;
      }
      default:
        return 'ignore';
    }
  };
  o.p2p.subscribe(topic, handle);

  let announced = '';
  let busy = false;
  const announce = async (force: boolean): Promise<void> => {
    o.cosignatures.retry(o.follows.witnessVkeys());
    const note = o.checkpoint();
    if (busy || (!force && note === announced)) return;
    busy = true;
    announced = note;
    try {
      let cid: string | undefined;
      try {
        cid = await o.directory(Number(note.split('\n')[1])); // the size the note signs
      } catch (e) {
        if (!o.signal.aborted) o.onError(e); // announce without a cid
      }
      publish(formatCheckpointMessage({ vkey: o.vkey, cid, urls: o.urls(), note }));
      if (!force) return;
      for (const c of o.follows.cosignedNotes())
        publish(formatCosignatureMessage({ vkey: o.witnessVkey, note: c }));
    } finally {
      busy = false;
    }
  };
  const watch = setInterval(() => {
    void announce(false);
  }, 250);
  const again = setInterval(() => {
    void announce(true);
  }, o.announceMs ?? 10_000);
  o.signal.addEventListener(
    'abort',
    () => {
      clearInterval(watch);
      clearInterval(again);
    },
    { once: true }
  );

  let queue: Uint8Array[] = [];
  let flush: NodeJS.Timeout | undefined;
  return {
    entriesCommitted(entries) {
      queue.push(...entries);
      flush ??= setTimeout(
        () => {
          const batch = queue;
          queue = [];
          flush = undefined;
          for (let i = batch.length - 1; i > 0; i--) {
            const j = randomInt(i + 1);
            [batch[i], batch[j]] = [batch[j] as Uint8Array, batch[i] as Uint8Array];
          }
          // With no neighbour on the topic there is nobody to tell: a peer that subscribes
          // later learns these entries from this log's checkpoints (REPLICATION.md).
          if (o.p2p.topicPeers(topic).length === 0) return;
          for (const entry of batch) publish(formatEntryMessage(entry));
        },
        500 + randomInt(2000)
      );
      flush.unref();
    },
    publishCosigned(note) {
      publish(formatCosignatureMessage({ vkey: o.witnessVkey, note }));
    },
  };
}
