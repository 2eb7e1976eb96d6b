import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  canonicalizeLetterText,
  createLetter,
  formatLetter,
  letterIdHex,
  parseLetter,
} from '../../core/letter.ts';
import { isUndersignedError } from '../../core/errors.ts';
import { utf8Decode, utf8Encode } from '../../core/bytes.ts';

const letter = createLetter({
  title: 'We will not build it',
  text: 'We, the undersigned,\r\nrefuse.  \n\n\n',
  stampBits: 8,
});

describe('canonicalizeLetterText', () => {
  it('applies NFC, LF line endings, no trailing white space, one final newline', () => {
    expect(canonicalizeLetterText('\n\n  a\u0301 \t\r\nb\rc\n\n')).toBe('  á\nb\nc\n');
  });
  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const once = canonicalizeLetterText(s);
        expect(canonicalizeLetterText(once)).toBe(once);
      })
    );
  });
});

describe('formatLetter / parseLetter', () => {
  it('formats the canonical letter file', () => {
    expect(utf8Decode(formatLetter(letter))).toBe(
      'undersigned/letter/v1\nWe will not build it\nstamp-bits 8\n\nWe, the undersigned,\nrefuse.\n'
    );
  });
  it('round-trips', () => {
    expect(parseLetter(formatLetter(letter))).toEqual(letter);
  });
  it('gives a letter ID that depends on every field', () => {
    const id = letterIdHex(letter);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(letterIdHex({ ...letter, stampBits: 9 })).not.toBe(id);
    expect(letterIdHex({ ...letter, title: 'We will not build it!' })).not.toBe(id);
    expect(letterIdHex({ ...letter, text: 'We, the undersigned,\nrefuse!\n' })).not.toBe(id);
  });
  it.each([
    ['a leading-zero difficulty', 'undersigned/letter/v1\nT\nstamp-bits 08\n\ntext\n'],
    ['a difficulty above 32', 'undersigned/letter/v1\nT\nstamp-bits 33\n\ntext\n'],
    ['a wrong header', 'undersigned/letter/v2\nT\nstamp-bits 0\n\ntext\n'],
    ['CRLF line endings', 'undersigned/letter/v1\r\nT\r\nstamp-bits 0\r\n\r\ntext\r\n'],
    ['trailing spaces', 'undersigned/letter/v1\nT\nstamp-bits 0\n\ntext \n'],
    ['no final newline', 'undersigned/letter/v1\nT\nstamp-bits 0\n\ntext'],
    ['a trailing blank line', 'undersigned/letter/v1\nT\nstamp-bits 0\n\ntext\n\n'],
    ['an empty title', 'undersigned/letter/v1\n\nstamp-bits 0\n\ntext\n'],
    ['an empty text', 'undersigned/letter/v1\nT\nstamp-bits 0\n\n\n'],
    ['decomposed (non-NFC) text', 'undersigned/letter/v1\nT\nstamp-bits 0\n\na\u0301\n'],
    ['a bidi override in the title', 'undersigned/letter/v1\nT\u202e\nstamp-bits 0\n\ntext\n'],
    ['a zero-width space in the text', 'undersigned/letter/v1\nT\nstamp-bits 0\n\nte\u200bxt\n'],
    ['a NUL in the text', 'undersigned/letter/v1\nT\nstamp-bits 0\n\nte\0xt\n'],
  ])('refuses %s', (_, source) => {
    expect(() => parseLetter(utf8Encode(source))).toThrowCode('MALFORMED_LETTER');
  });
  it('refuses invalid UTF-8', () => {
    const bytes = formatLetter(letter);
    bytes[bytes.length - 3] = 0xff;
    expect(() => parseLetter(bytes)).toThrowCode('MALFORMED_LETTER');
  });
  it('parses any input or throws MALFORMED_LETTER', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          const parsed = parseLetter(bytes);
          expect(formatLetter(parsed)).toEqual(bytes);
        } catch (e) {
          expect(isUndersignedError(e, 'MALFORMED_LETTER')).toBe(true);
        }
      })
    );
  });
  it('refuses every single-byte change of a letter file, or parses it to a different letter', () => {
    const bytes = formatLetter(letter);
    for (let i = 0; i < bytes.length; i++) {
      const changed = bytes.slice();
      changed[i] = ((changed[i] ?? 0) + 1) % 256;
      try {
        expect(parseLetter(changed)).not.toEqual(letter);
      } catch (e) {
        expect(isUndersignedError(e, 'MALFORMED_LETTER')).toBe(true);
      }
    }
  });
});
