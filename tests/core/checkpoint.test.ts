import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { toBase64, toHex } from '../../core/bytes.ts';
import {
  formatCheckpoint,
  openCheckpoint,
  parseCheckpoint,
  type Checkpoint,
} from '../../core/checkpoint.ts';
import { isUndersignedError } from '../../core/errors.ts';
import { isValidNoteText, newVerifier, openNote, parseNote, signNote } from '../../core/note.ts';
import {
  ed25519Signer,
  formatKeyHint,
  generateSignerKey,
  verifierKeyOf,
} from '../../core/note-key.ts';
import { readSharedJson, SHARED_VECTORS } from '../helpers/vectors.ts';

interface CheckpointCase {
  text: string;
  valid: boolean;
  description: string;
  origin?: string;
  size?: number;
  root?: string;
  extensions?: string[];
}

interface SampleLog {
  checkpoint: string;
  cosigner_vkey: string;
  origin: string;
  root: string;
  size: number;
  vkey: string;
}

const cases = readSharedJson<{ cases: CheckpointCase[] }>('checkpoints.json').cases;
const sample = readSharedJson<SampleLog>('sample-log-1000.json');
const sampleBytes = new Uint8Array(
  readFileSync(join(SHARED_VECTORS, 'sample-log-1000', 'checkpoint'))
);
const BASIC = 'example.org/pledge-log\n1000\nhEU7UV2yIeAVJB+Rd41UGpHidHKjy71JIrAjsYBFY1k=\n';

/** Parses, or returns null after an UndersignedError MALFORMED_CHECKPOINT (anything else fails). */
function tryParse(text: string): Checkpoint | null {
  try {
    return parseCheckpoint(text);
  } catch (e) {
    if (!isUndersignedError(e, 'MALFORMED_CHECKPOINT')) throw e;
    return null;
  }
}

describe('parseCheckpoint on checkpoints.json', () => {
  it.each(cases)('$description', (c) => {
    if (!c.valid) {
      expect(() => parseCheckpoint(c.text)).toThrowCode('MALFORMED_CHECKPOINT');
      return;
    }
    const checkpoint = parseCheckpoint(c.text);
    expect(checkpoint.origin).toBe(c.origin);
    expect(checkpoint.treeSize).toBe(c.size);
    expect(toHex(checkpoint.rootHash)).toBe(c.root);
    expect(checkpoint.extensions).toEqual(c.extensions ?? []);
    expect(formatCheckpoint(checkpoint)).toBe(c.text);
  });
});

describe('parseCheckpoint', () => {
  it('round-trips tree sizes across 2^31, 2^32 and up to 2^53 - 1 (Policy)', () => {
    for (const n of [2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 53 - 1]) {
      const text = BASIC.replace('\n1000\n', `\n${n}\n`);
      expect(parseCheckpoint(text).treeSize).toBe(n);
      expect(formatCheckpoint(parseCheckpoint(text))).toBe(text);
    }
    for (const bad of [
      '9007199254740992',
      '9007199254740993',
      '1e3',
      '0x10',
      '1000 ',
      '-0',
      '',
      '١٠',
    ]) {
      expect(() => parseCheckpoint(BASIC.replace('\n1000\n', `\n${bad}\n`)), bad).toThrowCode(
        'MALFORMED_CHECKPOINT'
      );
    }
  });

  it('refuses CRLF, controls, a missing final newline and a trailing blank line', () => {
    for (const bad of [
      BASIC.replaceAll('\n', '\r\n'),
      BASIC.replace('log', 'log\t'),
      BASIC.slice(0, -1),
      `${BASIC}\n`,
    ]) {
      expect(() => parseCheckpoint(bad), JSON.stringify(bad)).toThrowCode('MALFORMED_CHECKPOINT');
    }
  });

  it('parses every substring and byte increment canonically or throws MALFORMED_CHECKPOINT', () => {
    const text = `${BASIC}ext one\n`;
    const mangled: string[] = [];
    for (let i = 0; i <= text.length; i++)
      for (let j = i; j <= text.length; j++) mangled.push(text.slice(i, j));
    for (let i = 0; i < text.length; i++) {
      mangled.push(
        text.slice(0, i) + String.fromCharCode(text.charCodeAt(i) + 1) + text.slice(i + 1)
      );
    }
    let valid = 0;
    for (const m of mangled) {
      const checkpoint = tryParse(m);
      if (checkpoint === null) continue;
      valid++;
      expect(formatCheckpoint(checkpoint)).toBe(m);
    }
    expect(valid).toBeGreaterThan(10); // e.g. 1000 -> 1001, or the extension line cut short
  });

  it('parses any string canonically or throws MALFORMED_CHECKPOINT', () => {
    const line = fc.constantFrom(
      'example.org/log',
      '0',
      '1000',
      '01',
      'hEU7UV2yIeAVJB+Rd41UGpHidHKjy71JIrAjsYBFY1k=',
      'x',
      ''
    );
    const structured = fc
      .array(line, { maxLength: 6 })
      .map((lines) => lines.map((l) => `${l}\n`).join(''));
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), structured), (text) => {
        const checkpoint = tryParse(text);
        if (checkpoint !== null) expect(formatCheckpoint(checkpoint)).toBe(text);
      }),
      { numRuns: 500 }
    );
  });

  it('round-trips any checkpoint', () => {
    const lineText = fc
      .string({ unit: 'binary', minLength: 1, maxLength: 20 })
      .filter((s) => isValidNoteText(`${s}\n`) && !s.includes('\n'));
    const checkpoint = fc.record({
      origin: lineText,
      treeSize: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
      rootHash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      extensions: fc.array(lineText, { maxLength: 3 }),
    });
    fc.assert(
      fc.property(checkpoint, (c) => {
        expect(parseCheckpoint(formatCheckpoint(c))).toEqual(c);
      })
    );
  });

  it('throws RangeError when formatting an impossible checkpoint', () => {
    const good = parseCheckpoint(BASIC);
    for (const bad of [
      { ...good, origin: '' },
      { ...good, origin: 'a\nb' },
      { ...good, treeSize: -1 },
      { ...good, treeSize: 2 ** 53 },
      { ...good, rootHash: new Uint8Array(31) },
      { ...good, extensions: [''] },
      { ...good, extensions: ['\t'] },
    ]) {
      expect(() => formatCheckpoint(bad)).toThrow(RangeError);
    }
  });
});

describe('openCheckpoint', () => {
  it('opens the sample-log-1000 checkpoint with the log key', () => {
    expect(new TextDecoder().decode(sampleBytes)).toBe(sample.checkpoint);
    const opened = openCheckpoint(sampleBytes, [newVerifier(sample.vkey)]);
    expect(opened.checkpoint.origin).toBe(sample.origin);
    expect(opened.checkpoint.treeSize).toBe(sample.size);
    expect(toHex(opened.checkpoint.rootHash)).toBe(sample.root);
    expect(opened.checkpoint.extensions).toEqual([]);
    expect(opened.unverified.map((s) => formatKeyHint(s.name, s.keyId))).toEqual([
      'example.org/witness-1+608adb85',
    ]);
  });

  it('opens the sample-log-1000 checkpoint with the cosigner key, a plain Ed25519 signature', () => {
    const opened = openNote(sampleBytes, [newVerifier(sample.cosigner_vkey)]);
    expect(opened.verified.map((s) => formatKeyHint(s.name, s.keyId))).toEqual([
      'example.org/witness-1+608adb85',
    ]);
    expect(opened.verified[0]?.signature).toHaveLength(64); // 68 bytes with the key ID: type 0x01
    // The witness key's name is not the origin: say which origin is expected.
    expect(() => openCheckpoint(sampleBytes, [newVerifier(sample.cosigner_vkey)])).toThrowCode(
      'WRONG_ORIGIN'
    );
    expect(
      openCheckpoint(sampleBytes, [newVerifier(sample.cosigner_vkey)], sample.origin).checkpoint
        .treeSize
    ).toBe(1000);
  });

  it('throws WRONG_ORIGIN for another origin, and when the log key is named otherwise', () => {
    expect(() =>
      openCheckpoint(sampleBytes, [newVerifier(sample.vkey)], 'example.org/other-log')
    ).toThrowCode('WRONG_ORIGIN');
    const key = generateSignerKey('example.org/key-name', new Uint8Array(32).fill(1));
    const note = signNote(BASIC, [ed25519Signer(key)]);
    const verifier = newVerifier(verifierKeyOf(key));
    expect(() => openCheckpoint(note, [verifier])).toThrowCode('WRONG_ORIGIN');
    expect(openCheckpoint(note, [verifier], 'example.org/pledge-log').checkpoint.treeSize).toBe(
      1000
    );
  });

  it('throws what openNote throws before parsing, then MALFORMED_CHECKPOINT', () => {
    const log = verifierKeyOf(
      generateSignerKey('example.org/pledge-log', new Uint8Array(32).fill(2))
    );
    expect(() => openCheckpoint(sampleBytes, [newVerifier(log)])).toThrowCode('UNVERIFIED_NOTE');
    const key = generateSignerKey('example.org/pledge-log', new Uint8Array(32).fill(2));
    const note = signNote('example.org/pledge-log\n01\n' + toBase64(new Uint8Array(32)) + '\n', [
      ed25519Signer(key),
    ]);
    expect(parseNote(note).signatures).toHaveLength(1);
    expect(() => openCheckpoint(note, [newVerifier(log)])).toThrowCode('MALFORMED_CHECKPOINT');
  });
});
