// HTTP reads and writes to mirrors (docs/PROTOCOL.md §6.6), each with a timeout, a size cap and
// the caller's AbortSignal. Nothing here decides which hosts are asked: callers pass mirror URLs
// only (lib/mirrors.ts), and the page's Content-Security-Policy (lib/csp.ts) enforces it.
//
// Policy: requests carry no credentials, no referrer and no cache-busting identifiers; a mirror
// learns the request path and the signer's IP address, nothing else.

import { UndersignedError } from '../../core/errors.ts';

/** How long one request may take before it is given up, in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 20_000;
/** The largest answer read: a full entry bundle is at most 256 × 1,026 bytes. */
export const DEFAULT_MAX_BYTES = 1 << 20;

export type RequestOptions = {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  readonly maxBytes?: number;
  /** A JSON body: the request becomes a POST. */
  readonly json?: unknown;
  /**
   * The HTTP cache mode (default 'no-cache': revalidate). Tiles and entry bundles are immutable
   * by path (a partial tile's width is in its path, c2sp.org/tlog-tiles), so they may use 'default'.
   */
  readonly cache?: RequestCache;
};

/** A mirror's answer: its HTTP status and body. */
export type HttpAnswer = { readonly status: number; readonly body: Uint8Array };

/**
 * Fetches `url` and resolves with its status and body (any status). Rejects with FETCH_FAILED
 * when the mirror cannot be reached, times out or sends more than `maxBytes`, and with
 * `signal.reason` when aborted.
 */
export async function request(url: string, options: RequestOptions = {}): Promise<HttpAnswer> {
  const { signal } = options;
  signal?.throwIfAborted();
  const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const combined = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
  const init: RequestInit = {
    signal: combined,
    credentials: 'omit',
    referrerPolicy: 'no-referrer',
    cache: options.cache ?? 'no-cache',
    redirect: 'error', // Policy: a mirror may not send the page to another host
    mode: 'cors',
  };
  if (options.json !== undefined) {
    init.method = 'POST';
    init.body = JSON.stringify(options.json);
    init.headers = { 'Content-Type': 'application/json' };
  }
  try {
    const response = await fetch(url, init);
    const body = await readCapped(response, options.maxBytes ?? DEFAULT_MAX_BYTES);
    return { status: response.status, body };
  } catch (e) {
    if (signal?.aborted === true) throw signal.reason;
    if (timeout.aborted)
      throw new UndersignedError('FETCH_FAILED', 'the mirror did not answer in time');
    if (e instanceof UndersignedError) throw e;
    throw new UndersignedError('FETCH_FAILED', 'the mirror could not be reached', { cause: e });
  }
}

/** GETs `url` and resolves with its body; NOT_FOUND for 404, FETCH_FAILED for other failures. */
export async function fetchBytes(url: string, options: RequestOptions = {}): Promise<Uint8Array> {
  const { status, body } = await request(url, options);
  if (status === 404) throw new UndersignedError('NOT_FOUND', 'the mirror does not have it');
  if (status < 200 || status > 299) {
    throw new UndersignedError('FETCH_FAILED', `the mirror answered HTTP ${status}`);
  }
  return body;
}

async function readCapped(response: Response, maxBytes: number): Promise<Uint8Array> {
  const length = response.headers.get('Content-Length');
  const declared = length === null ? undefined : Number(length);
  if (declared !== undefined && declared > maxBytes) {
    await response.body?.cancel();
    throw new UndersignedError('FETCH_FAILED', 'the mirror sent too much');
  }
  // With a declared length within the cap, one native read is cheapest (thousands of bundles).
  if (declared !== undefined && Number.isSafeInteger(declared)) {
    const body = new Uint8Array(await response.arrayBuffer());
    if (body.length > maxBytes)
      throw new UndersignedError('FETCH_FAILED', 'the mirror sent too much');
    return body;
  }
  const reader = response.body?.getReader();
  if (reader === undefined) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > maxBytes) {
      await reader.cancel();
      throw new UndersignedError('FETCH_FAILED', 'the mirror sent too much');
    }
    chunks.push(value);
  }
  if (chunks.length === 1 && chunks[0] !== undefined) return chunks[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
