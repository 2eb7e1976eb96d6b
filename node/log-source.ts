// Reading a log in the c2sp.org/tlog-tiles layout from a directory or an HTTP base URL. What it
// reads is untrusted: core/verifier.ts checks it against a signed checkpoint.

import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { bundleRangePath, type BundleRangeReader } from '../core/bundle-range.ts';
import { UndersignedError } from '../core/errors.ts';

/** Where a log's files come from: `<prefix>/checkpoint`, `<prefix>/tile/...`. */
export type LogSource = {
  /** A description for messages: the directory or URL. */
  readonly where: string;
  read(path: string, options?: { signal?: AbortSignal }): Promise<Uint8Array>;
  /** Reads a range of full entry bundles (docs/PROTOCOL.md §6.7), where a mirror may have them. */
  readonly readRange?: BundleRangeReader;
};

const MAX_FILE = 1 << 20; // a bundle of 256 entries of 1 KiB with prefixes is ~262 KB

/** A log in a directory on disk. */
export function directorySource(dir: string): LogSource {
  const root = resolve(dir);
  return {
    where: root,
    async read(path, options = {}) {
      try {
        return new Uint8Array(
          await readFile(join(root, path), options.signal ? { signal: options.signal } : {})
        );
      } catch (cause) {
        if (options.signal?.aborted) throw options.signal.reason;
        const code = (cause as { code?: string }).code === 'ENOENT' ? 'NOT_FOUND' : 'FETCH_FAILED';
        throw new UndersignedError(code, `cannot read ${path} in ${root}`, { cause });
      }
    },
  };
}

/** A log served over HTTP under `baseUrl` (with or without a trailing slash). */
export function httpSource(baseUrl: string): LogSource & { readonly readRange: BundleRangeReader } {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const read = async (
    path: string,
    options: { signal?: AbortSignal } = {},
    maxBytes = MAX_FILE
  ): Promise<Uint8Array> => {
    const url = new URL(path, base);
    let response: Response;
    try {
      response = await fetch(url, { signal: options.signal ?? null, redirect: 'error' });
    } catch (cause) {
      if (options.signal?.aborted) throw options.signal.reason;
      throw new UndersignedError('FETCH_FAILED', `cannot fetch ${url.href}`, { cause });
    }
    if (response.status === 404)
      throw new UndersignedError('NOT_FOUND', `${url.href} was not found`);
    if (!response.ok)
      throw new UndersignedError('FETCH_FAILED', `${url.href} answered HTTP ${response.status}`);
    const body = new Uint8Array(await response.arrayBuffer());
    if (body.length > maxBytes)
      throw new UndersignedError('FETCH_FAILED', `${url.href} is larger than ${maxBytes} bytes`);
    return body;
  };
  return {
    where: base,
    read,
    readRange: (range, options) => read(bundleRangePath(range), options, range.count * MAX_FILE),
  };
}

/** A source for `from`: an http(s) URL or a directory. */
export function logSource(from: string): LogSource {
  return /^https?:\/\//.test(from) ? httpSource(from) : directorySource(from);
}
