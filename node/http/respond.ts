// Answers of the mirror's HTTP API (docs/PROTOCOL.md §6.6): CORS for every answer, JSON errors
// `{"error": {"code", "message"}}` with one HTTP status per error code, and bytes with the
// caching headers that c2sp.org/tlog-tiles asks for.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorCode } from '../../core/errors.ts';
import { UndersignedError } from '../../core/errors.ts';

/** Policy: anyone may read a mirror and submit to it from any web page: it holds nothing private. */
export const CORS_HEADERS = { 'Access-Control-Allow-Origin': '*' } as const;

/** What a CORS preflight answers: the methods and the one request header a client needs. */
export const PREFLIGHT_HEADERS = {
  ...CORS_HEADERS,
  'Access-Control-Allow-Methods': 'GET, HEAD, POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Content-Type',
  'Access-Control-Max-Age': '86400',
} as const;

/** Caching of what never changes: full tiles and bundles (tlog-tiles), hashed web assets. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';

const STATUS: Partial<Record<ErrorCode, number>> = {
  BAD_REQUEST: 400,
  MALFORMED_BASE64: 400,
  NOT_FOUND: 404,
  MALFORMED_ENTRY: 422,
  WRONG_LETTER: 422,
  INSUFFICIENT_STAMP: 422,
  BAD_ENTRY_SIGNATURE: 422,
  DUPLICATE_KEY: 422,
  UNAVAILABLE: 503,
};

/** The HTTP status of an error code: 4xx for the client's mistakes, 503 to retry, else 500. */
export function statusOf(code: ErrorCode): number {
  return STATUS[code] ?? 500;
}

/** Sends `body` with the CORS headers and `headers`. HEAD requests get the headers only. */
export function send(
  res: ServerResponse,
  status: number,
  body: Uint8Array | string,
  headers: Record<string, string>
): void {
  const length = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.length;
  res.writeHead(status, {
    ...CORS_HEADERS,
    'X-Content-Type-Options': 'nosniff',
    'Content-Length': String(length),
    ...headers,
  });
  // A string goes out with the headers in one write; bytes take a second one.
  res.end(body);
}

/** Sends a JSON value, never cached. */
export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {}
): void {
  send(res, status, `${JSON.stringify(value)}\n`, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-cache',
    ...headers,
  });
}

/** Sends `{"error": {"code", "message"}}`; the message is ours, never echoed input. */
export function sendError(
  res: ServerResponse,
  error: UndersignedError,
  status = statusOf(error.code)
): void {
  const headers: Record<string, string> = status === 503 ? { 'Retry-After': '1' } : {};
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status, { error: { code: error.code, message: error.message } }, headers);
}

/** 404 for anything that is not there (or not ours to serve). */
export function sendNotFound(res: ServerResponse): void {
  sendError(res, new UndersignedError('NOT_FOUND', 'not found'));
}

/** 405 naming the methods that `allow` lists. */
export function sendMethodNotAllowed(res: ServerResponse, allow: string): void {
  sendError(res, new UndersignedError('BAD_REQUEST', `method not allowed; use ${allow}`), 405);
}

/** The answer to a CORS preflight. */
export function sendPreflight(res: ServerResponse): void {
  res.writeHead(204, { ...PREFLIGHT_HEADERS, 'Content-Length': '0' });
  res.end();
}

/** Whether the request is a GET or a HEAD. */
export function isRead(req: IncomingMessage): boolean {
  return req.method === 'GET' || req.method === 'HEAD';
}
