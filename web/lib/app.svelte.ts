// Starting the app, in order:
//   1. choose the mirrors (lib/mirrors.ts) and lock the page's connections to them (lib/csp.ts);
//   2. read every mirror's /info, then the letter: the one pinned by the URL fragment's letter
//      ID, or else the one the first mirror serves; a letter whose SHA-256 is not its ID is
//      ignored (docs/PROTOCOL.md §2.2);
//   3. collect the logs of that letter the mirrors serve (their own and the ones they follow);
//   4. verify them all (lib/verification.svelte.ts), then watch for new checkpoints: every few
//      seconds, and with live updates on, whenever a mirror announces one over libp2p
//      (lib/live.ts, loaded only then, and connecting while the first run verifies).

import { fromHex, toHex } from '../../core/bytes.ts';
import { letterId, parseLetter, type Letter } from '../../core/letter.ts';
import { CheckpointMemory, memoryStore } from './checkpoint-memory.ts';
import { lockConnections } from './csp.ts';
import { letterTopic } from '../../core/topic.ts';
import { LIVE_PARAM, LIVE_STORAGE_KEY, liveTargets } from './live-targets.ts';
import { KeyStore } from './key-store.ts';
import {
  fetchInfo,
  fetchLetter,
  logsFromInfo,
  type LogRef,
  type MirrorInfo,
} from './mirror-api.ts';
import {
  chooseMirrors,
  clearSavedMirrors,
  fragmentParams,
  letterFromFragment,
  loadSavedMirrors,
  MIRRORS_PARAM,
  mirrorOrigin,
  pageMirror,
  saveMirrors,
  type KeyValueStore,
} from './mirrors.ts';
import { Verification } from './verification.svelte.ts';
import type { VerifyBackend } from './log-verify.ts';

export type Phase = 'starting' | 'ready' | 'noMirrors' | 'noLetter';
/**
 * Live updates: off; or on, and connecting, connected to some mirrors, retrying (none reached),
 * unavailable (no mirror in use offers a WebSocket the page may use), or failed to start.
 */
export type LiveState = 'off' | 'connecting' | 'connected' | 'retrying' | 'unavailable' | 'failed';
export type MirrorStatus = {
  readonly mirror: string;
  readonly status: 'ok' | 'otherLetter' | 'unreachable';
};

/** What the app needs from the browser (fakes in tests). */
export type AppEnvironment = {
  readonly location: { protocol: string; href: string; hash: string };
  readonly storage: KeyValueStore | undefined;
  readonly document: Document | undefined;
  /** The signature backend, made on first use: the worker pool, which also checks bundles. */
  readonly ed25519: () => VerifyBackend;
  readonly keyStore: KeyStore;
  readonly now: () => number;
  /** How often checkpoints are re-read, in milliseconds; 0 for never. */
  readonly pollMs: number;
  /** Whether live updates over libp2p are on (lib/live-targets.ts, liveChosen). */
  readonly live: boolean;
  /** Sets the URL fragment and reloads the page (a new mirror list needs a new CSP). */
  readonly reload: (hash: string) => void;
};

/** The app's shared state. */
export class App {
  phase: Phase = $state('starting');
  mirrors: readonly string[] = $state.raw([]);
  statuses: readonly MirrorStatus[] = $state.raw([]);
  letter: Letter | undefined = $state.raw();
  letterIdHex = $state('');
  logs: readonly LogRef[] = $state.raw([]);
  verification: Verification | undefined = $state.raw();
  letterFile: Uint8Array = new Uint8Array(0);
  witnessKeys: readonly string[] = [];
  live: LiveState = $state('off');
  /** Mirrors connected for live updates. */
  liveMirrors = $state(0);
  readonly env: AppEnvironment;
  #stopWatching: (() => void) | undefined;
  readonly #stopLive = new AbortController();

  constructor(env: AppEnvironment) {
    this.env = env;
    this.live = env.live ? 'connecting' : 'off';
  }

  /** Starts the app; see the top of this file. */
  async start(): Promise<void> {
    const { env } = this;
    const storage = env.storage ?? memoryStore();
    this.mirrors = chooseMirrors(
      env.location.hash,
      loadSavedMirrors(storage),
      pageMirror(env.location)
    );
    if (env.document !== undefined)
      lockConnections(env.document, this.mirrors.map(mirrorOrigin), env.live);
    if (this.mirrors.length === 0) {
      this.phase = 'noMirrors';
      if (env.live) this.live = 'unavailable';
      return;
    }
    // The verification workers start loading now, while the mirrors answer: they are needed
    // the moment the letter is known, and start-up is a good part of a small log's check.
    const ed25519 = env.ed25519();
    const answers = await Promise.all(
      this.mirrors.map(async (mirror) => ({
        mirror,
        info: await fetchInfo(mirror, { timeoutMs: 10_000 }).catch(() => undefined),
      }))
    );
    const pinned = letterFromFragment(env.location.hash);
    const wanted = pinned ?? answers.find((a) => a.info !== undefined)?.info?.letterId;
    const letter = wanted === undefined ? undefined : await this.#readLetter(answers, wanted);
    this.statuses = answers.map(({ mirror, info }) => ({
      mirror,
      status: info === undefined ? 'unreachable' : info.letterId === wanted ? 'ok' : 'otherLetter',
    }));
    if (letter === undefined || wanted === undefined) {
      this.phase = 'noLetter';
      if (env.live) this.live = 'unavailable';
      return;
    }
    const id = fromHex(wanted);
    const served = answers.flatMap(({ mirror, info }) =>
      info === undefined ? [] : [{ mirror, info }]
    );
    this.letter = letter;
    this.letterIdHex = wanted;
    this.logs = logsFromInfo(served, id);
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local set, never rendered
    this.witnessKeys = [...new Set(served.flatMap((a) => a.info.witnesses))];
    this.verification = new Verification({
      letter,
      letterId: id,
      logs: this.logs,
      ed25519,
      memory: new CheckpointMemory(storage),
      witnessKeys: this.witnessKeys,
      now: env.now,
    });
    this.phase = 'ready';
    // Live updates connect while the first run verifies; an announcement meanwhile is checked
    // once that run ends (Verification.recheck).
    const live = env.live
      ? this.#startLive(served.filter((a) => a.info.letterId === wanted))
      : undefined;
    await this.verification.run();
    if (env.pollMs > 0) this.#stopWatching = this.verification.watch(env.pollMs);
    await live;
  }

  /**
   * Turns live updates on or off on this device (or, where storage is blocked, in the URL
   * fragment); the page reloads, for its CSP (lib/csp.ts).
   */
  setLive(on: boolean): void {
    const params = fragmentParams(this.env.location.hash);
    if (this.env.storage === undefined) params.set(LIVE_PARAM, on ? '1' : '0');
    else {
      this.env.storage.setItem(LIVE_STORAGE_KEY, on ? '1' : '0');
      params.delete(LIVE_PARAM);
    }
    this.env.reload(params.toString());
  }

  /** Uses `mirrors` from now on: saved on this device, the page reloaded without a fragment list. */
  applyMirrors(mirrors: readonly string[]): void {
    saveMirrors(this.env.storage ?? memoryStore(), mirrors);
    this.env.reload(withoutMirrors(this.env.location.hash));
  }

  /** Forgets the saved list: back to the fragment's list or the node that served the page. */
  resetMirrors(): void {
    clearSavedMirrors(this.env.storage ?? memoryStore());
    this.env.reload(withoutMirrors(this.env.location.hash));
  }

  /** Stops watching for new checkpoints. */
  stop(): void {
    this.#stopWatching?.();
    this.#stopLive.abort();
    this.verification?.cancel();
  }

  /** Joins the letter's topic through the mirrors that can be reached over WebSockets. */
  async #startLive(served: readonly { mirror: string; info: MirrorInfo }[]): Promise<void> {
    const targets = served.flatMap(({ mirror, info }) => liveTargets(mirror, info));
    const verification = this.verification;
    if (targets.length === 0 || verification === undefined) {
      this.live = 'unavailable';
      return;
    }
    this.live = 'connecting';
    try {
      const { startLive } = await import('./live.ts');
      await startLive({
        targets,
        topic: letterTopic(this.letterIdHex),
        onAnnouncement: () => void verification.recheck().catch(() => undefined),
        onConnected: (mirrors) => {
          this.liveMirrors = mirrors;
          this.live = mirrors > 0 ? 'connected' : 'retrying';
        },
        signal: this.#stopLive.signal,
      });
    } catch {
      if (!this.#stopLive.signal.aborted) this.live = 'failed';
    }
  }

  async #readLetter(
    answers: readonly { mirror: string; info: MirrorInfo | undefined }[],
    wanted: string
  ): Promise<Letter | undefined> {
    for (const { mirror, info } of answers) {
      if (info?.letterId !== wanted) continue;
      try {
        const file = await fetchLetter(mirror, { timeoutMs: 10_000 });
        const letter = parseLetter(file);
        if (toHex(letterId(letter)) !== wanted) continue; // §2.2: the ID commits to the letter
        this.letterFile = file;
        return letter;
      } catch {
        // the next mirror may serve it
      }
    }
    return undefined;
  }
}

function withoutMirrors(hash: string): string {
  const params = fragmentParams(hash);
  params.delete(MIRRORS_PARAM);
  return params.toString();
}
