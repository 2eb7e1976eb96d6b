// Talking to a mirror over HTTP as a client (docs/PROTOCOL.md §6.6, §8.3): its /info and
// /letter, and submissions with retries. What a mirror answers is untrusted: receipts are
// checked with core/receipt.ts before anyone relies on them.

import { UndersignedError, type ErrorCode } from '../core/errors.ts';
import { parseLetter, type Letter } from '../core/letter.ts';
import { toBase64 } from '../core/bytes.ts';
import type { MirrorInfo } from './http/routes.ts';

/** What a mirror's GET /info answers (untrusted: only the fields checked below are relied on). */
export type { MirrorInfo };

const TIMEOUT_MS = 30_000;
const MAX_INFO = 1 << 20;

/** The mirror's base URL with a trailing slash. */
export function mirrorBase(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** GET `<mirror>/info`, checked for the fields this client uses. */
export async function fetchInfo(
  mirror: string,
  options: { signal?: AbortSignal } = {}
): Promise<MirrorInfo> {
  const body = await get(new URL('info', mirrorBase(mirror)), options.signal);
  let info: unknown;
  try {
    info = JSON.parse(new TextDecoder().decode(body));
  } catch (cause) {
    throw new UndersignedError(
      'FETCH_FAILED',
      `${mirror} answered /info with something that is not JSON`,
      { cause }
    );
  }
  const i = info as Partial<MirrorInfo>;
  if (
    typeof i.origin !== 'string' ||
    typeof i.vkey !== 'string' ||
    typeof i.treeSize !== 'number'
  ) {
    throw new UndersignedError('FETCH_FAILED', `${mirror}/info lacks origin, vkey or treeSize`);
  }
  return info as MirrorInfo;
}

/** GET `<mirror>/letter`, parsed strictly. */
export async function fetchLetter(
  mirror: string,
  options: { signal?: AbortSignal } = {}
): Promise<Letter> {
  return parseLetter(await get(new URL('letter', mirrorBase(mirror)), options.signal));
}

/** GET `<mirror>/<path>` as text. */
export async function fetchText(
  mirror: string,
  path: string,
  options: { signal?: AbortSignal } = {}
): Promise<string> {
  return new TextDecoder().decode(await get(new URL(path, mirrorBase(mirror)), options.signal));
}

export type Submitted = { readonly index: number; readonly receipt: string };

/**
 * POSTs one entry to `<mirror>/submit` and waits for its receipt. Retries while the mirror
 * answers 503 or cannot be reached (resubmitting is safe: §8.3), up to `attempts` times; a
 * refusal throws UndersignedError with the mirror's code.
 */
export async function submitEntry(
  mirror: string,
  entry: Uint8Array,
  options: { signal?: AbortSignal; attempts?: number } = {}
): Promise<Submitted> {
  const url = new URL('submit', mirrorBase(mirror));
  const body = JSON.stringify({ entry: toBase64(entry) });
  const attempts = options.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body,
        signal: withTimeout(options.signal, 120_000),
      });
    } catch (cause) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (attempt >= attempts)
        throw new UndersignedError('FETCH_FAILED', `cannot reach ${url.href}`, { cause });
      await pause(attempt, options.signal);
      continue;
    }
    const answer = (await response.json().catch(() => ({}))) as {
      index?: unknown;
      receipt?: unknown;
      error?: { code?: unknown; message?: unknown };
    };
    if (response.ok && typeof answer.index === 'number' && typeof answer.receipt === 'string') {
      return { index: answer.index, receipt: answer.receipt };
    }
    if (response.status === 503 && attempt < attempts) {
      await pause(attempt, options.signal);
      continue;
    }
    const code =
      typeof answer.error?.code === 'string' ? (answer.error.code as ErrorCode) : 'FETCH_FAILED';
    const message =
      typeof answer.error?.message === 'string' ? answer.error.message : `HTTP ${response.status}`;
    throw new UndersignedError(code, `${mirror}: ${message}`);
  }
}

async function get(url: URL, signal: AbortSignal | undefined): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, { signal: withTimeout(signal, TIMEOUT_MS), redirect: 'error' });
  } catch (cause) {
    if (signal?.aborted) throw signal.reason;
    throw new UndersignedError('FETCH_FAILED', `cannot fetch ${url.href}`, { cause });
  }
  if (response.status === 404) throw new UndersignedError('NOT_FOUND', `${url.href} was not found`);
  if (!response.ok)
    throw new UndersignedError('FETCH_FAILED', `${url.href} answered HTTP ${response.status}`);
  const body = new Uint8Array(await response.arrayBuffer());
  if (body.length > MAX_INFO)
    throw new UndersignedError('FETCH_FAILED', `${url.href} is too large`);
  return body;
}

function withTimeout(signal: AbortSignal | undefined, ms: number): AbortSignal {
  const timeout = AbortSignal.timeout(ms);
  return signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
}

/** Waits before retry `attempt`: exponential backoff from 200 ms to 5 s, jittered ±50%. */
export function pause(attempt: number, signal: AbortSignal | undefined): Promise<void> {
  const ms = Math.min(5000, 200 * 2 ** attempt) * (0.5 + Math.random());
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      },
      { once: true }
    );
  });
}
