import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { displayText, fieldTextProblem, isRefusedCodePoint, utf8Length } from '../../core/text.ts';
import { utf8Encode } from '../../core/bytes.ts';

describe('fieldTextProblem', () => {
  it('accepts ordinary names in many scripts', () => {
    for (const name of ['Ada Lovelace', 'Zoë', 'محمد', '李小龙', 'Ωμέγα Ltd.', '']) {
      expect(fieldTextProblem(name, 64)).toBeUndefined();
    }
  });
  it.each([
    ['a right-to-left override', 'evil\u202Egpj.exe'],
    ['a left-to-right mark', 'a\u200Eb'],
    ['a zero-width space', 'Ali\u200Bce'],
    ['a zero-width joiner', 'Ali\u200Dce'],
    ['a bidi isolate', '\u2067x\u2069'],
    ['a newline', 'a\nb'],
    ['a tab', 'a\tb'],
    ['a C1 control', 'a\u0085b'],
    ['a byte-order mark', '\uFEFFAlice'],
    ['a tag character', 'a\u{E0041}'],
    ['a variation selector', 'a\uFE0F'],
    ['a leading space', ' Alice'],
    ['a trailing space', 'Alice '],
    ['decomposed text', 'Zoe\u0308'],
  ])('refuses %s', (_, text) => {
    expect(fieldTextProblem(text, 64)).toBeDefined();
  });
  it('caps the length in UTF-8 bytes', () => {
    expect(fieldTextProblem('é'.repeat(32), 64)).toBeUndefined();
    expect(fieldTextProblem('é'.repeat(33), 64)).toMatch(/longer than 64 bytes/);
  });
});

describe('utf8Length', () => {
  it('equals the encoded length', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => utf8Length(s) === utf8Encode(s).length)
    );
  });
});

describe('displayText', () => {
  it('strips bidi and zero-width controls and folds white space', () => {
    expect(displayText('Mallory\u202E\u200B  the\n\tsigner\u2066', 100)).toBe('Mallory the signer');
  });
  it('caps the length with an ellipsis', () => {
    expect(displayText('abcdefgh', 5)).toBe('abcd…');
    expect(displayText('abcde', 5)).toBe('abcde');
  });
  it('never returns a refused or format character, and respects the cap', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.integer({ min: 1, max: 50 }), (s, cap) => {
        const shown = displayText(s, cap);
        expect(Array.from(shown).length).toBeLessThanOrEqual(cap);
        for (const ch of shown) {
          const cp = ch.codePointAt(0) ?? 0;
          if (isRefusedCodePoint(cp)) expect.fail(`U+${cp.toString(16)} survived`);
        }
      })
    );
  });
});
