// Gossip messages of a letter's topic (docs/PROTOCOL.md §8.2): the first byte is the type.
//
//   0x01 entry        one entry (§3.1)
//   0x02 checkpoint   "undersigned/checkpoint/v1" LF "vkey " vkey LF ("cid " CID LF)? ("url " URL LF)* LF note
//   0x03 cosignature  "undersigned/cosignature/v1" LF "vkey " witness vkey LF LF note
//
// Parsing is strict and structural (the vkey parses, the note parses); signatures are checked
// by the receiver (receiver.ts). A type we do not know parses as 'unknown': receivers ignore it.

import { concatBytes, utf8Decode, utf8Encode } from '../../core/bytes.ts';
import { MAX_ENTRY_SIZE } from '../../core/entry.ts';
import { UndersignedError } from '../../core/errors.ts';
import { parseNote } from '../../core/note.ts';
import { parseVerifierKey, type VerifierKey } from '../../core/note-key.ts';

export const ENTRY_MESSAGE = 0x01;
export const CHECKPOINT_MESSAGE = 0x02;
export const COSIGNATURE_MESSAGE = 0x03;

const CHECKPOINT_HEADER = 'undersigned/checkpoint/v1';
const COSIGNATURE_HEADER = 'undersigned/cosignature/v1';
/** At most this many url lines, each at most MAX_URL characters. */
export const MAX_URLS = 8;
const MAX_URL = 512;
const CID = /^b[a-z2-7]{20,120}$/; // CIDv1, multibase base32 (lowercase)

/** A parsed message. */
export type GossipMessage =
  | { readonly type: 'entry'; readonly entry: Uint8Array }
  | {
      readonly type: 'checkpoint';
      readonly vkey: string;
      readonly key: VerifierKey;
      readonly cid: string | undefined;
      readonly urls: readonly string[];
      readonly note: string;
    }
  | {
      readonly type: 'cosignature';
      readonly vkey: string;
      readonly key: VerifierKey;
      readonly note: string;
    }
  | { readonly type: 'unknown' };

/** An entry message. */
export function formatEntryMessage(entry: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(ENTRY_MESSAGE), entry);
}

/** A checkpoint announcement: the log's vkey, its tiles' directory CID, its HTTP base URLs. */
export function formatCheckpointMessage(m: {
  vkey: string;
  cid?: string | undefined;
  urls: readonly string[];
  note: string;
}): Uint8Array {
  const lines = [CHECKPOINT_HEADER, `vkey ${m.vkey}`];
  if (m.cid !== undefined) lines.push(`cid ${m.cid}`);
  for (const url of m.urls) lines.push(`url ${url}`);
  return concatBytes(
    Uint8Array.of(CHECKPOINT_MESSAGE),
    utf8Encode(`${lines.join('\n')}\n\n${m.note}`)
  );
}

/** A cosignature: the witness vkey and the checkpoint note with the cosignature line. */
export function formatCosignatureMessage(m: { vkey: string; note: string }): Uint8Array {
  return concatBytes(
    Uint8Array.of(COSIGNATURE_MESSAGE),
    utf8Encode(`${COSIGNATURE_HEADER}\nvkey ${m.vkey}\n\n${m.note}`)
  );
}

/** Parses a message. Throws MALFORMED_MESSAGE (or what parseNote throws) for a known type. */
export function parseGossipMessage(data: Uint8Array): GossipMessage {
  if (!(data instanceof Uint8Array)) throw new TypeError('"data" expected Uint8Array');
  if (data.length === 0) throw malformed('empty message');
  const body = data.subarray(1);
  switch (data[0]) {
    case ENTRY_MESSAGE:
      if (body.length === 0 || body.length > MAX_ENTRY_SIZE) throw malformed('bad entry size');
      return { type: 'entry', entry: body.slice() };
    case CHECKPOINT_MESSAGE:
      return parseCheckpointMessage(body);
    case COSIGNATURE_MESSAGE:
      return parseCosignatureMessage(body);
    default:
      return { type: 'unknown' };
  }
}

/** Splits `header LF line… LF LF note`: the lines between the header and the blank line. */
function splitHeader(body: Uint8Array, header: string): { lines: string[]; note: string } {
  let text: string;
  try {
    text = utf8Decode(body);
  } catch {
    throw malformed('message is not UTF-8');
  }
  const end = text.indexOf('\n\n');
  if (end < 0) throw malformed('message has no blank line before its note');
  const lines = text.slice(0, end).split('\n');
  if (lines[0] !== header) throw malformed('message has the wrong header');
  const note = text.slice(end + 2);
  parseNote(note); // MALFORMED_NOTE
  return { lines: lines.slice(1), note };
}

function parseKeyLine(line: string | undefined): { vkey: string; key: VerifierKey } {
  if (line?.startsWith('vkey ') !== true) throw malformed('message lacks its vkey line');
  const vkey = line.slice('vkey '.length);
  try {
    return { vkey, key: parseVerifierKey(vkey) };
  } catch {
    throw malformed('message vkey does not parse');
  }
}

function parseCheckpointMessage(body: Uint8Array): GossipMessage {
  const { lines, note } = splitHeader(body, CHECKPOINT_HEADER);
  const { vkey, key } = parseKeyLine(lines[0]);
  let i = 1;
  let cid: string | undefined;
  if (lines[i]?.startsWith('cid ') === true) {
    cid = (lines[i] as string).slice('cid '.length);
    if (!CID.test(cid)) throw malformed('message cid is not a base32 CIDv1');
    i++;
  }
  const urls: string[] = [];
  for (; i < lines.length; i++) {
    const line = lines[i] as string;
    if (!line.startsWith('url ')) throw malformed('unexpected line in checkpoint message');
    const url = line.slice('url '.length);
    if (urls.length >= MAX_URLS || !isHttpUrl(url)) throw malformed('bad url line');
    urls.push(url);
  }
  return { type: 'checkpoint', vkey, key, cid, urls, note };
}

function parseCosignatureMessage(body: Uint8Array): GossipMessage {
  const { lines, note } = splitHeader(body, COSIGNATURE_HEADER);
  if (lines.length !== 1) throw malformed('unexpected line in cosignature message');
  return { type: 'cosignature', ...parseKeyLine(lines[0]), note };
}

/** An absolute http(s) URL with no credentials, query or fragment, ending in "/". */
function isHttpUrl(text: string): boolean {
  if (text.length > MAX_URL) return false;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  return (
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    url.username === '' &&
    url.password === '' &&
    url.search === '' &&
    url.hash === '' &&
    url.href === text &&
    text.endsWith('/')
  );
}

function malformed(why: string): UndersignedError {
  return new UndersignedError('MALFORMED_MESSAGE', why);
}
