import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromBase64, utf8Decode, utf8Encode } from '../../core/bytes.ts';
import { isUndersignedError, type ErrorCode } from '../../core/errors.ts';
import {
  formatNote,
  isValidNoteText,
  MAX_SIGNATURES,
  newVerifier,
  openNote,
  parseNote,
  signNote,
  type NoteSignature,
} from '../../core/note.ts';
import {
  ed25519Signer,
  formatKeyHint,
  generateSignerKey,
  isValidKeyName,
  parseSignerKey,
  verifierKeyOf,
  type Signer,
} from '../../core/note-key.ts';
import { readSharedJson } from '../helpers/vectors.ts';

interface NoteCase {
  name: string;
  text?: string;
  signed?: string;
  signed_b64: string;
  verifier_keys: string[];
  expect_ok: boolean;
  expect_error?: 'unverified' | 'invalid_signature' | 'malformed';
  verified_sigs: string[];
  unverified_sigs: string[];
}

const notes = readSharedJson<{
  cases: NoteCase[];
  keys: { label: string; skey: string; vkey: string }[];
}>('notes.json');
const CODES: Record<string, ErrorCode> = {
  unverified: 'UNVERIFIED_NOTE',
  invalid_signature: 'INVALID_SIGNATURE',
  malformed: 'MALFORMED_NOTE',
};

const keyOf = (label: string): { skey: string; vkey: string } => {
  const key = notes.keys.find((k) => k.label === label);
  if (key === undefined) throw new Error(`no key ${label}`);
  return key;
};
const LOG = keyOf('log');
const WITNESS = keyOf('witness-1');
const hints = (sigs: NoteSignature[]): string[] => sigs.map((s) => formatKeyHint(s.name, s.keyId));
const CHECKPOINT = 'example.org/pledge-log\n1000\nhEU7UV2yIeAVJB+Rd41UGpHidHKjy71JIrAjsYBFY1k=\n';
const TWO_SIGS = notes.cases.find((c) => c.name === 'two-sigs-verify-both');

/** Mostly `valid`, sometimes one of `invalid`. */
const mostly = (valid: string, ...invalid: string[]): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 9, arbitrary: fc.constant(valid) },
    { weight: 1, arbitrary: fc.constantFrom(...invalid) }
  );

/** openNote, or the code it threw (anything but an UndersignedError fails the test). */
function tryOpen(
  input: Uint8Array | string,
  vkeys: string[]
): ReturnType<typeof openNote> | ErrorCode {
  try {
    return openNote(
      input,
      vkeys.map((v) => newVerifier(v))
    );
  } catch (e) {
    if (isUndersignedError(e)) return e.code;
    throw e;
  }
}

describe('openNote on notes.json', () => {
  it.each(notes.cases)('$name', (c) => {
    const bytes = fromBase64(c.signed_b64);
    const result = tryOpen(bytes, c.verifier_keys);
    if (c.signed !== undefined) expect(tryOpen(c.signed, c.verifier_keys)).toEqual(result);
    if (c.expect_ok) {
      if (typeof result === 'string') throw new Error(`expected success, got ${result}`);
      expect(result.text).toBe(c.text);
      expect(hints(result.verified)).toEqual(c.verified_sigs);
      expect(hints(result.unverified)).toEqual(c.unverified_sigs);
      expect(utf8Encode(formatNote(parseNote(bytes)))).toEqual(bytes);
    } else {
      expect(result).toBe(CODES[c.expect_error ?? '']);
      // An unverified note still parses: its signatures are all unknown.
      if (result === 'UNVERIFIED_NOTE')
        expect(hints(parseNote(bytes).signatures)).toEqual(c.unverified_sigs);
    }
  });

  it('reproduces the signed vectors byte for byte (Ed25519 is deterministic)', () => {
    const log = ed25519Signer(parseSignerKey(LOG.skey));
    const witness = ed25519Signer(parseSignerKey(WITNESS.skey));
    for (const c of notes.cases.filter((c) => c.name.startsWith('checkpoint-'))) {
      expect(signNote(c.text ?? '', [log])).toBe(c.signed);
    }
    expect(signNote(CHECKPOINT, [log, witness])).toBe(TWO_SIGS?.signed);
  });
});

describe('signed-note examples', () => {
  it('verifies the C2SP example (tlog.md §2)', () => {
    const note =
      'This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';
    const opened = openNote(note, [
      newVerifier('example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k'),
    ]);
    expect(opened.text).toBe('This is an example message.\n');
  });

  it("signs and opens Go's PeterNeumann vector", () => {
    const text =
      "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
    const note = `${text}\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;
    const signer = parseSignerKey(
      'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz'
    );
    expect(signNote(text, [ed25519Signer(signer)])).toBe(note);
    const opened = openNote(note, [
      newVerifier('PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'),
    ]);
    expect(opened.text).toBe(text);
  });
});

describe('parseNote', () => {
  it('splits at the last blank line, not the first', () => {
    const text = 'a\n\n— not a signature\n\nb\n';
    const note = signNote(text, [ed25519Signer(parseSignerKey(LOG.skey))]);
    expect(openNote(note, [newVerifier(LOG.vkey)]).text).toBe(text);
  });

  it('refuses control characters, lone surrogates, bad names and short signatures', () => {
    const sig =
      'Q9YTL6iDjqwx4nf7bEwUaSfAe2wayJHjpulDSmhORxeajLFdNJNGuhzxaLqgVkObaLKusszHEOvk7n8p7sKKO28xGgk=';
    for (const bad of [
      `a\u0000\n\n— n ${sig}\n`,
      `a\ud800\n\n— n ${sig}\n`,
      `a\n\n— n+x ${sig}\n`,
      `a\n\n— a\u00a0b ${sig}\n`,
      `a\n\n— ${sig}\n`,
      `a\n\n—  ${sig}\n`,
      `a\n\n— n ${sig} \n`,
      `a\n\n— n ${sig}`,
      `a\n\n— n AAAAAA==\n`,
      `a\n\n— n AAAAAAA=\n`.replace('AAAAAAA=', 'AAAAAAB='), // non-zero pad bits (Policy: strict base64)
      `\n— n ${sig}\n`,
    ]) {
      expect(() => parseNote(bad), JSON.stringify(bad)).toThrowCode('MALFORMED_NOTE');
    }
    expect(parseNote(`a\n\n— n AAAAAAA=\n`).signatures[0]?.signature).toEqual(new Uint8Array(1));
  });

  it('accepts 100 signature lines and refuses 101; refuses notes over 1e6 bytes', () => {
    const line = '— grease AAAAAAA=\n';
    expect(parseNote(`a\n\n${line.repeat(MAX_SIGNATURES)}`).signatures).toHaveLength(
      MAX_SIGNATURES
    );
    expect(() => parseNote(`a\n\n${line.repeat(MAX_SIGNATURES + 1)}`)).toThrowCode(
      'MALFORMED_NOTE'
    );
    const big = `${'a'.repeat(1_000_000)}\n\n${line}`;
    expect(() => parseNote(big)).toThrowCode('MALFORMED_NOTE');
    expect(() => parseNote(utf8Encode(big))).toThrowCode('MALFORMED_NOTE');
  });

  it('parses any string canonically or throws MALFORMED_NOTE', () => {
    const line = fc
      .tuple(
        mostly('— ', '—', '- ', ''),
        mostly('example.org/log', 'é', 'a b', 'a+b', '', 'a\u00a0b'),
        mostly(' ', '  ', ''),
        mostly('Q9YTL6iD', 'AAAAAAA=', 'Q9YTLw==', 'AAAAAAB=', 'AAAA', 'AAAAAA==', '!!!!', ''),
        mostly('\n', '\n\n', '\r\n', '')
      )
      .map((parts) => parts.join(''));
    const text = fc.array(mostly('a', 'é', '\n', '— ', ' ', '\u00a0', '\t', '\ud800'), {
      maxLength: 6,
    });
    const structured = fc
      .tuple(text, mostly('\n\n', '\n', ''), fc.array(line, { maxLength: 4 }))
      .map(([t, sep, lines]) => t.join('') + sep + lines.join(''));
    let parsed = 0;
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), structured, structured), (input) => {
        let note;
        try {
          note = parseNote(input);
        } catch (e) {
          if (!isUndersignedError(e, 'MALFORMED_NOTE')) throw e;
          return;
        }
        parsed++;
        expect(formatNote(note)).toBe(input);
      }),
      { numRuns: 400 }
    );
    expect(parsed).toBeGreaterThan(40); // the generator does reach valid notes
  });

  it('parses any bytes canonically or throws MALFORMED_NOTE', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          expect(utf8Encode(formatNote(parseNote(bytes)))).toEqual(bytes);
        } catch (e) {
          if (!isUndersignedError(e, 'MALFORMED_NOTE')) throw e;
        }
      })
    );
  });
});

describe('openNote', () => {
  const signed = TWO_SIGS?.signed ?? '';
  const bothKeys = [LOG.vkey, WITNESS.vkey];

  it('never opens a note with one byte changed as verified with another text', () => {
    const bytes = utf8Encode(signed);
    let opened = 0;
    for (let i = 0; i < bytes.length; i++) {
      const bad = bytes.slice();
      bad[i] = ((bad[i] ?? 0) + 1) % 256;
      const result = tryOpen(bad, bothKeys);
      if (i < CHECKPOINT.length) expect(typeof result, `byte ${i}`).toBe('string');
      if (typeof result === 'string') continue;
      opened++; // only a changed key name, now unknown: the other key still verifies
      expect(result.text, `byte ${i}`).toBe(TWO_SIGS?.text);
      expect(result.verified, `byte ${i}`).toHaveLength(1);
    }
    expect(opened).toBeGreaterThan(0);
  });

  it('opens a truncated note only when whole signature lines were cut', () => {
    for (let i = 0; i < signed.length; i++) {
      const result = tryOpen(signed.slice(0, i), bothKeys);
      if (typeof result === 'string') continue;
      expect(result.text, `prefix ${i}`).toBe(TWO_SIGS?.text);
      expect(hints(result.verified), `prefix ${i}`).toEqual(['example.org/pledge-log+43d6132f']);
    }
  });

  it('rejects the whole note when any line of a known key fails, even a repeated one (Policy)', () => {
    const good = parseNote(signed);
    const first = good.signatures[0];
    if (first === undefined) throw new Error('no signature');
    const forged = { ...first, signature: first.signature.map((b, i) => (i === 0 ? b ^ 1 : b)) };
    const note = formatNote({ text: good.text, signatures: [first, forged] });
    expect(() => openNote(note, [newVerifier(LOG.vkey)])).toThrowCode('INVALID_SIGNATURE');
  });

  it('throws RangeError for two verifiers of the same key', () => {
    expect(() => openNote(signed, [newVerifier(LOG.vkey), newVerifier(LOG.vkey)])).toThrow(
      RangeError
    );
  });

  it('signs and opens any text with any key name', () => {
    const text = fc
      .string({ unit: 'binary', maxLength: 200 })
      .map((s) => `${s}\n`)
      .filter(isValidNoteText);
    const name = fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }).filter(isValidKeyName);
    fc.assert(
      fc.property(text, name, fc.uint8Array({ minLength: 32, maxLength: 32 }), (t, n, seed) => {
        const key = generateSignerKey(n, seed);
        const opened = openNote(signNote(t, [ed25519Signer(key)]), [
          newVerifier(verifierKeyOf(key)),
        ]);
        expect(opened.text).toBe(t);
        expect(hints(opened.verified)).toEqual([formatKeyHint(n, key.keyId)]);
      }),
      { numRuns: 30 }
    );
  });

  it('ignores unknown signature lines (grease), reporting them unverified once', () => {
    const sig = fc.record({
      name: fc.string({ minLength: 1, maxLength: 12 }).filter(isValidKeyName),
      keyId: fc.nat({ max: 2 ** 32 - 1 }),
      signature: fc.uint8Array({ minLength: 1, maxLength: 100 }),
    });
    const base = parseNote(signed);
    fc.assert(
      fc.property(fc.array(sig, { maxLength: 10 }), fc.nat(), (grease, at) => {
        const signatures = [...base.signatures];
        signatures.splice(at % (signatures.length + 1), 0, ...grease, ...grease);
        const opened = openNote(formatNote({ text: base.text, signatures }), [
          newVerifier(LOG.vkey),
        ]);
        expect(opened.text).toBe(base.text);
        expect(hints(opened.verified)).toEqual(TWO_SIGS?.verified_sigs.slice(0, 1));
        const unique = new Set(grease.map((g) => formatNote({ text: 'x\n', signatures: [g] })));
        expect(opened.unverified).toHaveLength(unique.size + 1);
      }),
      { numRuns: 50 }
    );
  });
});

describe('signNote', () => {
  it('keeps other signatures and replaces the lines of the same key', () => {
    const log = ed25519Signer(parseSignerKey(LOG.skey));
    const stale: Signer = { name: log.name, keyId: log.keyId, sign: () => new Uint8Array(64) };
    const witness = ed25519Signer(parseSignerKey(WITNESS.skey));
    const once = signNote(CHECKPOINT, [stale, witness]);
    const again = signNote(parseNote(once), [log]);
    expect(hints(parseNote(again).signatures)).toEqual([
      'example.org/witness-1+608adb85',
      'example.org/pledge-log+43d6132f',
    ]);
    expect(
      hints(openNote(again, [newVerifier(LOG.vkey), newVerifier(WITNESS.vkey)]).verified)
    ).toHaveLength(2);
  });

  it('throws RangeError for texts that cannot be a note text', () => {
    const log = ed25519Signer(parseSignerKey(LOG.skey));
    for (const text of ['', 'no newline', 'tab\t\n', 'cr\r\n', '\ud800\n']) {
      expect(() => signNote(text, [log]), JSON.stringify(text)).toThrow(RangeError);
    }
    expect(() => signNote('a\n', [])).toThrow(RangeError);
  });

  it('keeps the text bytes exactly (no normalization)', () => {
    const text = 'cafe\u0301 caf\u00e9 \ufeff\n';
    const log = generateSignerKey('n', new Uint8Array(32).fill(7));
    const note = signNote(text, [ed25519Signer(log)]);
    expect(utf8Decode(utf8Encode(openNote(note, [newVerifier(verifierKeyOf(log))]).text))).toBe(
      text
    );
  });
});
