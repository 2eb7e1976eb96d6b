// core/hash.ts: SHA-256 through WebAssembly (hash-wasm) where it can be compiled, noble where
// not; both must be FIPS 180-4 SHA-256, byte for byte, for any split of the input into parts.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, toHex, utf8Encode } from '../../core/bytes.ts';
import { nobleSha256Of, sha256, sha256Backend, sha256Ready } from '../../core/hash.ts';

// FIPS 180-4 examples (NIST CSRC, SHA256.pdf) and the one-million-'a' message.
const VECTORS: [string, string][] = [
  ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  [
    'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
    '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
  ],
  ['a'.repeat(1_000_000), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0'],
];

describe('sha256', () => {
  it('runs on WebAssembly in Node once ready', async () => {
    await sha256Ready;
    expect(sha256Backend()).toBe('wasm');
  });

  it('gives the FIPS 180-4 digests through both implementations', async () => {
    await sha256Ready;
    for (const [message, digest] of VECTORS) {
      expect(toHex(sha256(utf8Encode(message)))).toBe(digest);
      expect(toHex(nobleSha256Of([utf8Encode(message)]))).toBe(digest);
    }
  });

  it('hashes the concatenation of its parts, the same as noble', async () => {
    await sha256Ready;
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 5 }), (parts) => {
        const whole = sha256(concatBytes(...parts));
        expect(sha256(...parts)).toEqual(whole);
        expect(nobleSha256Of(parts)).toEqual(whole);
      }),
      { numRuns: 300 }
    );
  });

  it('returns a fresh array each time', () => {
    const a = sha256(utf8Encode('x'));
    const b = sha256(utf8Encode('x'));
    a[0] = (a[0] as number) ^ 1;
    expect(toHex(b)).not.toBe(toHex(a));
  });
});
