// Mirrors in memory for the web client's state tests: each serves a built log (tests/helpers/
// log.ts) at the paths of docs/PROTOCOL.md §6.6 through a stubbed global fetch, and records
// every URL asked for.

import { vi } from 'vitest';
import { formatLetter, letterIdHex, type Letter } from '../../core/letter.ts';
import { utf8Encode } from '../../core/bytes.ts';
import type { BuiltLog } from '../helpers/log.ts';

export type FakeMirror = {
  readonly url: string;
  log: BuiltLog;
  letter: Letter;
  /** Changes what is served at a path (a log path such as "tile/entries/000"), or undefined. */
  tamper?: (path: string, bytes: Uint8Array) => Uint8Array;
  down?: boolean;
};

/** Stubs fetch with `mirrors`; returns the list of URLs fetched. */
export function serveMirrors(mirrors: readonly FakeMirror[]): string[] {
  const asked: string[] = [];
  vi.stubGlobal('fetch', (input: string | URL, init?: RequestInit): Promise<Response> => {
    const url = String(input);
    asked.push(url);
    init?.signal?.throwIfAborted();
    const mirror = mirrors.find((m) => url.startsWith(m.url));
    if (mirror === undefined || mirror.down === true)
      return Promise.reject(new TypeError('Failed to fetch'));
    const path = url.slice(mirror.url.length);
    const answer = (status: number, body: Uint8Array | string): Promise<Response> =>
      Promise.resolve(new Response(typeof body === 'string' ? body : body.slice(), { status }));
    if (path === 'info') {
      return answer(
        200,
        JSON.stringify({
          letterId: letterIdHex(mirror.letter),
          origin: mirror.log.origin,
          vkey: mirror.log.vkey,
          treeSize: 0,
          peerId: null,
          addresses: [],
          follows: [],
        })
      );
    }
    if (path === 'letter') return answer(200, formatLetter(mirror.letter));
    if (path.startsWith('log/')) {
      const file = path.slice('log/'.length);
      const bytes = mirror.log.files.get(file);
      if (bytes === undefined)
        return answer(404, '{"error":{"code":"NOT_FOUND","message":"not found"}}');
      return answer(200, mirror.tamper?.(file, bytes) ?? bytes);
    }
    return answer(404, utf8Encode('not found'));
  });
  return asked;
}
