// Making entries on the signer's side (docs/PROTOCOL.md §3): search a stamp, then sign once.
// Keys come from the caller (WebCrypto in the browser, a seed on the command line): core/ never
// makes randomness of its own.

import { formatEntry, formatEntryBody, entrySigningMessage, NONCE_OFFSET } from './entry.ts';
import type { EntryExtension, EntryKind } from './entry.ts';
import { letterId, type Letter } from './letter.ts';
import { searchStamp, STAMP_NONCE_SIZE } from './stamp.ts';
import { publicKeyFromSeed, signEd25519 } from './ed25519.ts';

/** Whatever holds the signer's private key. `sign` returns a 64-byte Ed25519 signature. */
export type EntrySigner = {
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Promise<Uint8Array> | Uint8Array;
};

export type CreateEntryOptions = {
  readonly kind?: EntryKind;
  readonly name?: string;
  readonly affiliation?: string;
  readonly extensions?: readonly EntryExtension[];
  /** Called after each chunk of stamp tries with the number of tries so far. */
  readonly onProgress?: (tries: number) => void;
  readonly signal?: AbortSignal;
};

const STAMP_CHUNK = 4096;

/** A signer over a 32-byte RFC 8032 seed, in pure JavaScript. */
export function seedSigner(seed: Uint8Array): EntrySigner {
  const publicKey = publicKeyFromSeed(seed);
  return { publicKey, sign: (message) => signEd25519(seed, message) };
}

/**
 * Makes a signed entry for `letter`: builds the body, searches a stamp of the letter's
 * difficulty, and signs SIGNING_CONTEXT || body. Throws MALFORMED_ENTRY for bad fields, and
 * `signal.reason` when aborted.
 */
export async function createEntry(
  letter: Letter,
  signer: EntrySigner,
  options: CreateEntryOptions = {}
): Promise<Uint8Array> {
  const body = formatEntryBody({
    kind: options.kind ?? 'sign',
    letterId: letterId(letter),
    publicKey: signer.publicKey,
    stampNonce: new Uint8Array(STAMP_NONCE_SIZE),
    name: options.name ?? '',
    affiliation: options.affiliation ?? '',
    extensions: options.extensions ?? [],
  });
  for (let start = 0; ; start += STAMP_CHUNK) {
    options.signal?.throwIfAborted();
    if (searchStamp(body, NONCE_OFFSET, letter.stampBits, start, STAMP_CHUNK) !== undefined) break;
    options.onProgress?.(start + STAMP_CHUNK);
    if (start + STAMP_CHUNK >= Number.MAX_SAFE_INTEGER)
      throw new Error('bug: stamp search exhausted');
    await Promise.resolve();
  }
  const signature = await signer.sign(entrySigningMessage(body));
  return formatEntry(body, signature);
}
