// Checkpoints, c2sp.org/tlog-checkpoint@v1.0.0: the note text of a signed tree head.
//
//   <origin>\n                 non-empty; the log's identity
//   <tree size>\n              ASCII decimal, no leading zeros ("0" for the empty tree)
//   <root hash>\n              base64 of the 32-byte RFC 6962 root
//   [<extension line>\n]...    optional, non-empty, NOT RECOMMENDED
//
// Parsing is strict (tlog.md §11): the tree size must round-trip (String(n) === line), the root
// must decode to exactly 32 bytes of canonical base64, and nothing but "\n" ends a line.
//
// Policy: tree sizes are JavaScript numbers, so at most 2^53 − 1 (a larger size is refused).

import { UndersignedError } from './errors.ts';
import { fromBase64, toBase64 } from './bytes.ts';
import { HASH_SIZE } from './hash.ts';
import { isValidNoteText, MAX_NOTE_SIZE, openNote, type NoteSignature } from './note.ts';
import type { Verifier } from './note-key.ts';

/** The parsed note text of a checkpoint. */
export interface Checkpoint {
  origin: string;
  treeSize: number;
  rootHash: Uint8Array; // 32 bytes
  extensions: string[];
}

/** A checkpoint opened with the log's key: the checkpoint, its note text and its signatures. */
export interface OpenedCheckpoint {
  checkpoint: Checkpoint;
  text: string;
  verified: NoteSignature[];
  unverified: NoteSignature[];
}

function malformed(why: string): UndersignedError {
  return new UndersignedError('MALFORMED_CHECKPOINT', why);
}

/** Parses a checkpoint note text (verified by openNote first). Throws MALFORMED_CHECKPOINT. */
export function parseCheckpoint(text: string): Checkpoint {
  // A checkpoint is a note text: no controls but "\n", final newline, at most a note's size.
  if (text.length > MAX_NOTE_SIZE) throw malformed('checkpoint too large');
  if (!isValidNoteText(text)) throw malformed('not a note text ending in a newline');
  const [origin, size, root, ...extensions] = text.slice(0, -1).split('\n');
  if (origin === undefined || size === undefined || root === undefined) {
    throw malformed('fewer than 3 lines');
  }
  if (origin === '') throw malformed('empty origin');
  const treeSize = Number(size);
  if (!/^[0-9]+$/.test(size) || String(treeSize) !== size) {
    throw malformed('tree size is not canonical decimal');
  }
  if (!Number.isSafeInteger(treeSize)) throw malformed('tree size above 2^53 - 1');
  let rootHash: Uint8Array;
  try {
    rootHash = fromBase64(root, HASH_SIZE);
  } catch (cause) {
    throw new UndersignedError('MALFORMED_CHECKPOINT', 'root hash is not base64 of 32 bytes', {
      cause,
    });
  }
  if (extensions.includes('')) throw malformed('empty extension line');
  return { origin, treeSize, rootHash, extensions };
}

/** Formats a checkpoint note text. The inverse of parseCheckpoint. */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  const { origin, treeSize, rootHash, extensions } = checkpoint;
  if (!Number.isSafeInteger(treeSize) || treeSize < 0) {
    throw new RangeError('tree size must be an integer >= 0');
  }
  if (!(rootHash instanceof Uint8Array) || rootHash.length !== HASH_SIZE) {
    throw new RangeError(`root hash must be ${HASH_SIZE} bytes`);
  }
  for (const line of [origin, ...extensions]) {
    if (line === '' || line.includes('\n')) {
      throw new RangeError('origin and extension lines are non-empty lines');
    }
  }
  const text = [origin, String(treeSize), toBase64(rootHash), ...extensions, ''].join('\n');
  if (!isValidNoteText(text)) {
    throw new RangeError('checkpoint lines must have no control characters');
  }
  if (text.length > MAX_NOTE_SIZE) throw new RangeError('checkpoint too large');
  return text;
}

/**
 * Opens a checkpoint note signed by the log (`logVerifiers`) and parses it. With `origin`, the
 * checkpoint's origin must equal it; without, it must equal the name of a key that verified it
 * (tlog-checkpoint §Signatures: the log's key name SHOULD match the origin). Throws what openNote
 * throws, MALFORMED_CHECKPOINT, or WRONG_ORIGIN.
 */
export function openCheckpoint(
  input: Uint8Array | string,
  logVerifiers: readonly Verifier[],
  origin?: string
): OpenedCheckpoint {
  const { text, verified, unverified } = openNote(input, logVerifiers);
  const checkpoint = parseCheckpoint(text);
  const expected =
    origin === undefined
      ? verified.some((s) => s.name === checkpoint.origin)
      : checkpoint.origin === origin;
  if (!expected) {
    throw new UndersignedError('WRONG_ORIGIN', 'checkpoint origin is not the expected log');
  }
  return { checkpoint, text, verified, unverified };
}
