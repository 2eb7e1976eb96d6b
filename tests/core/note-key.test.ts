import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { concatBytes, fromHex, toBase64, toHex } from '../../core/bytes.ts';
import { isUndersignedError } from '../../core/errors.ts';
import {
  formatKeyHint,
  formatSignerKey,
  formatVerifierKey,
  generateSignerKey,
  isValidKeyName,
  KEY_TYPE_COSIGNATURE,
  KEY_TYPE_ED25519,
  keyId,
  parseSignerKey,
  parseVerifierKey,
  verifierKeyOf,
} from '../../core/note-key.ts';
import { readSharedJson } from '../helpers/vectors.ts';

interface NotesJson {
  keys: {
    name: string;
    ed25519_seed_hex: string;
    ed25519_public_key_hex: string;
    key_id_hex: string;
    skey: string;
    vkey: string;
  }[];
  verifier_keys: { vkey: string; valid: boolean; description: string }[];
}

const notes = readSharedJson<NotesJson>('notes.json');

// Go's sumdb/note/note_test.go and the C2SP signed-note example (tlog.md §2).
const GO_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const GO_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const C2SP_VKEY = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const WITNESS_VKEY = 'witness.example/w1+cc9a7044+BBpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';

/** Every proper substring and every single-character increment of `key` (Go's TestNewVerifier). */
function mangled(key: string): string[] {
  const out: string[] = [];
  for (let i = 0; i <= key.length; i++) {
    for (let j = i + 1; j <= key.length; j++)
      if (i !== 0 || j !== key.length) out.push(key.slice(i, j));
  }
  for (let i = 0; i < key.length; i++) {
    out.push(key.slice(0, i) + String.fromCharCode(key.charCodeAt(i) + 1) + key.slice(i + 1));
  }
  return out;
}

describe('key vectors', () => {
  it.each(notes.keys)('round-trips the $name keys of notes.json', (k) => {
    const seed = fromHex(k.ed25519_seed_hex);
    const signer = parseSignerKey(k.skey);
    expect(signer).toEqual({
      name: k.name,
      keyId: parseInt(k.key_id_hex, 16),
      type: KEY_TYPE_ED25519,
      seed,
    });
    expect(formatSignerKey(signer)).toBe(k.skey);
    expect(generateSignerKey(k.name, seed)).toEqual(signer);
    const verifier = parseVerifierKey(k.vkey);
    expect(toHex(verifier.publicKey)).toBe(k.ed25519_public_key_hex);
    expect(keyId(k.name, KEY_TYPE_ED25519, verifier.publicKey)).toBe(parseInt(k.key_id_hex, 16));
    expect(verifierKeyOf(signer)).toEqual(verifier);
    expect(formatVerifierKey(verifier)).toBe(k.vkey);
  });

  it.each(notes.verifier_keys)('accepts only valid vkeys: $description', ({ vkey, valid }) => {
    if (valid) expect(formatVerifierKey(parseVerifierKey(vkey))).toBe(vkey);
    else expect(() => parseVerifierKey(vkey)).toThrowCode('MALFORMED_KEY');
  });

  it('parses the Go PeterNeumann skey and vkey and the C2SP example vkey', () => {
    const signer = parseSignerKey(GO_SKEY);
    expect(formatKeyHint(signer.name, signer.keyId)).toBe('PeterNeumann+c74f20a3');
    expect(formatVerifierKey(verifierKeyOf(signer))).toBe(GO_VKEY);
    expect(formatKeyHint('example.com/foo', parseVerifierKey(C2SP_VKEY).keyId)).toBe(
      'example.com/foo+530d903a'
    );
  });

  it('parses a type 0x04 vkey whose key ID commits to the type byte', () => {
    const key = parseVerifierKey(WITNESS_VKEY);
    expect(key.type).toBe(KEY_TYPE_COSIGNATURE);
    expect(key.publicKey).toEqual(parseVerifierKey(GO_VKEY).publicKey);
    expect(formatKeyHint(key.name, key.keyId)).toBe('witness.example/w1+cc9a7044');
    expect(keyId(key.name, KEY_TYPE_ED25519, key.publicKey)).not.toBe(key.keyId);
    expect(formatVerifierKey(key)).toBe(WITNESS_VKEY);
  });
});

describe('parseVerifierKey and parseSignerKey', () => {
  it.each([GO_VKEY, C2SP_VKEY, WITNESS_VKEY, ...notes.keys.map((k) => k.vkey)])(
    'rejects every substring and byte increment of %s',
    (vkey) => {
      for (const bad of mangled(vkey))
        expect(() => parseVerifierKey(bad), bad).toThrowCode('MALFORMED_KEY');
    }
  );

  it.each([GO_SKEY, ...notes.keys.map((k) => k.skey)])(
    'rejects every substring and byte increment of %s',
    (skey) => {
      for (const bad of mangled(skey))
        expect(() => parseSignerKey(bad), bad).toThrowCode('MALFORMED_KEY');
    }
  );

  it('refuses uppercase key IDs (Policy: canonical lowercase hex)', () => {
    expect(() =>
      parseVerifierKey('PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW')
    ).toThrowCode('MALFORMED_KEY');
  });

  it('refuses an Ed25519 key our rule never accepts, even with a matching key ID (Policy)', () => {
    const identity = fromHex('0100000000000000000000000000000000000000000000000000000000000000');
    const id = keyId('small-order', KEY_TYPE_ED25519, identity);
    const vkey = `${formatKeyHint('small-order', id)}+${toBase64(concatBytes(Uint8Array.of(1), identity))}`;
    expect(() => parseVerifierKey(vkey)).toThrowCode('MALFORMED_KEY');
  });

  it('refuses names with Unicode spaces, plus signs or controls', () => {
    for (const name of [
      '',
      'a b',
      'a+b',
      'a\u00a0b',
      'a\u3000b',
      'a\u2028b',
      'a\u0085b',
      'a\tb',
      'a\u0001b',
      'a\ud800b',
    ]) {
      expect(isValidKeyName(name), JSON.stringify(name)).toBe(false);
    }
    for (const name of ['a', 'example.com/log', 'é', '\u{1f600}', 'a\u007fb', 'oid/1.3.6.1']) {
      expect(isValidKeyName(name), JSON.stringify(name)).toBe(true);
    }
  });

  it('parses any string or throws MALFORMED_KEY', () => {
    const pieces = fc.constantFrom(
      '+',
      'PRIVATE+KEY+',
      'PeterNeumann',
      'c74f20a3',
      'ARpc',
      'BBpc',
      'A',
      '=',
      ' ',
      '\u00a0'
    );
    const keyish = fc.oneof(
      fc.string(),
      fc.array(pieces).map((p) => p.join(''))
    );
    fc.assert(
      fc.property(keyish, (text) => {
        for (const parse of [parseVerifierKey, parseSignerKey]) {
          try {
            parse(text);
          } catch (e) {
            if (!isUndersignedError(e, 'MALFORMED_KEY')) throw e;
          }
        }
      })
    );
  });

  it('round-trips generated keys of both types', () => {
    const name = fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }).filter(isValidKeyName);
    const type = fc.constantFrom(KEY_TYPE_ED25519, KEY_TYPE_COSIGNATURE);
    fc.assert(
      fc.property(name, fc.uint8Array({ minLength: 32, maxLength: 32 }), type, (n, seed, t) => {
        const signer = generateSignerKey(n, seed, t);
        expect(parseSignerKey(formatSignerKey(signer))).toEqual(signer);
        const verifier = verifierKeyOf(signer);
        expect(verifier.keyId).toBe(signer.keyId);
        expect(parseVerifierKey(formatVerifierKey(verifier))).toEqual(verifier);
      }),
      { numRuns: 15 }
    );
  });

  it('throws RangeError when formatting a key whose key ID does not match', () => {
    const key = parseVerifierKey(GO_VKEY);
    expect(() => formatVerifierKey({ ...key, keyId: (key.keyId + 1) % 2 ** 32 })).toThrow(
      RangeError
    );
    expect(() => generateSignerKey('a b', new Uint8Array(32))).toThrow(RangeError);
  });
});
