// Progress of a long verification: entries done, entries per second, time left.

/** A snapshot of progress. */
export type Progress = {
  readonly done: number;
  readonly total: number;
  /** Entries per second so far (0 before the first second of work is measured). */
  readonly perSecond: number;
  /** Seconds left at the rate so far; undefined while the rate is unknown. */
  readonly secondsLeft: number | undefined;
};

/** The progress of `done` of `total` entries after `elapsedMs` milliseconds. */
export function progressOf(done: number, total: number, elapsedMs: number): Progress {
  const perSecond = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const secondsLeft = perSecond > 0 ? Math.max(0, (total - done) / perSecond) : undefined;
  return { done, total, perSecond, secondsLeft };
}
