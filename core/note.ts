// Signed notes, c2sp.org/signed-note@v1.0.0, after Go's golang.org/x/mod/sumdb/note.
//
//   <text, ending in "\n">
//   "\n"
//   "— " <key name> " " base64(key ID (4, big-endian) || signature) "\n"     (one or more lines)
//
// §Format: valid UTF-8, no control characters below U+0020 but "\n"; the text (with its final
// newline, without the blank line) is separated from the signatures by the LAST blank line.
// §Signatures: lines whose (key name, key ID) match no known key are ignored; a failing known
// signature rejects the whole note; a note with no verified known signature is rejected.
//
// Policy: at most 100 signature lines and 1,000,000 bytes (the spec asks for at least 16 lines;
// Go caps lines at 100, Sunlight's tlogx caps notes at 1e6 bytes). Base64 is strict RFC 4648 §4
// (padded, zero pad bits), stricter than Go, which ignores pad bits.

import { UndersignedError } from './errors.ts';
import { concatBytes, fromBase64, readUint, toBase64, utf8Decode, utf8Encode } from './bytes.ts';
import { cosignatureVerifier } from './cosignature.ts';
import {
  ed25519Verifier,
  formatKeyHint,
  isValidKeyName,
  KEY_TYPE_ED25519,
  parseVerifierKey,
  type Signer,
  type Verifier,
  type VerifierKey,
} from './note-key.ts';

/** The largest note we parse, in bytes (Policy, see above). */
export const MAX_NOTE_SIZE = 1_000_000;
/** The most signature lines we parse in one note (Policy, see above). */
export const MAX_SIGNATURES = 100;

const SIGNATURE_PREFIX = '\u2014 '; // em dash U+2014 (E2 80 94), space

/** One signature line: the key name, the key ID, and the signature bytes after the key ID. */
export interface NoteSignature {
  name: string;
  keyId: number; // uint32
  signature: Uint8Array;
}

/** A parsed note: its text (ending in "\n") and its signature lines, in order. */
export interface Note {
  text: string;
  signatures: NoteSignature[];
}

/** An opened note: the text, the signatures by known keys (verified, one per key) and the rest. */
export interface OpenedNote {
  text: string;
  verified: NoteSignature[];
  unverified: NoteSignature[];
}

function malformed(why: string): UndersignedError {
  return new UndersignedError('MALFORMED_NOTE', why);
}

// eslint-disable-next-line no-control-regex -- controls are exactly what this refuses
const FORBIDDEN = /[\u0000-\u0009\u000b-\u001f]/u; // ASCII controls but "\n", §Format
const LONE_SURROGATE = /\p{Cs}/u; // not encodable as UTF-8

/** Whether `text` can be a note text: ends in "\n", no forbidden controls, encodable as UTF-8. */
export function isValidNoteText(text: string): boolean {
  return text.endsWith('\n') && !FORBIDDEN.test(text) && !LONE_SURROGATE.test(text);
}

function decodeNote(input: Uint8Array | string): string {
  if (typeof input === 'string') {
    if (input.length > MAX_NOTE_SIZE) throw malformed(`note larger than ${MAX_NOTE_SIZE} bytes`);
    if (LONE_SURROGATE.test(input)) throw malformed('note is not valid UTF-8');
    input = utf8Encode(input);
  }
  if (input.length > MAX_NOTE_SIZE) throw malformed(`note larger than ${MAX_NOTE_SIZE} bytes`);
  try {
    return utf8Decode(input);
  } catch (cause) {
    throw new UndersignedError('MALFORMED_NOTE', 'note is not valid UTF-8', { cause });
  }
}

function parseSignatureLine(line: string): NoteSignature {
  if (!line.startsWith(SIGNATURE_PREFIX)) {
    throw malformed('signature line does not start with an em dash and a space');
  }
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  const name = space < 0 ? rest : rest.slice(0, space);
  if (!isValidKeyName(name)) throw malformed('invalid key name in a signature line');
  if (space < 0) throw malformed('signature line has no signature');
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(rest.slice(space + 1));
  } catch (cause) {
    throw new UndersignedError('MALFORMED_NOTE', 'signature is not strict base64', { cause });
  }
  if (bytes.length < 5) throw malformed('signature shorter than 5 bytes');
  return { name, keyId: readUint(bytes, 0, 4), signature: bytes.slice(4) };
}

/** Parses a signed note without verifying it (the text MUST then be ignored). Throws MALFORMED_NOTE. */
export function parseNote(input: Uint8Array | string): Note {
  const note = decodeNote(input);
  if (FORBIDDEN.test(note)) throw malformed('control character in note');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw malformed('no blank line before the signatures');
  const block = note.slice(split + 2);
  if (block === '' || !block.endsWith('\n')) {
    throw malformed('no signature lines ending in a newline');
  }
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw malformed(`more than ${MAX_SIGNATURES} signatures`);
  return { text: note.slice(0, split + 1), signatures: lines.map(parseSignatureLine) };
}

function formatSignatureLine(sig: NoteSignature): string {
  if (!isValidKeyName(sig.name)) throw new RangeError('invalid key name');
  if (!Number.isInteger(sig.keyId) || sig.keyId < 0 || sig.keyId > 0xffffffff) {
    throw new RangeError('key ID must be a uint32');
  }
  if (!(sig.signature instanceof Uint8Array) || sig.signature.length === 0) {
    throw new RangeError('signature must be non-empty bytes');
  }
  const id = new Uint8Array(4);
  new DataView(id.buffer).setUint32(0, sig.keyId);
  return `${SIGNATURE_PREFIX}${sig.name} ${toBase64(concatBytes(id, sig.signature))}\n`;
}

/** Formats a note: text, blank line, signature lines. The inverse of parseNote. */
export function formatNote(note: Note): string {
  if (!isValidNoteText(note.text)) {
    throw new RangeError('note text must end in a newline and have no controls');
  }
  const count = note.signatures.length;
  if (count === 0 || count > MAX_SIGNATURES) {
    throw new RangeError(`a note has 1 to ${MAX_SIGNATURES} signatures`);
  }
  const out = `${note.text}\n${note.signatures.map(formatSignatureLine).join('')}`;
  if (utf8Encode(out).length > MAX_NOTE_SIZE) {
    throw new RangeError(`note larger than ${MAX_NOTE_SIZE} bytes`);
  }
  return out;
}

/**
 * Signs a note text (or adds signatures to a parsed note) with `signers`. Existing lines of the
 * same (key name, key ID) are replaced; the others are kept first, as Go's note.Sign does.
 */
export function signNote(note: string | Note, signers: readonly Signer[]): string {
  const base = typeof note === 'string' ? { text: note, signatures: [] } : note;
  if (!isValidNoteText(base.text)) {
    throw new RangeError('note text must end in a newline and have no controls');
  }
  const text = utf8Encode(base.text);
  const replaced = new Set(signers.map((s) => formatKeyHint(s.name, s.keyId)));
  const kept = base.signatures.filter((s) => !replaced.has(formatKeyHint(s.name, s.keyId)));
  const fresh = signers.map((s) => ({ name: s.name, keyId: s.keyId, signature: s.sign(text) }));
  return formatNote({ text: base.text, signatures: [...kept, ...fresh] });
}

/**
 * Opens a signed note with the `verifiers` of the known keys (signed-note §Signatures). Throws
 * MALFORMED_NOTE, INVALID_SIGNATURE (a known key's signature fails: the whole note is rejected)
 * or UNVERIFIED_NOTE (no signature by a known key).
 *
 * Identical repeated lines count once, as in Go. Policy: unlike Go, which skips later lines of a
 * known key unverified, every distinct line of a known key is verified; `verified` lists each
 * key once, with its first line.
 */
export function openNote(input: Uint8Array | string, verifiers: readonly Verifier[]): OpenedNote {
  const known = new Map<string, Verifier>();
  for (const v of verifiers) {
    const hint = formatKeyHint(v.name, v.keyId);
    if (known.has(hint)) throw new RangeError(`two verifiers for key ${hint}`);
    known.set(hint, v);
  }
  const note = parseNote(input);
  const text = utf8Encode(note.text);
  const seenLines = new Set<string>();
  const seenKeys = new Set<string>();
  const verified: NoteSignature[] = [];
  const unverified: NoteSignature[] = [];
  for (const sig of note.signatures) {
    const hint = formatKeyHint(sig.name, sig.keyId);
    const line = `${hint} ${toBase64(sig.signature)}`;
    if (seenLines.has(line)) continue;
    seenLines.add(line);
    const verifier = known.get(hint);
    if (verifier === undefined) {
      unverified.push(sig);
      continue;
    }
    if (!verifier.verify(text, sig.signature)) {
      throw new UndersignedError('INVALID_SIGNATURE', `invalid signature for key ${hint}`);
    }
    if (!seenKeys.has(hint)) verified.push(sig);
    seenKeys.add(hint);
  }
  if (verified.length === 0) {
    throw new UndersignedError('UNVERIFIED_NOTE', 'no signature by a known key');
  }
  return { text: note.text, verified, unverified };
}

/** The verifier of a vkey (or parsed key): Ed25519 for type 0x01, cosignature/v1 for type 0x04. */
export function newVerifier(key: string | VerifierKey): Verifier {
  const parsed = typeof key === 'string' ? parseVerifierKey(key) : key;
  return parsed.type === KEY_TYPE_ED25519 ? ed25519Verifier(parsed) : cosignatureVerifier(parsed);
}
