// Entries, the leaves of every log (docs/PROTOCOL.md §3): one signed statement by one
// pseudonymous Ed25519 key about one letter, sign or withdraw, in exactly one byte encoding.
//
//   offset  size  field
//   0       1     version = 0x01
//   1       1     kind: 0x01 sign, 0x02 withdraw
//   2       32    letter ID
//   34      32    public key (Ed25519, RFC 8032)
//   66      8     stamp nonce
//   74      1     name length N (0..64)
//   75      N     display name (UTF-8)
//   .       1     affiliation length M (0..64)
//   .       M     affiliation (UTF-8)
//   .       2     extensions length X (big-endian uint16)
//   .       X     extensions: (type uint8, length uint16 BE, value) with strictly ascending types
//   .       64    Ed25519 signature over SIGNING_CONTEXT || all the bytes above (the body)
//
// At most MAX_ENTRY_SIZE bytes. Nothing in an entry identifies its signer beyond what they typed:
// no time, no address, no client details.

import { UndersignedError } from './errors.ts';
import { concatBytes, readUint, utf8Decode, utf8Encode, writeUint } from './bytes.ts';
import { fieldTextProblem } from './text.ts';
import { STAMP_NONCE_SIZE } from './stamp.ts';

export const ENTRY_VERSION = 0x01;
export const MAX_ENTRY_SIZE = 1024;
export const MAX_NAME_BYTES = 64;
export const MAX_AFFILIATION_BYTES = 64;
export const SIGNING_CONTEXT: Uint8Array = utf8Encode('undersigned/entry/v1\0');
export const NONCE_OFFSET = 66;

const KIND_BYTES = { sign: 0x01, withdraw: 0x02 } as const;
const FIXED_PREFIX = 74; // version, kind, letter ID, public key, stamp nonce
const MIN_ENTRY_SIZE = FIXED_PREFIX + 1 + 1 + 2 + 64;

export type EntryKind = keyof typeof KIND_BYTES;

/** An extension field, room for later statements such as attestations. */
export type EntryExtension = { readonly type: number; readonly value: Uint8Array };

export type EntryFields = {
  readonly kind: EntryKind;
  readonly letterId: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly stampNonce: Uint8Array;
  /** Display name, may be empty; always empty in a withdraw entry. */
  readonly name: string;
  /** Self-declared affiliation, may be empty; always empty in a withdraw entry. */
  readonly affiliation: string;
  readonly extensions: readonly EntryExtension[];
};

export type Entry = EntryFields & {
  readonly signature: Uint8Array;
  /** The signed bytes: the whole entry but its last 64 bytes. */
  readonly body: Uint8Array;
};

/** Encodes the body of an entry (everything but the signature). Throws MALFORMED_ENTRY. */
export function formatEntryBody(fields: EntryFields): Uint8Array {
  checkLength(fields.letterId, 32, 'letter ID');
  checkLength(fields.publicKey, 32, 'public key');
  checkLength(fields.stampNonce, STAMP_NONCE_SIZE, 'stamp nonce');
  checkText(fields.name, MAX_NAME_BYTES, 'name');
  checkText(fields.affiliation, MAX_AFFILIATION_BYTES, 'affiliation');
  if (fields.kind === 'withdraw' && (fields.name !== '' || fields.affiliation !== '')) {
    throw malformed('a withdraw entry carries no name or affiliation');
  }
  const name = utf8Encode(fields.name);
  const affiliation = utf8Encode(fields.affiliation);
  const extensions = formatExtensions(fields.extensions);
  const head = new Uint8Array(FIXED_PREFIX);
  head[0] = ENTRY_VERSION;
  head[1] = KIND_BYTES[fields.kind];
  head.set(fields.letterId, 2);
  head.set(fields.publicKey, 34);
  head.set(fields.stampNonce, NONCE_OFFSET);
  const extLength = new Uint8Array(2);
  writeUint(extLength, 0, 2, extensions.length);
  const body = concatBytes(
    head,
    Uint8Array.of(name.length),
    name,
    Uint8Array.of(affiliation.length),
    affiliation,
    extLength,
    extensions
  );
  if (body.length + 64 > MAX_ENTRY_SIZE) throw malformed(`is longer than ${MAX_ENTRY_SIZE} bytes`);
  return body;
}

/** The message an entry's signature covers: SIGNING_CONTEXT || body. */
export function entrySigningMessage(body: Uint8Array): Uint8Array<ArrayBuffer> {
  return concatBytes(SIGNING_CONTEXT, body);
}

/** Joins a body and its signature into an entry's bytes. */
export function formatEntry(body: Uint8Array, signature: Uint8Array): Uint8Array {
  checkLength(signature, 64, 'signature');
  return concatBytes(body, signature);
}

/**
 * Parses an entry strictly: every length consistent, no trailing bytes, text fields valid,
 * extensions in strictly ascending type order. It checks neither the signature, the letter nor
 * the stamp (see checkEntry). Throws MALFORMED_ENTRY.
 */
export function parseEntry(bytes: Uint8Array): Entry {
  if (bytes.length < MIN_ENTRY_SIZE) throw malformed(`is shorter than ${MIN_ENTRY_SIZE} bytes`);
  if (bytes.length > MAX_ENTRY_SIZE) throw malformed(`is longer than ${MAX_ENTRY_SIZE} bytes`);
  if (bytes[0] !== ENTRY_VERSION) throw malformed(`has unknown version ${bytes[0] ?? 0}`);
  const kindByte = bytes[1];
  const kind: EntryKind | undefined =
    kindByte === 0x01 ? 'sign' : kindByte === 0x02 ? 'withdraw' : undefined;
  if (kind === undefined) throw malformed(`has unknown kind ${kindByte ?? 0}`);
  const bodyEnd = bytes.length - 64;
  let at = FIXED_PREFIX;
  const readField = (max: number, title: string): string => {
    const length = bytes[at] ?? 0;
    if (length > max) throw malformed(`${title} is longer than ${max} bytes`);
    if (at + 1 + length > bodyEnd) throw malformed(`${title} runs past the end`);
    let text: string;
    try {
      text = utf8Decode(bytes.subarray(at + 1, at + 1 + length));
    } catch {
      throw malformed(`${title} is not valid UTF-8`);
    }
    at += 1 + length;
    checkText(text, max, title);
    return text;
  };
  const name = readField(MAX_NAME_BYTES, 'name');
  const affiliation = readField(MAX_AFFILIATION_BYTES, 'affiliation');
  if (at + 2 > bodyEnd) throw malformed('extensions length runs past the end');
  const extLength = readUint(bytes, at, 2);
  at += 2;
  if (at + extLength !== bodyEnd)
    throw malformed('extensions length does not match the entry size');
  const extensions = parseExtensions(bytes.subarray(at, bodyEnd));
  if (kind === 'withdraw' && (name !== '' || affiliation !== '')) {
    throw malformed('a withdraw entry carries no name or affiliation');
  }
  return {
    kind,
    letterId: bytes.subarray(2, 34),
    publicKey: bytes.subarray(34, 66),
    stampNonce: bytes.subarray(NONCE_OFFSET, FIXED_PREFIX),
    name,
    affiliation,
    extensions,
    body: bytes.subarray(0, bodyEnd),
    signature: bytes.subarray(bodyEnd),
  };
}

function formatExtensions(extensions: readonly EntryExtension[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let previous = -1;
  for (const { type, value } of extensions) {
    if (!Number.isInteger(type) || type < 0 || type > 255)
      throw malformed('extension type must be 0..255');
    if (type <= previous) throw malformed('extension types must be strictly ascending');
    if (value.length > 0xffff) throw malformed('extension value is too long');
    previous = type;
    const head = new Uint8Array(3);
    head[0] = type;
    writeUint(head, 1, 2, value.length);
    parts.push(head, value);
  }
  return concatBytes(...parts);
}

function parseExtensions(bytes: Uint8Array): EntryExtension[] {
  const out: EntryExtension[] = [];
  let at = 0;
  let previous = -1;
  while (at < bytes.length) {
    if (at + 3 > bytes.length) throw malformed('extension header runs past the end');
    const type = bytes[at] ?? 0;
    const length = readUint(bytes, at + 1, 2);
    if (type <= previous) throw malformed('extension types are not strictly ascending');
    if (at + 3 + length > bytes.length) throw malformed('extension value runs past the end');
    out.push({ type, value: bytes.subarray(at + 3, at + 3 + length) });
    previous = type;
    at += 3 + length;
  }
  return out;
}

function checkLength(value: Uint8Array, length: number, title: string): void {
  if (!(value instanceof Uint8Array)) throw new TypeError(`"${title}" expected Uint8Array`);
  if (value.length !== length)
    throw new RangeError(`"${title}" expected ${length} bytes, got ${value.length}`);
}

function checkText(text: string, maxBytes: number, title: string): void {
  const problem = fieldTextProblem(text, maxBytes);
  if (problem !== undefined) throw malformed(`${title} ${problem}`);
}

function malformed(why: string): UndersignedError {
  return new UndersignedError('MALFORMED_ENTRY', `entry ${why}`);
}
