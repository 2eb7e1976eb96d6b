// The routes of a mirror's HTTP API (docs/PROTOCOL.md §6.6):
//
//   POST /submit            a submission (submit.ts)
//   GET  /letter            the letter file (§2.2)
//   GET  /info              JSON: letterId, origin, vkey, treeSize, peerId, addresses, follows
//   GET  /log/checkpoint    the log (log-files.ts), c2sp.org/tlog-tiles
//   GET  /log/tile/…
//   GET  /…                 the web client (web.ts)
//   OPTIONS *               CORS preflight
//
// Policy: nothing about a request is logged or kept (no address, no time, no user agent);
// errors that are not the client's are reported without any of it.

import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { isUndersignedError, UndersignedError } from '../../core/errors.ts';
import type { Log } from '../log/log.ts';
import type { Sequencer } from '../log/sequencer.ts';
import { serveCheckpoint, serveTile } from './log-files.ts';
import {
  isRead,
  send,
  sendError,
  sendJson,
  sendMethodNotAllowed,
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
  /** The peer logs this mirror follows (none yet). */
  readonly follows: readonly unknown[];
};

export type RoutesOptions = {
  readonly log: Log;
  readonly sequencer: Sequencer;
  /** The letter file, served as is. */
  readonly letterFile: Uint8Array;
  readonly info: () => MirrorInfo;
  readonly webDir?: string;
  readonly onError: (error: unknown) => void;
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
    await handleSubmit(req, res, options.sequencer, options.onError);
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
  } else if (pathname === '/log/checkpoint') {
    serveCheckpoint(res, options.log.signed);
  } else if (pathname.startsWith('/log/')) {
    await serveTile(res, options.log.tiles, pathname.slice('/log/'.length));
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
