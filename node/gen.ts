// Valid signed entries from throwaway keys, fast, for tests and benchmarks. Keys are made and
// used with WebCrypto, many at a time (Node runs them on its thread pool), and then forgotten.

import { letterId, type Letter } from '../core/letter.ts';
import { formatEntry, formatEntryBody, entrySigningMessage, NONCE_OFFSET } from '../core/entry.ts';
import { searchStamp, STAMP_NONCE_SIZE } from '../core/stamp.ts';

const CHUNK = 512;
const STAMP_TRIES = 1 << 16;

export type GenerateOptions = {
  /** Spread the entries over this many made-up affiliations ("Group 0", …); 0 for none. */
  readonly affiliations?: number;
  readonly signal?: AbortSignal;
};

/** Yields `count` valid sign entries for `letter`, in chunks. */
export async function* generateEntries(
  letter: Letter,
  count: number,
  options: GenerateOptions = {}
): AsyncGenerator<Uint8Array[]> {
  const id = letterId(letter);
  const groups = options.affiliations ?? 0;
  for (let done = 0; done < count; done += CHUNK) {
    options.signal?.throwIfAborted();
    const n = Math.min(CHUNK, count - done);
    yield await Promise.all(
      Array.from({ length: n }, (_, i) =>
        throwawayEntry(id, letter.stampBits, groups > 0 ? `Group ${(done + i) % groups}` : '')
      )
    );
  }
}

async function throwawayEntry(
  id: Uint8Array,
  stampBits: number,
  affiliation: string
): Promise<Uint8Array> {
  const keys = await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', keys.publicKey));
  const body = formatEntryBody({
    kind: 'sign',
    letterId: id,
    publicKey,
    stampNonce: new Uint8Array(STAMP_NONCE_SIZE),
    name: '',
    affiliation,
    extensions: [],
  });
  let start = 0;
  while (searchStamp(body, NONCE_OFFSET, stampBits, start, STAMP_TRIES) === undefined)
    start += STAMP_TRIES;
  const signature = await crypto.subtle.sign(
    { name: 'Ed25519' },
    keys.privateKey,
    entrySigningMessage(body)
  );
  return formatEntry(body, new Uint8Array(signature));
}
