// Letters (docs/PROTOCOL.md §2): a title, a Markdown text and the stamp difficulty that a signer
// agrees to, in one canonical encoding. The encoding is also the letter file, and its SHA-256 is
// the letter ID. Where a letter can be fetched from is not part of it.
//
//   undersigned/letter/v1\n
//   <title>\n
//   stamp-bits <decimal 0..32>\n
//   \n
//   <text: one or more lines, each ending in \n>

import { UndersignedError } from './errors.ts';
import { equalBytes, toHex, utf8Decode, utf8Encode } from './bytes.ts';
import { sha256 } from './hash.ts';
import { fieldTextProblem, isAllowedInLetterText } from './text.ts';

export const LETTER_HEADER = 'undersigned/letter/v1';
export const MAX_TITLE_BYTES = 256;
export const MAX_LETTER_TEXT_BYTES = 65_536;
export const MAX_STAMP_BITS = 32;

export type Letter = {
  /** One line, NFC, at most MAX_TITLE_BYTES bytes. */
  readonly title: string;
  /** Canonical Markdown: NFC, LF line endings, no trailing white space, ends in one \n. */
  readonly text: string;
  /** Leading zero bits each entry's stamp must have (docs/PROTOCOL.md §3.4); 0 for none. */
  readonly stampBits: number;
};

/**
 * Puts text typed by a letter's author into canonical form: NFC, LF line endings, no white
 * space at line ends, no blank lines at the start or end, and one final \n.
 */
export function canonicalizeLetterText(raw: string): string {
  const lines = raw
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/[ \t]+$/, ''));
  while (lines.length > 0 && lines[0] === '') lines.shift();
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.join('\n') + '\n';
}

/** Makes a letter from an author's input, canonicalizing the text; throws MALFORMED_LETTER. */
export function createLetter(input: { title: string; text: string; stampBits?: number }): Letter {
  const letter = {
    title: input.title.normalize('NFC').trim(),
    text: canonicalizeLetterText(input.text),
    stampBits: input.stampBits ?? 0,
  };
  checkLetter(letter);
  return letter;
}

/** The canonical encoding of a letter, which is also the content of a letter file. */
export function formatLetter(letter: Letter): Uint8Array {
  checkLetter(letter);
  return utf8Encode(
    `${LETTER_HEADER}\n${letter.title}\nstamp-bits ${letter.stampBits}\n\n${letter.text}`
  );
}

/** Parses a letter file; only the canonical encoding is accepted. Throws MALFORMED_LETTER. */
export function parseLetter(bytes: Uint8Array): Letter {
  if (bytes.length > MAX_LETTER_TEXT_BYTES + MAX_TITLE_BYTES + 64) throw malformed('is too long');
  let source: string;
  try {
    source = utf8Decode(bytes);
  } catch {
    throw malformed('is not valid UTF-8');
  }
  const match = /^undersigned\/letter\/v1\n([^\n]*)\nstamp-bits (0|[1-9][0-9]?)\n\n([\s\S]*)$/.exec(
    source
  );
  if (!match) throw malformed(`does not start with the ${LETTER_HEADER} header lines`);
  const letter = { title: match[1] ?? '', stampBits: Number(match[2]), text: match[3] ?? '' };
  if (!equalBytes(formatLetter(letter), bytes)) throw malformed('is not in canonical form');
  return letter;
}

/** The letter ID: SHA-256 of the letter's canonical encoding (docs/PROTOCOL.md §2.2). */
export function letterId(letter: Letter): Uint8Array {
  return sha256(formatLetter(letter));
}

/** The letter ID as 64 lowercase hex digits, as it appears in log origins and URLs. */
export function letterIdHex(letter: Letter): string {
  return toHex(letterId(letter));
}

function checkLetter(letter: Letter): void {
  const titleProblem = fieldTextProblem(letter.title, MAX_TITLE_BYTES);
  if (titleProblem !== undefined) throw malformed(`title ${titleProblem}`);
  if (letter.title === '') throw malformed('title is empty');
  if (
    !Number.isInteger(letter.stampBits) ||
    letter.stampBits < 0 ||
    letter.stampBits > MAX_STAMP_BITS
  ) {
    throw malformed(`stamp bits must be an integer from 0 to ${MAX_STAMP_BITS}`);
  }
  const { text } = letter;
  if (text.normalize('NFC') !== text) throw malformed('text is not in Unicode NFC');
  if (canonicalizeLetterText(text) !== text) throw malformed('text is not in canonical form');
  if (text.trim() === '') throw malformed('text is empty');
  if (utf8Encode(text).length > MAX_LETTER_TEXT_BYTES) {
    throw malformed(`text is longer than ${MAX_LETTER_TEXT_BYTES} bytes`);
  }
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (!isAllowedInLetterText(cp)) {
      throw malformed(
        `text contains the refused code point U+${cp.toString(16).toUpperCase().padStart(4, '0')}`
      );
    }
  }
}

function malformed(why: string): UndersignedError {
  return new UndersignedError('MALFORMED_LETTER', `letter ${why}`);
}
