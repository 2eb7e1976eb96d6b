// What a mirror node counts and measures for GET /metrics (exposition.ts; docs/OPERATORS.md
// "Metrics"): submissions accepted and refused by error code, entries appended from other
// logs, its tree size and checkpoint age, its peers, and each followed log's size and lag.
//
// Policy: counters and gauges only, read at scrape time: no per-submission timing, no address,
// no entry, no key. Label values come from bounded sets: the ErrorCode union, and the origins
// of followed logs (at most MAX_FOLLOWS, node/follow/follows.ts). A scrape reveals no more
// than /info does, but for the peer count and the refusal counts.

import type { ErrorCode } from '../../core/errors.ts';
import { formatExposition, type MetricFamily } from './exposition.ts';

/**
 * What each submission path counts once it answers (POST /submit, node/http/submit.ts; the
 * libp2p submission protocol). A submitter who hangs up before the answer is not counted.
 */
export interface SubmissionMetrics {
  /** A submission answered with a receipt: appended now, or already in the log. */
  accepted(): void;
  /** A submission refused with `code` (BAD_REQUEST, MALFORMED_ENTRY, UNAVAILABLE…). */
  rejected(code: ErrorCode): void;
}

/** A SubmissionMetrics that counts nothing. */
export const UNCOUNTED: SubmissionMetrics = {
  accepted: () => undefined,
  rejected: () => undefined,
};

/** A followed log's verified tree size and the largest signed one offered (node/follow/). */
export type FollowedLogSize = {
  readonly origin: string;
  readonly treeSize: number;
  readonly latestSize: number;
};

/** What is read at each scrape. */
export type MetricsSources = {
  /** Our log's tree size. */
  readonly treeSize: () => number;
  /** Connected libp2p peers (0 without libp2p). */
  readonly peers: () => number;
  readonly follows: () => readonly FollowedLogSize[];
};

/** The codes a submission is refused with (node/http/submit.ts), reported as 0 before any. */
const SUBMISSION_CODES: readonly ErrorCode[] = [
  'BAD_REQUEST',
  'MALFORMED_BASE64',
  'MALFORMED_ENTRY',
  'WRONG_LETTER',
  'INSUFFICIENT_STAMP',
  'BAD_ENTRY_SIGNATURE',
  'DUPLICATE_KEY',
  'UNAVAILABLE',
];

/** The counters of one node, and its metrics. */
export class Metrics implements SubmissionMetrics {
  readonly #now: () => number;
  #accepted = 0;
  readonly #rejected = new Map<ErrorCode, number>(SUBMISSION_CODES.map((c) => [c, 0]));
  #replicated = 0;
  #checkpointTime: number;

  /** `now` is in milliseconds since the epoch (default Date.now). */
  constructor(options: { readonly now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
    // Policy: the time a checkpoint was signed is kept in memory only (a checkpoint carries no
    // time, and the log's files all have the time 0, node/log/disk.ts): until this process
    // signs one, the age counts from its start.
    this.#checkpointTime = this.#now();
  }

  accepted(): void {
    this.#accepted++;
  }

  rejected(code: ErrorCode): void {
    this.#rejected.set(code, (this.#rejected.get(code) ?? 0) + 1);
  }

  /**
   * A batch was written and its checkpoint signed and published (Sequencer's onBatch):
   * `replicated` of its entries came from other logs (gossip or followed logs, which want no
   * receipt). Its time becomes the checkpoint's, in memory only.
   */
  batchWritten(batch: { readonly replicated: number }): void {
    this.#replicated += batch.replicated;
    this.#checkpointTime = this.#now();
  }

  /** The metric families, read now from the counters and `sources`. */
  families(sources: MetricsSources): MetricFamily[] {
    const rejected = [...this.#rejected.values()].reduce((a, b) => a + b, 0);
    const follows = sources.follows();
    const cpu = process.cpuUsage();
    return [
      counter('undersigned_submissions_total', 'Submissions answered, by result.', [
        { labels: { result: 'accepted' }, value: this.#accepted },
        { labels: { result: 'rejected' }, value: rejected },
      ]),
      counter(
        'undersigned_submissions_rejected_total',
        'Submissions refused, by error code.',
        [...this.#rejected].map(([reason, value]) => ({ labels: { reason }, value }))
      ),
      counter(
        'undersigned_replicated_entries_total',
        'Entries appended to this log from other logs (gossip, followed logs).',
        [{ value: this.#replicated }]
      ),
      gauge('undersigned_tree_size', 'The tree size of this log.', [{ value: sources.treeSize() }]),
      gauge(
        'undersigned_checkpoint_age_seconds',
        'Seconds since this log last signed a checkpoint.',
        [{ value: Math.max(0, (this.#now() - this.#checkpointTime) / 1000) }]
      ),
      gauge('undersigned_peers', 'Connected libp2p peers.', [{ value: sources.peers() }]),
      gauge('undersigned_followed_logs', 'Peer logs followed.', [{ value: follows.length }]),
      gauge(
        'undersigned_followed_tree_size',
        'The verified tree size of each followed log.',
        follows.map((f) => ({ labels: { origin: f.origin }, value: f.treeSize }))
      ),
      gauge(
        'undersigned_replication_lag_entries',
        'Entries of each followed log in a signed checkpoint seen but not yet verified.',
        follows.map((f) => ({
          labels: { origin: f.origin },
          value: Math.max(0, f.latestSize - f.treeSize),
        }))
      ),
      gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', [
        { value: process.memoryUsage.rss() },
      ]),
      counter('process_cpu_seconds_total', 'User and system CPU time spent in seconds.', [
        { value: (cpu.user + cpu.system) / 1e6 },
      ]),
      gauge('process_start_time_seconds', 'Start time of the process since the epoch.', [
        { value: Math.floor(performance.timeOrigin) / 1000 },
      ]),
    ];
  }

  /** The exposition text of families(sources). */
  expose(sources: MetricsSources): string {
    return formatExposition(this.families(sources));
  }
}

function counter(name: string, help: string, samples: MetricFamily['samples']): MetricFamily {
  return { name, help, type: 'counter', samples };
}

function gauge(name: string, help: string, samples: MetricFamily['samples']): MetricFamily {
  return { name, help, type: 'gauge', samples };
}
