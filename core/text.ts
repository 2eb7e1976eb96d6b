// Rules for text that people type: letter titles and texts, display names and affiliations
// (docs/PROTOCOL.md §2 and §3.3). One list of refused code points, written out as ranges so
// that a verifier in another language refuses exactly the same characters, whatever the
// Unicode version of its runtime.

/**
 * Code points refused in every text field. Policy: invisible and direction-changing characters
 * let one name look like another or reorder the text around it, so they are refused in entries
 * rather than only hidden on display.
 */
export const REFUSED_CODE_POINTS: readonly (readonly [number, number])[] = [
  [0x0000, 0x001f], // C0 controls (letter text allows only LF and TAB, see isAllowedInLetterText)
  [0x007f, 0x009f], // DEL and C1 controls
  [0x00ad, 0x00ad], // soft hyphen
  [0x061c, 0x061c], // Arabic letter mark
  [0x115f, 0x1160], // Hangul fillers
  [0x180e, 0x180e], // Mongolian vowel separator
  [0x200b, 0x200f], // zero-width space, non-joiner, joiner, LRM, RLM
  [0x2028, 0x202e], // line and paragraph separators, bidi embeddings and overrides
  [0x2060, 0x206f], // word joiner, invisible operators, bidi isolates, deprecated format controls
  [0x3164, 0x3164], // Hangul filler
  [0xd800, 0xdfff], // surrogates (never valid alone)
  [0xfe00, 0xfe0f], // variation selectors
  [0xfeff, 0xfeff], // zero-width no-break space (BOM)
  [0xfff9, 0xfffb], // interlinear annotation controls
  [0xfffe, 0xffff], // noncharacters
  [0xe0000, 0xe0fff], // tags and variation selectors supplement
];

/** Whether the code point `cp` is in REFUSED_CODE_POINTS. */
export function isRefusedCodePoint(cp: number): boolean {
  for (const [lo, hi] of REFUSED_CODE_POINTS) if (cp >= lo && cp <= hi) return true;
  return false;
}

/**
 * Why `text` is not an acceptable one-line field (title, display name, affiliation), or
 * undefined if it is: Unicode NFC, no refused code point, no leading or trailing space, at most
 * `maxBytes` bytes of UTF-8.
 */
export function fieldTextProblem(text: string, maxBytes: number): string | undefined {
  if (text.normalize('NFC') !== text) return 'is not in Unicode NFC';
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (isRefusedCodePoint(cp)) return `contains the refused code point U+${hex4(cp)}`;
  }
  if (text !== text.trim()) return 'has leading or trailing white space';
  if (utf8Length(text) > maxBytes) return `is longer than ${maxBytes} bytes of UTF-8`;
  return undefined;
}

/** Whether a code point may appear in a letter's text: LF, TAB, or any code point not refused. */
export function isAllowedInLetterText(cp: number): boolean {
  return cp === 0x0a || cp === 0x09 || !isRefusedCodePoint(cp);
}

/** The length of `text` in UTF-8 bytes, without encoding it. */
export function utf8Length(text: string): number {
  let n = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}

/**
 * Untrusted text made safe to show: every control, format, separator, private-use and
 * unassigned-surrogate character removed (this strips bidi and zero-width controls even where
 * an older log accepted them), runs of white space folded to one space, and the result capped at
 * `maxChars` code points with an ellipsis. Escaping for HTML is the renderer's job (Svelte
 * escapes text nodes); this removes what escaping cannot.
 */
export function displayText(text: string, maxChars: number): string {
  const cleaned = Array.from(text.replace(/\s+/gu, ' ').replace(/[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/gu, ''))
    .filter((ch) => !isRefusedCodePoint(ch.codePointAt(0) ?? 0))
    .join('')
    .replace(/ +/g, ' ')
    .trim();
  const chars = Array.from(cleaned);
  return chars.length <= maxChars
    ? cleaned
    : chars.slice(0, Math.max(0, maxChars - 1)).join('') + '…';
}

function hex4(cp: number): string {
  return cp.toString(16).toUpperCase().padStart(4, '0');
}
