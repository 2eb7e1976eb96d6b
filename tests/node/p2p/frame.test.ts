// One length-prefixed message (node/p2p/frame.ts, docs/PROTOCOL.md §8.4): the multiformats
// unsigned varint, and the strict parse of all a sender wrote.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex } from '../../../core/bytes.ts';
import { isUndersignedError, type ErrorCode } from '../../../core/errors.ts';
import { formatFrame, parseFrame, scanFrame } from '../../../node/p2p/frame.ts';

const MAX = 1024;

describe('formatFrame', () => {
  // The examples of github.com/multiformats/unsigned-varint, and those of PROTOCOL.md §8.4.
  it.each([
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, '8001'],
    [163, 'a301'],
    [255, 'ff01'],
    [300, 'ac02'],
    [1024, '8008'],
    [16384, '808001'],
  ])('prefixes %i bytes with %s', (length, prefix) => {
    const message = new Uint8Array(length).fill(7);
    const frame = formatFrame(message);
    expect(toHex(frame.subarray(0, prefix.length / 2))).toBe(prefix);
    expect(frame.subarray(prefix.length / 2)).toEqual(message);
    expect(parseFrame(frame, 1 << 20)).toEqual(message);
  });
});

describe('parseFrame', () => {
  const message = new Uint8Array(200).map((_, i) => i);
  const frame = formatFrame(message);

  it.each<[string, string, ErrorCode, RegExp]>([
    ['nothing', '', 'MALFORMED_MESSAGE', /no message/],
    ['a prefix alone', '05', 'MALFORMED_MESSAGE', /cut short/],
    ['an unfinished prefix', '80', 'MALFORMED_MESSAGE', /cut short/],
    ['a non-minimal prefix', '8000', 'MALFORMED_MESSAGE', /not minimal/],
    ['a non-minimal zero', '808000', 'MALFORMED_MESSAGE', /not minimal/],
    ['a ten-byte prefix', 'ffffffffffffffffff01', 'MALFORMED_MESSAGE', /over 9 bytes/],
    ['a length over the cap', '8108', 'BAD_REQUEST', /over 1024 bytes/],
    ['2^63 - 1', 'ffffffffffffffff7f', 'BAD_REQUEST', /over 1024 bytes/],
    ['two messages', '0101' + '0102', 'MALFORMED_MESSAGE', /follow/],
  ])('refuses %s', (_, hex, code, message) => {
    expect(() => parseFrame(fromHex(hex), MAX)).toThrowCode(code);
    expect(() => parseFrame(fromHex(hex), MAX)).toThrow(message);
  });

  it('takes an empty message and one of exactly the cap', () => {
    expect(parseFrame(fromHex('00'), MAX)).toEqual(new Uint8Array(0));
    expect(parseFrame(formatFrame(new Uint8Array(MAX)), MAX)).toHaveLength(MAX);
  });

  it('refuses a length over the cap from its prefix alone, before the rest', () => {
    expect(() => scanFrame(fromHex('8108'), MAX)).toThrowCode('BAD_REQUEST');
  });

  it('sees every prefix of a frame as incomplete, and a byte more as malformed', () => {
    for (let n = 0; n < frame.length; n++)
      expect(scanFrame(frame.subarray(0, n), MAX)).toBe(undefined);
    expect(scanFrame(frame, MAX)).toEqual(message);
    expect(() => scanFrame(concatBytes(frame, Uint8Array.of(0)), MAX)).toThrowCode(
      'MALFORMED_MESSAGE'
    );
  });

  it('round-trips any message up to the cap', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: MAX }), (m) => {
        expect(parseFrame(formatFrame(m), MAX)).toEqual(m);
      })
    );
  });

  it('parses any bytes or throws a typed error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.nat(64), (bytes, max) => {
        try {
          const m = parseFrame(bytes, max);
          expect(formatFrame(m)).toEqual(bytes); // one encoding per message
        } catch (e) {
          expect(
            isUndersignedError(e, 'MALFORMED_MESSAGE') || isUndersignedError(e, 'BAD_REQUEST')
          ).toBe(true);
        }
      }),
      { numRuns: 2000 }
    );
  });
});
