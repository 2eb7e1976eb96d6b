// The peer logs a mirror follows (DESIGN.md "Logs", docs/PROTOCOL.md §6.6 /logs/): one
// Follower each, made when a log of our letter is first announced (gossip 0x02) or configured
// (--follow URL), kept across restarts (follow-store.ts), and polled over HTTP every few
// seconds, with backoff while its URLs fail, so that a node that was away catches up.
//
// Policy: a log is followed only if its origin names our letter and the key of its vkey
// (checkLogOrigin); at most MAX_FOLLOWS logs; the witness vkey of a log's mirror is learned from
// its /info and is what our own checkpoints' cosignatures are checked against.

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { utf8Decode } from '../../core/bytes.ts';
import { UndersignedError } from '../../core/errors.ts';
import { newVerifier, parseNote } from '../../core/note.ts';
import { parseVerifierKey, KEY_TYPE_COSIGNATURE, KEY_TYPE_ED25519 } from '../../core/note-key.ts';
import { checkLogOrigin } from '../../core/origin.ts';
import { MAX_URLS } from '../gossip/messages.ts';
import type { EvidenceStore } from '../witness/evidence.ts';
import type { WitnessKey } from '../witness/witness-key.ts';
import { FollowStore, followName, type FollowMeta } from './follow-store.ts';
import { Follower, type FollowerOptions } from './follower.ts';
import { readFromAny } from './peer-source.ts';

/** At most this many peer logs are followed. */
export const MAX_FOLLOWS = 64;
const MAX_BACKOFF_MS = 60_000;

export type FollowsOptions = {
  readonly followsDir: string;
  readonly letterId: Uint8Array;
  /** Our own origin: never followed. */
  readonly ownOrigin: string;
  readonly witness: WitnessKey;
  readonly evidence: EvidenceStore;
  readonly checkBundle: FollowerOptions['checkBundle'];
  readonly submitChecked: FollowerOptions['submitChecked'];
  readonly publishCosigned: (note: string) => void;
  readonly onError: (error: unknown) => void;
  /** How often each log's checkpoint is fetched (default 3000 ms). */
  readonly pollMs?: number;
  readonly signal: AbortSignal;
};

/** What /info lists for a followed log. */
export type FollowInfo = {
  readonly origin: string;
  readonly vkey: string;
  readonly treeSize: number;
  readonly checkpoint: string | null;
  readonly cosignatures: readonly string[];
};

type Entry = { meta: FollowMeta; follower: Follower; store: FollowStore };

/** All followed logs. */
export class Follows {
  readonly #o: FollowsOptions;
  readonly #logs = new Map<string, Entry>();
  readonly #byName = new Map<string, Entry>();

  private constructor(options: FollowsOptions) {
    this.#o = options;
  }

  /** Loads the logs followed before, and starts polling them. */
  static async open(options: FollowsOptions): Promise<Follows> {
    const follows = new Follows(options);
    let names: string[] = [];
    try {
      names = await readdir(options.followsDir);
    } catch {
      // none yet
    }
    for (const name of names) {
      const text = await readFile(join(options.followsDir, name, 'follow.json'), 'utf8').catch(
        () => undefined
      );
      if (text !== undefined) await follows.#add(JSON.parse(text) as FollowMeta);
    }
    return follows;
  }

  /** Follows (or updates the URLs of) the log `vkey`, then offers it `note`. Throws WRONG_ORIGIN. */
  async announce(vkey: string, urls: readonly string[], note?: string): Promise<void> {
    const key = parseVerifierKey(vkey);
    if (key.type !== KEY_TYPE_ED25519) throw new UndersignedError('MALFORMED_KEY', 'not a log key');
    if (key.name === this.#o.ownOrigin) return;
    checkLogOrigin(key.name, this.#o.letterId, key.publicKey);
    let entry = this.#logs.get(key.name);
    if (entry === undefined) {
      if (this.#logs.size >= MAX_FOLLOWS) return;
      entry = await this.#add({ origin: key.name, vkey, urls: urls.slice(0, MAX_URLS) });
    } else if (urls.some((u) => !entry?.meta.urls.includes(u))) {
      const merged = [...new Set([...urls, ...entry.meta.urls])].slice(0, MAX_URLS);
      entry.meta = { ...entry.meta, urls: merged };
      await entry.store.writeMeta(entry.meta);
    }
    if (note !== undefined) await entry.follower.offer(note);
  }

  /** Follows the log served at `url` (a mirror's base URL): its /info names it. */
  async followUrl(url: string): Promise<void> {
    const info = JSON.parse(utf8Decode(await readFromAny([url], 'info', this.#o.signal))) as {
      vkey?: unknown;
    };
    if (typeof info.vkey !== 'string')
      throw new UndersignedError('FETCH_FAILED', `${url}info lacks vkey`);
    await this.announce(info.vkey, [url]);
  }

  /** The witness vkeys of the mirrors of the logs we follow. */
  witnessVkeys(): string[] {
    return [...this.#logs.values()].flatMap((e) =>
      e.meta.witnessVkey === undefined ? [] : [e.meta.witnessVkey]
    );
  }

  /** Our cosigned notes of the latest verified checkpoints, to publish again. */
  cosignedNotes(): string[] {
    return [...this.#logs.values()].flatMap((e) =>
      e.follower.cosigned === undefined ? [] : [e.follower.cosigned]
    );
  }

  /**
   * The checkpoint served at /logs/<name>/checkpoint: the latest verified note of the log whose
   * directory name is `name`, with our own cosignature once we made it (§6.4) and those we hold.
   */
  async checkpointNote(name: string): Promise<string | undefined> {
    const entry = this.#byName.get(name);
    if (entry === undefined) return undefined;
    return entry.follower.cosigned ?? (await entry.store.readNote());
  }

  /** The store of the log whose directory name is `name` (hex SHA-256 of its origin). */
  store(name: string): FollowStore | undefined {
    return this.#byName.get(name)?.store;
  }

  /** What /info lists. */
  info(): FollowInfo[] {
    return [...this.#logs.values()].map(({ meta, follower }) => {
      const note = follower.cosigned ?? follower.note ?? null;
      return {
        origin: meta.origin,
        vkey: meta.vkey,
        treeSize: follower.checkpoint.treeSize,
        checkpoint: note,
        cosignatures: note === null ? [] : cosignerNames(note, meta.origin),
      };
    });
  }

  /** Each log's verified tree size, and the largest one signed by its key seen (node/metrics/). */
  sizes(): { origin: string; treeSize: number; latestSize: number }[] {
    return [...this.#logs.values()].map(({ meta, follower }) => ({
      origin: meta.origin,
      treeSize: follower.checkpoint.treeSize,
      latestSize: follower.latestSize,
    }));
  }

  async #add(meta: FollowMeta): Promise<Entry> {
    const store = new FollowStore(this.#o.followsDir, meta.origin);
    await store.writeMeta(meta);
    const state = await store.load(meta.origin);
    let urls = (): readonly string[] => meta.urls;
    const follower = new Follower({
      urls: () => urls(),
      store,
      meta,
      state,
      logVerifier: newVerifier(meta.vkey),
      witness: this.#o.witness,
      evidence: this.#o.evidence,
      checkBundle: this.#o.checkBundle,
      submitChecked: this.#o.submitChecked,
      publishCosigned: this.#o.publishCosigned,
      now: () => Math.floor(Date.now() / 1000),
      onError: this.#o.onError,
      signal: this.#o.signal,
    });
    const entry: Entry = { meta, follower, store };
    urls = () => entry.meta.urls;
    this.#logs.set(meta.origin, entry);
    this.#byName.set(followName(meta.origin), entry);
    void this.#poll(entry);
    return entry;
  }

  /** Fetches the log's checkpoint every pollMs (doubling while it fails), and its witness vkey. */
  async #poll(entry: Entry): Promise<void> {
    const { signal } = this.#o;
    const period = this.#o.pollMs ?? 3000;
    let wait = 0;
    while (!signal.aborted) {
      await sleep(wait, signal);
      try {
        if (entry.meta.witnessVkey === undefined) await this.#learnWitness(entry);
        const note = utf8Decode(await readFromAny(entry.meta.urls, 'log/checkpoint', signal));
        await entry.follower.offer(note);
        wait = period;
      } catch {
        wait = Math.min(MAX_BACKOFF_MS, Math.max(period, wait * 2));
      }
    }
  }

  async #learnWitness(entry: Entry): Promise<void> {
    const info = JSON.parse(
      utf8Decode(await readFromAny(entry.meta.urls, 'info', this.#o.signal))
    ) as {
      witnessVkey?: unknown;
    };
    if (typeof info.witnessVkey !== 'string') return;
    if (parseVerifierKey(info.witnessVkey).type !== KEY_TYPE_COSIGNATURE) return;
    entry.meta = { ...entry.meta, witnessVkey: info.witnessVkey };
    await entry.store.writeMeta(entry.meta);
  }
}

/** The names on a note's signature lines other than the log's own. */
function cosignerNames(note: string, origin: string): string[] {
  const names = parseNote(note).signatures.map((s) => s.name);
  return [...new Set(names.filter((n) => n !== origin))];
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true }
    );
  });
}
