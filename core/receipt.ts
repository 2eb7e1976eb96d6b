// Receipts (docs/PROTOCOL.md §9): a c2sp.org/tlog-proof@v1 file whose extra line holds the entry,
// so that anyone can check, without the signer's key, that the entry counts for a letter and is
// in a log's signed tree.
//
//   c2sp.org/tlog-proof@v1\n
//   extra <base64 entry>\n
//   index <decimal, no leading zeros>\n
//   <base64 hash>\n                  zero or more: the inclusion proof, leaf's sibling first
//   \n
//   <signed checkpoint note>         verbatim, with its cosignatures (c2sp.org/tlog-checkpoint)
//
// Parsing is strict: one encoding per receipt (formatReceipt(parseReceipt(s)) === s), canonical
// base64 of exactly 32 bytes per hash, a round-tripping index, size caps on everything.
// Policy: the extra line is optional in tlog-proof but required here, since the leaf is the entry.

import { UndersignedError } from './errors.ts';
import { equalBytes, fromBase64, toBase64, utf8Decode } from './bytes.ts';
import { HASH_SIZE } from './hash.ts';
import { checkRecord, recordHash } from './merkle.ts';
import { MAX_NOTE_SIZE, parseNote } from './note.ts';
import { openCheckpoint, parseCheckpoint, type Checkpoint } from './checkpoint.ts';
import type { Verifier } from './note-key.ts';
import { entrySigningMessage, MAX_ENTRY_SIZE, type Entry } from './entry.ts';
import { checkEntry } from './entry-check.ts';
import { verifyEd25519 } from './ed25519.ts';
import { letterId, type Letter } from './letter.ts';
import { parseLogOrigin } from './origin.ts';

/** The first line of every receipt. */
export const RECEIPT_HEADER = 'c2sp.org/tlog-proof@v1';
/** More hashes than an inclusion proof in a tree of 2^53 leaves can have. */
export const MAX_PROOF_HASHES = 64;
/** The largest receipt: a checkpoint note at its cap plus the lines before it. */
export const MAX_RECEIPT_SIZE = MAX_NOTE_SIZE + 8192;

/** A parsed receipt. `checkpoint` is the signed note, verbatim; nothing in it is checked yet. */
export type Receipt = {
  readonly entry: Uint8Array;
  readonly index: number;
  readonly proof: readonly Uint8Array[];
  readonly checkpoint: string;
};

/** A receipt that checkReceipt accepted. */
export type CheckedReceipt = {
  readonly entry: Entry;
  readonly index: number;
  readonly checkpoint: Checkpoint;
  /** Names of the keys (the log's, and any witness given) whose signatures verified. */
  readonly signedBy: readonly string[];
};

/** Formats a receipt. The inverse of parseReceipt. */
export function formatReceipt(receipt: Receipt): string {
  const { entry, index, proof, checkpoint } = receipt;
  if (!(entry instanceof Uint8Array) || entry.length === 0 || entry.length > MAX_ENTRY_SIZE) {
    throw new RangeError(`"entry" expected 1..${MAX_ENTRY_SIZE} bytes`);
  }
  if (!Number.isSafeInteger(index) || index < 0)
    throw new RangeError('"index" expected a safe integer >= 0');
  if (proof.length > MAX_PROOF_HASHES)
    throw new RangeError(`"proof" expected at most ${MAX_PROOF_HASHES} hashes`);
  for (const h of proof) {
    if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE)
      throw new RangeError(`proof hashes must be ${HASH_SIZE} bytes`);
  }
  if (typeof checkpoint !== 'string' || !checkpoint.endsWith('\n'))
    throw new RangeError('"checkpoint" expected a signed note');
  const lines = [
    RECEIPT_HEADER,
    `extra ${toBase64(entry)}`,
    `index ${index}`,
    ...proof.map((h) => toBase64(h)),
  ];
  return `${lines.join('\n')}\n\n${checkpoint}`;
}

/** Parses a receipt strictly, including the form of its checkpoint note. Throws MALFORMED_RECEIPT. */
export function parseReceipt(input: string | Uint8Array): Receipt {
  if (input.length > MAX_RECEIPT_SIZE) throw malformed('receipt is too large');
  let text: string;
  try {
    text = typeof input === 'string' ? input : utf8Decode(input);
  } catch {
    throw malformed('receipt is not valid UTF-8');
  }
  // The proof lines are non-empty, so the first blank line ends them; the checkpoint note after
  // it has a blank line of its own.
  const split = text.indexOf('\n\n');
  if (split < 0) throw malformed('receipt has no blank line before the checkpoint');
  const [header, extra, indexLine, ...hashLines] = text.slice(0, split).split('\n');
  const checkpoint = text.slice(split + 2);
  if (header !== RECEIPT_HEADER) throw malformed(`receipt does not start with ${RECEIPT_HEADER}`);
  if (extra === undefined || !extra.startsWith('extra '))
    throw malformed('receipt has no extra line with the entry');
  const entry = decode(extra.slice('extra '.length), undefined, 'entry');
  if (entry.length === 0 || entry.length > MAX_ENTRY_SIZE)
    throw malformed('receipt entry has a bad length');
  const indexText =
    indexLine?.startsWith('index ') === true ? indexLine.slice('index '.length) : '';
  const index = Number(indexText);
  if (!/^(0|[1-9][0-9]*)$/.test(indexText) || !Number.isSafeInteger(index)) {
    throw malformed('receipt index is not a canonical decimal below 2^53');
  }
  if (hashLines.length > MAX_PROOF_HASHES) throw malformed('receipt has too many proof lines');
  const proof = hashLines.map((line) => decode(line, HASH_SIZE, 'proof hash'));
  try {
    parseCheckpoint(parseNote(checkpoint).text);
  } catch (cause) {
    throw new UndersignedError(
      'MALFORMED_RECEIPT',
      'receipt checkpoint is not a signed checkpoint',
      { cause }
    );
  }
  return { entry, index, proof, checkpoint };
}

/**
 * Checks a receipt (docs/PROTOCOL.md §9), as a checklist:
 *   1. the checkpoint is signed by one of `logKeys` and its origin is that key's name;
 *   2. the origin names `letter` (§6.2);
 *   3. the entry counts for the letter (§5): format, letter ID, key, stamp, signature;
 *   4. its leaf hash is leaf `index` of the checkpoint's tree (RFC 9162 §2.1.3.2).
 * Witness keys may be passed in `logKeys` too; their cosignatures are then checked and listed.
 * Throws MALFORMED_RECEIPT, what openCheckpoint throws, WRONG_ORIGIN, a §5 reject code, or
 * INVALID_PROOF.
 */
export function checkReceipt(
  receipt: string | Uint8Array | Receipt,
  logKeys: readonly Verifier[],
  letter: Letter
): CheckedReceipt {
  const parsed =
    typeof receipt === 'string' || receipt instanceof Uint8Array ? parseReceipt(receipt) : receipt;
  const opened = openCheckpoint(parsed.checkpoint, logKeys);
  const { checkpoint } = opened;
  const id = letterId(letter);
  if (!equalBytes(parseLogOrigin(checkpoint.origin).letterId, id)) {
    throw new UndersignedError('WRONG_ORIGIN', 'receipt checkpoint is of a log of another letter');
  }
  const verdict = checkEntry(parsed.entry, id, letter.stampBits);
  if (!verdict.ok) throw new UndersignedError(verdict.code, verdict.reason);
  const { entry } = verdict;
  if (!verifyEd25519(entry.publicKey, entrySigningMessage(entry.body), entry.signature)) {
    throw new UndersignedError('BAD_ENTRY_SIGNATURE', 'entry signature does not verify');
  }
  if (
    !checkRecord(
      parsed.proof,
      checkpoint.treeSize,
      checkpoint.rootHash,
      parsed.index,
      recordHash(parsed.entry)
    )
  ) {
    throw new UndersignedError(
      'INVALID_PROOF',
      `entry is not leaf ${parsed.index} of the checkpoint's tree`
    );
  }
  return { entry, index: parsed.index, checkpoint, signedBy: opened.verified.map((s) => s.name) };
}

function decode(text: string, length: number | undefined, what: string): Uint8Array {
  try {
    return fromBase64(text, length);
  } catch (cause) {
    throw new UndersignedError('MALFORMED_RECEIPT', `receipt ${what} is not canonical base64`, {
      cause,
    });
  }
}

function malformed(why: string): UndersignedError {
  return new UndersignedError('MALFORMED_RECEIPT', why);
}
