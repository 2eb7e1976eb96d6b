// Fetching a peer log's files over HTTP from the base URLs it announced (docs/PROTOCOL.md
// §8.2 "url" lines): `<base>log/checkpoint`, `<base>log/tile/…`, `<base>info`. What comes back
// is untrusted until checked against a signed checkpoint (follower.ts).

import { UndersignedError } from '../../core/errors.ts';
import { httpSource } from '../log-source.ts';

const TIMEOUT_MS = 20_000;

/** Reads `path` from the first of `urls` that has it. Throws FETCH_FAILED or NOT_FOUND. */
export async function readFromAny(
  urls: readonly string[],
  path: string,
  signal: AbortSignal
): Promise<Uint8Array> {
  let last: unknown = new UndersignedError('FETCH_FAILED', 'no url to fetch from');
  for (const url of urls) {
    try {
      return await httpSource(url).read(path, {
        signal: AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)]),
      });
    } catch (e) {
      signal.throwIfAborted();
      last = e;
    }
  }
  throw last;
}
