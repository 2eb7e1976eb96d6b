import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { concatBytes, utf8Decode, utf8Encode } from '../../core/bytes.ts';
import { signEd25519 } from '../../core/ed25519.ts';
import {
  cosignatureSigner,
  cosignatureVerifier,
  formatCosignature,
  formatCosignedMessage,
  parseCosignature,
  signCosignature,
  verifyCosignature,
} from '../../core/cosignature.ts';
import { formatNote, newVerifier, openNote, parseNote, signNote } from '../../core/note.ts';
import {
  ed25519Signer,
  formatKeyHint,
  formatVerifierKey,
  generateSignerKey,
  KEY_TYPE_COSIGNATURE,
  parseSignerKey,
  parseVerifierKey,
  verifierKeyOf,
} from '../../core/note-key.ts';

// tlog.md §3: Go's PeterNeumann seed as the log key "example.com/pledge-log" (type 0x01) and as
// the cosigner "witness.example/w1" (type 0x04), cosigning at 1700000000.
const SEED = parseSignerKey(
  'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz'
).seed;
const LOG_VKEY = 'example.com/pledge-log+e368ef65+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const WITNESS_VKEY = 'witness.example/w1+cc9a7044+BBpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const TEXT = 'example.com/pledge-log\n3\nrra8/idLcKFPsGel5VeCZNsPqbUa9eC6FZFY8yngbnc=\n';
const NOTE = `${TEXT}
— example.com/pledge-log 42jvZahw6XhE+DKoCL81IH1I1SJtDAcwM6yO8T5cPpS2Q438QUDa41FaTHLLU7694t5j1AOn9dVNVgD6jhykfUmShws=
— witness.example/w1 zJpwRAAAAABlU/EAVemWKPB75WTYG2D73rymYuxWeMrOwJR97+z347b2ps1lDlRd7qGfWQnNbfmlfRGjtrZ5pSHTwn84afKJNGYSCw==
`;
const TIME = 1700000000;
const WITNESS = generateSignerKey('witness.example/w1', SEED, KEY_TYPE_COSIGNATURE);
const WITNESS_KEY = parseVerifierKey(WITNESS_VKEY);
const EXTENDED = `${TEXT}extension line\n`;

const hints = (sigs: { name: string; keyId: number }[]): string[] =>
  sigs.map((s) => formatKeyHint(s.name, s.keyId));

describe('the tlog.md §3 example', () => {
  it('derives both vkeys from one seed', () => {
    expect(
      formatVerifierKey(verifierKeyOf(generateSignerKey('example.com/pledge-log', SEED)))
    ).toBe(LOG_VKEY);
    expect(formatVerifierKey(verifierKeyOf(WITNESS))).toBe(WITNESS_VKEY);
  });

  it('opens with the log key and the cosigner key', () => {
    const opened = openNote(NOTE, [newVerifier(LOG_VKEY), newVerifier(WITNESS_VKEY)]);
    expect(opened.text).toBe(TEXT);
    expect(hints(opened.verified)).toEqual([
      'example.com/pledge-log+e368ef65',
      'witness.example/w1+cc9a7044',
    ]);
    const [log, cosig] = parseNote(NOTE).signatures;
    expect(log?.signature).toHaveLength(64); // 68 bytes with the key ID
    expect(cosig?.signature).toHaveLength(72); // 76 bytes with the key ID
    expect(parseCosignature(cosig?.signature ?? new Uint8Array()).timestamp).toBe(TIME);
  });

  it('is reproduced byte for byte by signCosignature and by signNote', () => {
    const cosig = signCosignature(TEXT, SEED, 'witness.example/w1', TIME);
    expect(verifyCosignature(TEXT, WITNESS_KEY, cosig)).toBe(true);
    const log = ed25519Signer(generateSignerKey('example.com/pledge-log', SEED));
    expect(
      formatNote({
        text: TEXT,
        signatures: [...parseNote(signNote(TEXT, [log])).signatures, cosig],
      })
    ).toBe(NOTE);
    expect(signNote(TEXT, [log, cosignatureSigner(WITNESS, TIME)])).toBe(NOTE);
  });

  it('is a cosignature only to a type 0x04 key: the same key as type 0x01 does not match it', () => {
    const asEd25519 = newVerifier(verifierKeyOf(generateSignerKey('witness.example/w1', SEED)));
    expect(asEd25519.keyId).not.toBe(WITNESS_KEY.keyId);
    const opened = openNote(NOTE, [newVerifier(LOG_VKEY), asEd25519]);
    expect(hints(opened.unverified)).toEqual(['witness.example/w1+cc9a7044']);
  });
});

describe('cosignature/v1', () => {
  it('signs the message of tlog-cosignature §Ed25519 signed message', () => {
    const text =
      'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
    expect(utf8Decode(formatCosignedMessage(utf8Encode(text), 1679315147))).toBe(
      'cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n'
    );
  });

  it('refuses a little-endian timestamp (Sunlight pre-spec mistake, tlog.md §4)', () => {
    const message = formatCosignedMessage(utf8Encode(TEXT), TIME);
    const le = new Uint8Array(8);
    new DataView(le.buffer).setBigUint64(0, BigInt(TIME), true);
    const signature = concatBytes(le, signEd25519(SEED, message));
    const cosig = { name: WITNESS.name, keyId: WITNESS.keyId, signature };
    expect(verifyCosignature(TEXT, WITNESS_KEY, cosig)).toBe(false);
    const note = formatNote({ text: TEXT, signatures: [cosig] });
    expect(() => openNote(note, [newVerifier(WITNESS_VKEY)])).toThrowCode('INVALID_SIGNATURE');
  });

  it('refuses a signature over the first 3 lines only (Sunlight pre-spec mistake, tlog.md §4)', () => {
    const threeLines = signCosignature(TEXT, SEED, WITNESS.name, TIME);
    expect(verifyCosignature(EXTENDED, WITNESS_KEY, threeLines)).toBe(false);
    const note = formatNote({ text: EXTENDED, signatures: [threeLines] });
    expect(() => openNote(note, [newVerifier(WITNESS_VKEY)])).toThrowCode('INVALID_SIGNATURE');
    const whole = signCosignature(EXTENDED, SEED, WITNESS.name, TIME);
    expect(verifyCosignature(EXTENDED, WITNESS_KEY, whole)).toBe(true);
  });

  it('refuses another timestamp, another text, another name, another length', () => {
    const cosig = signCosignature(TEXT, SEED, WITNESS.name, TIME);
    const parsed = parseCosignature(cosig.signature);
    const later = { ...cosig, signature: formatCosignature({ ...parsed, timestamp: TIME + 1 }) };
    expect(verifyCosignature(TEXT, WITNESS_KEY, later)).toBe(false);
    expect(verifyCosignature(EXTENDED, WITNESS_KEY, cosig)).toBe(false);
    expect(verifyCosignature(TEXT, WITNESS_KEY, { ...cosig, name: 'witness.example/w2' })).toBe(
      false
    );
    expect(
      verifyCosignature(TEXT, WITNESS_KEY, { ...cosig, signature: cosig.signature.subarray(0, 71) })
    ).toBe(false);
    expect(() => parseCosignature(cosig.signature.subarray(0, 71))).toThrowCode(
      'MALFORMED_COSIGNATURE'
    );
  });

  it('encodes timestamps big-endian across 2^31, 2^32 and up to 2^53 - 1 (Policy)', () => {
    const signature = new Uint8Array(64);
    for (const timestamp of [
      0,
      2 ** 31 - 1,
      2 ** 31,
      2 ** 32 - 1,
      2 ** 32,
      2 ** 32 + 1,
      2 ** 53 - 1,
    ]) {
      const bytes = formatCosignature({ timestamp, signature });
      expect(new DataView(bytes.buffer).getBigUint64(0)).toBe(BigInt(timestamp));
      expect(parseCosignature(bytes)).toEqual({ timestamp, signature });
    }
    const tooLate = formatCosignature({ timestamp: 0, signature });
    new DataView(tooLate.buffer).setBigUint64(0, 2n ** 53n);
    expect(() => parseCosignature(tooLate)).toThrowCode('MALFORMED_COSIGNATURE');
    new DataView(tooLate.buffer).setBigUint64(0, 2n ** 63n - 1n);
    expect(() => parseCosignature(tooLate)).toThrowCode('MALFORMED_COSIGNATURE');
    expect(cosignatureVerifier(WITNESS_KEY).verify(utf8Encode(TEXT), tooLate)).toBe(false);
    for (const bad of [-1, 1.5, 2 ** 53, Number.NaN]) {
      expect(() => signCosignature(TEXT, SEED, WITNESS.name, bad)).toThrow(RangeError);
    }
  });

  it('lists a cosigner once when two valid cosignatures of different times are present (Policy)', () => {
    const first = signCosignature(TEXT, SEED, WITNESS.name, TIME);
    const second = signCosignature(TEXT, SEED, WITNESS.name, TIME + 60);
    const both = formatNote({ text: TEXT, signatures: [first, second] });
    const opened = openNote(both, [newVerifier(WITNESS_VKEY)]);
    expect(opened.verified).toHaveLength(1);
    expect(parseCosignature(opened.verified[0]?.signature ?? new Uint8Array()).timestamp).toBe(
      TIME
    );
  });

  it('round-trips sign and verify, and refuses any changed byte', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        fc.nat({ max: 71 }),
        (seed, timestamp, at) => {
          const key = generateSignerKey('w.example/x', seed, KEY_TYPE_COSIGNATURE);
          const cosig = signCosignature(EXTENDED, seed, key.name, timestamp);
          expect(cosig.keyId).toBe(key.keyId);
          const vkey = verifierKeyOf(key);
          expect(verifyCosignature(EXTENDED, vkey, cosig)).toBe(true);
          const bad = cosig.signature.slice();
          bad[at] = ((bad[at] ?? 0) + 1) % 256;
          expect(verifyCosignature(EXTENDED, vkey, { ...cosig, signature: bad })).toBe(false);
        }
      ),
      { numRuns: 20 }
    );
  });
});
