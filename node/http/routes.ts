// The routes of a mirror's HTTP API (docs/PROTOCOL.md §6.6):
//
//   POST /submit            a submission (submit.ts)
//   GET  /letter            the letter file (§2.2)
//   GET  /info              JSON: letterId, origin, vkey, treeSize, peerId, addresses, follows
//   GET  /log/checkpoint    the log (log-files.ts), c2sp.org/tlog-tiles
//   GET  /log/tile/…
//   GET  /logs/<hex SHA-256 of origin>/checkpoint, /logs/…/tile/…   the peer logs it follows
//   GET  /metrics           Prometheus metrics (node/metrics/), unless turned off
//   GET  /…                 the web client (web.ts)
//   OPTIONS *               CORS preflight
//
// Policy: nothing about a request is logged or kept (no address, no time, no user agent);
// errors that are not the client's are reported without any of it.

import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { isUndersignedError, UndersignedError } from '../../core/errors.ts';
import type { Log } from '../log/log.ts';
import type { Sequencer } from '../log/sequencer.ts';
import type { FollowInfo, Follows } from '../follow/follows.ts';
import type { Evidence } from '../witness/evidence.ts';
import { EXPOSITION_CONTENT_TYPE } from '../metrics/exposition.ts';
import type { SubmissionMetrics } from '../metrics/metrics.ts';
import { serveCheckpoint, serveTile } from './log-files.ts';
import {
  isRead,
  send,
  sendError,
  sendJson,
  sendMethodNotAllowed,
  sendNotFound,
  sendPreflight,
} from './respond.ts';
import { handleSubmit } from './submit.ts';
import { serveWeb } from './web.ts';

/** What GET /info answers. */
export type MirrorInfo = {
  readonly letterId: string;
  readonly origin: string;
  readonly vkey: string;
  readonly treeSize: number;
  /** The libp2p peer ID, once the node runs libp2p; null without. */
  readonly peerId: string | null;
  readonly addresses: readonly string[];
  /** The witness key's vkey (type 0x04), PROTOCOL §6.2. */
  readonly witnessVkey: string;
  /** The peer logs this mirror follows (node/follow/follows.ts). */
  readonly follows: readonly FollowInfo[];
  /** Inconsistent checkpoints seen (node/witness/evidence.ts). */
  readonly evidence: readonly Evidence[];
};

export type RoutesOptions = {
  readonly log: Log;
  readonly sequencer: Pick<Sequencer, 'submit'>;
  /** Our checkpoint with the cosignatures held. */
  readonly checkpoint: () => string;
  readonly follows: Follows;
  /** The letter file, served as is. */
  readonly letterFile: Uint8Array;
  readonly info: () => MirrorInfo;
  readonly webDir?: string;
  readonly onError: (error: unknown) => void;
  /** Counts the answers of POST /submit. */
  readonly submissions?: SubmissionMetrics;
  /** The exposition text served at /metrics; without it, /metrics is not served. */
  readonly metrics?: () => string;
};

/** The request listener of a mirror. */
export function mirrorRoutes(options: RoutesOptions): RequestListener {
  return (req, res) => {
    route(req, res, options).catch((e: unknown) => {
      if (!isUndersignedError(e)) options.onError(e);
      sendError(
        res,
        isUndersignedError(e)
          ? e
          : new UndersignedError('UNAVAILABLE', 'internal error: retry later')
      );
    });
  };
}

async function route(
  req: IncomingMessage,
  res: ServerResponse,
  options: RoutesOptions
): Promise<void> {
  if (req.method === 'OPTIONS') {
    sendPreflight(res);
    return;
  }
  const pathname = pathOf(req.url);
  if (pathname === '/submit') {
    if (req.method !== 'POST') {
      sendMethodNotAllowed(res, 'POST');
      return;
    }
    await handleSubmit(req, res, options.sequencer, options.onError, options.submissions);
    return;
  }
  if (!isRead(req)) {
    sendMethodNotAllowed(res, 'GET, HEAD');
    return;
  }
  if (pathname === '/letter') {
    send(res, 200, options.letterFile, {
      'Content-Type': 'text/plain; charset=utf-8',
      'Cache-Control': 'no-cache',
    });
  } else if (pathname === '/info') {
    sendJson(res, 200, options.info());
  } else if (pathname === '/metrics' && options.metrics !== undefined) {
    send(res, 200, options.metrics(), {
      'Content-Type': EXPOSITION_CONTENT_TYPE,
      'Cache-Control': 'no-store',
    });
  } else if (pathname === '/log/checkpoint') {
    serveCheckpoint(res, options.checkpoint());
  } else if (pathname.startsWith('/log/')) {
    await serveTile(res, options.log.tiles, pathname.slice('/log/'.length));
  } else if (pathname.startsWith('/logs/')) {
    await serveFollowed(res, options.follows, pathname.slice('/logs/'.length));
  } else {
    await serveWeb(res, options.webDir, pathname);
  }
}

/** The path of a request target, without the query; "" for a target that is not a path. */
function pathOf(target: string | undefined): string {
  if (target === undefined || !target.startsWith('/')) return '';
  const query = target.indexOf('?');
  return query < 0 ? target : target.slice(0, query);
}

/** GET /logs/<name>/checkpoint and /logs/<name>/tile/…: a followed log; 404 for anything else. */
async function serveFollowed(res: ServerResponse, follows: Follows, path: string): Promise<void> {
  const slash = path.indexOf('/');
  const store = slash < 0 ? undefined : follows.store(path.slice(0, slash));
  const rest = path.slice(slash + 1);
  if (store === undefined) {
    sendNotFound(res);
  } else if (rest === 'checkpoint') {
    const note = await follows.checkpointNote(path.slice(0, slash));
    if (note === undefined) sendNotFound(res);
    else serveCheckpoint(res, note);
  } else {
    await serveTile(res, store.tiles, rest);
  }
}
