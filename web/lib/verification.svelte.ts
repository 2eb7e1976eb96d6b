// The verified count and everything behind it, as shared state for the components (Svelte 5
// runes in a class). One run verifies every log of the letter from the mirrors in use, one log
// after another with the entry bundles checked in the worker pool, and counts the union of their
// valid entries (lib/union.ts). The count shown as verified is only ever this one: never a
// number a mirror states.
//
// States: verifying (a run is going), verified (every log read verified and no mirror served
// data that does not verify), failed (no log verified, or some mirror served bad data: it is
// named in `alarms`). Updates: `recheck` re-reads checkpoints and re-verifies on a change, every
// few seconds (`watch`) and, with live updates on, whenever a mirror announces one (lib/live.ts).

import type { Letter } from '../../core/letter.ts';
import type { RejectedEntry } from '../../core/verifier.ts';
import { utf8Decode } from '../../core/bytes.ts';
import { fetchCheckpoint, type LogRef } from './mirror-api.ts';
import type { CheckpointMemory } from './checkpoint-memory.ts';
import { verifyLogFrom, type LogCheck, type VerifyBackend } from './log-verify.ts';
import { unionTally, type ValidEntries } from './union.ts';
import { progressOf, type Progress } from './progress.ts';

export type VerifyState = 'idle' | 'verifying' | 'verified' | 'failed';

/** A mirror that served data that does not verify, or a log that contradicted itself. */
export type Alarm = {
  readonly mirror: string;
  readonly origin: string;
  readonly culprit: 'mirror' | 'log';
  readonly message: string;
};

export type VerificationDeps = {
  readonly letter: Letter;
  readonly letterId: Uint8Array;
  readonly logs: readonly LogRef[];
  /** Signatures, and entry bundles if it can check them (the worker pool). */
  readonly ed25519: VerifyBackend;
  readonly memory: CheckpointMemory;
  readonly witnessKeys: readonly string[];
  readonly now: () => number;
};

/** Logs larger than this are not re-verified automatically when they grow (a button does it). */
export const AUTO_REVERIFY_LIMIT = 250_000;
const PROGRESS_EVERY_MS = 100;

export class Verification {
  state: VerifyState = $state('idle');
  /** The count over every verified log; undefined until a run verified one. */
  count: number | undefined = $state();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- replaced whole, never mutated
  breakdown: ReadonlyMap<string, number> = $state.raw(new Map());
  /** The latest outcome for each log (one entry per log, the source that verified or failed last). */
  checks: readonly LogCheck[] = $state.raw([]);
  alarms: readonly Alarm[] = $state.raw([]);
  progress: Progress | undefined = $state.raw();
  /** A newer checkpoint was seen on a log too large to re-verify automatically. */
  stale = $state(false);
  cancelled = $state(false);

  readonly #deps: VerificationDeps;
  #controller: AbortController | undefined;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
  #lastNotes = new Map<string, string>();
  #rechecking = false;
  #recheckAgain = false;
  #recheckAfterRun = false;

  constructor(deps: VerificationDeps) {
    this.#deps = deps;
  }

  /** The logs being verified. */
  get logs(): readonly LogRef[] {
    return this.#deps.logs;
  }

  /** Rejected entries of every verified log, with the log's origin. */
  get rejected(): { origin: string; entry: RejectedEntry }[] {
    return this.checks.flatMap((c) =>
      c.ok ? c.result.rejected.map((entry) => ({ origin: c.log.origin, entry })) : []
    );
  }

  /** Verifies every log again; resolves when done or cancelled. */
  async run(): Promise<void> {
    this.#controller?.abort();
    const controller = new AbortController();
    this.#controller = controller;
    const { signal } = controller;
    const deps = this.#deps;
    const previous = this.state;
    this.state = 'verifying';
    this.cancelled = false;
    this.stale = false;
    const started = deps.now();
    let total = 0;
    let done = 0;
    let shownAt = 0;
    const show = (current: number, force = false): void => {
      const t = deps.now();
      if (!force && t - shownAt < PROGRESS_EVERY_MS) return;
      shownAt = t;
      this.progress = progressOf(done + current, Math.max(total, done + current), t - started);
    };
    const checks: LogCheck[] = [];
    const alarms: Alarm[] = [];
    const collect = deps.logs.length > 1;
    try {
      for (const log of deps.logs) {
        let outcome: LogCheck | undefined;
        for (const source of log.sources) {
          const check = await verifyLogFrom(log, source, {
            letter: deps.letter,
            letterId: deps.letterId,
            ed25519: deps.ed25519,
            memory: deps.memory,
            witnessKeys: deps.witnessKeys,
            collect,
            signal,
            onProgress: ({ entriesVerified, treeSize }) => {
              if (entriesVerified === 0 || total < done + treeSize) total = done + treeSize;
              show(entriesVerified);
            },
          });
          outcome = check;
          if (check.ok) break;
          if (check.culprit !== 'unreachable') {
            alarms.push({
              mirror: source.mirror,
              origin: log.origin,
              culprit: check.culprit,
              message: check.message,
            });
          }
        }
        if (outcome === undefined) continue;
        if (outcome.ok) {
          done += outcome.result.treeSize;
          total = Math.max(total, done);
          this.#lastNotes.set(log.origin, outcome.note);
        }
        checks.push(outcome);
        show(0, true);
      }
    } catch (e) {
      if (!signal.aborted) throw e;
      if (this.#controller === controller) {
        this.cancelled = true;
        this.state = previous === 'verified' ? 'verified' : 'failed';
        this.progress = undefined;
      }
      return;
    }
    if (this.#controller !== controller) return;
    this.#finish(checks, alarms);
    if (this.#recheckAfterRun) {
      this.#recheckAfterRun = false;
      void this.recheck().catch(() => undefined);
    }
  }

  #finish(checks: readonly LogCheck[], alarms: readonly Alarm[]): void {
    const verified = checks.filter((c) => c.ok);
    this.checks = checks;
    this.alarms = alarms;
    if (verified.length > 0) {
      const tally =
        verified.length === 1 && verified[0] !== undefined
          ? verified[0].result.tally
          : unionTally(
              verified.map((c) => c.entries).filter((e): e is ValidEntries => e !== undefined)
            ).result();
      this.count = tally.count;
      this.breakdown = tally.byAffiliation;
    }
    this.state = verified.length > 0 && alarms.length === 0 ? 'verified' : 'failed';
  }

  /** Stops the run in progress. */
  cancel(): void {
    this.#controller?.abort(new DOMException('cancelled', 'AbortError'));
  }

  /** The number of logs whose own count equals the count shown. */
  get agreeing(): number {
    return this.checks.filter((c) => c.ok && c.result.tally.count === this.count).length;
  }

  /**
   * Re-reads each log's checkpoint and verifies again if one changed (automatically for logs up
   * to AUTO_REVERIFY_LIMIT entries; larger ones are marked stale). A call while one is going is
   * folded into one more check when it ends, so a burst of calls (live updates: lib/live.ts)
   * costs at most two; a call during a run started otherwise checks once that run ends. Calls
   * folded into another resolve at once.
   */
  async recheck(): Promise<void> {
    if (this.#rechecking) {
      this.#recheckAgain = true;
      return;
    }
    this.#rechecking = true;
    this.#recheckAgain = false;
    try {
      do {
        if (this.state === 'verifying') {
          this.#recheckAfterRun = true;
          continue;
        }
        if (!(await this.#anyCheckpointChanged())) continue;
        const largest = Math.max(0, ...this.checks.map((c) => (c.ok ? c.result.treeSize : 0)));
        if (largest > AUTO_REVERIFY_LIMIT) this.stale = true;
        else await this.run();
      } while (this.#takeRecheckAgain());
    } finally {
      this.#rechecking = false;
    }
  }

  /** Whether recheck was called during the check that just ended; clears it. */
  #takeRecheckAgain(): boolean {
    const again = this.#recheckAgain;
    this.#recheckAgain = false;
    return again;
  }

  /** Calls recheck every `intervalMs`. Returns a stop function. */
  watch(intervalMs: number): () => void {
    const timer = setInterval(() => void this.recheck().catch(() => undefined), intervalMs);
    return () => {
      clearInterval(timer);
    };
  }

  async #anyCheckpointChanged(): Promise<boolean> {
    for (const log of this.#deps.logs) {
      const source = log.sources[0];
      if (source === undefined) continue;
      try {
        const note = utf8Decode(await fetchCheckpoint(source, { timeoutMs: 10_000 }));
        if (note === this.#lastNotes.get(log.origin)) continue;
        this.#lastNotes.set(log.origin, note); // a failing log is retried once per new checkpoint
        return true;
      } catch {
        // an unreachable mirror changes nothing until the next full run
      }
    }
    return false;
  }
}
