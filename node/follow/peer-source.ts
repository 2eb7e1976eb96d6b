// Fetching a peer log's files over HTTP from the base URLs it announced (docs/PROTOCOL.md
// §8.2 "url" lines): `<base>log/checkpoint`, `<base>log/tile/…`, `<base>log/entry-bundles/…`
// (§6.7), `<base>info`. What comes back is untrusted until checked against a signed
// checkpoint (follower.ts).

import type { BundleRange } from '../../core/bundle-range.ts';
import { UndersignedError } from '../../core/errors.ts';
import { httpSource } from '../log-source.ts';

const TIMEOUT_MS = 20_000;

/** Reads `path` from the first of `urls` that has it. Throws FETCH_FAILED or NOT_FOUND. */
export function readFromAny(
  urls: readonly string[],
  path: string,
  signal: AbortSignal
): Promise<Uint8Array> {
  return fromAny(urls, signal, (url, options) => httpSource(url).read(path, options));
}

/** Reads a range of the log's full entry bundles (§6.7) from the first of `urls` that has it. */
export function readRangeFromAny(
  urls: readonly string[],
  range: BundleRange,
  signal: AbortSignal
): Promise<Uint8Array> {
  return fromAny(urls, signal, (url, options) =>
    httpSource(`${url.endsWith('/') ? url : `${url}/`}log/`).readRange(range, options)
  );
}

async function fromAny(
  urls: readonly string[],
  signal: AbortSignal,
  read: (url: string, options: { signal: AbortSignal }) => Promise<Uint8Array>
): Promise<Uint8Array> {
  let last: unknown = new UndersignedError('FETCH_FAILED', 'no url to fetch from');
  for (const url of urls) {
    try {
      return await read(url, {
        signal: AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)]),
      });
    } catch (e) {
      signal.throwIfAborted();
      last = e;
    }
  }
  throw last;
}
