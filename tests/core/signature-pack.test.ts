// core/signature-pack.ts: signatures and verdicts in one transferable buffer.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  packSignatures,
  packVerdicts,
  unpackSignatures,
  unpackVerdicts,
} from '../../core/signature-pack.ts';

const signed = fc.record({
  publicKey: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  message: fc.uint8Array({ maxLength: 1200 }),
  signature: fc.uint8Array({ minLength: 64, maxLength: 64 }),
});

describe('packSignatures / unpackSignatures', () => {
  it('round-trips any signatures, and verdicts', () => {
    fc.assert(
      fc.property(fc.array(signed, { maxLength: 40 }), (items) => {
        const back = unpackSignatures(packSignatures(items));
        expect(back.map((b) => [b.publicKey, b.message, b.signature])).toEqual(
          items.map((i) => [i.publicKey, i.message, i.signature])
        );
      })
    );
    fc.assert(
      fc.property(fc.array(fc.boolean()), (verdicts) => {
        expect(unpackVerdicts(packVerdicts(verdicts))).toEqual(verdicts);
      })
    );
  });

  it('refuses every truncation and trailing bytes with RangeError', () => {
    const items = fc.sample(signed, { numRuns: 3, seed: 7 });
    const packed = new Uint8Array(packSignatures(items));
    for (let n = 0; n < packed.length; n++) {
      expect(() => unpackSignatures(packed.slice(0, n).buffer)).toThrow(RangeError);
    }
    const longer = new Uint8Array(packed.length + 1);
    longer.set(packed);
    expect(() => unpackSignatures(longer.buffer)).toThrow(RangeError);
  });

  it('refuses keys and signatures of the wrong size, and messages over 65,535 bytes', () => {
    const ok = {
      publicKey: new Uint8Array(32),
      message: new Uint8Array(1),
      signature: new Uint8Array(64),
    };
    expect(() => packSignatures([{ ...ok, publicKey: new Uint8Array(31) }])).toThrow(RangeError);
    expect(() => packSignatures([{ ...ok, signature: new Uint8Array(65) }])).toThrow(RangeError);
    expect(() => packSignatures([{ ...ok, message: new Uint8Array(65_536) }])).toThrow(RangeError);
  });
});
