import fc from 'fast-check';
import { base58btc } from 'multiformats/bases/base58';
import { CID } from 'multiformats/cid';
import { create as createDigest } from 'multiformats/hashes/digest';
import { describe, expect, it } from 'vitest';
import { isUndersignedError } from '../../../core/errors.ts';
import { asCid, blockCid, checkBlock, isSupportedCid, parseCid } from '../../../node/p2p/cid.ts';

// The CID of the empty raw block, as `ipfs add --raw-leaves --cid-version 1` prints it.
const EMPTY = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku';
const SOME = blockCid(new TextEncoder().encode('tile')).toString();

describe('blockCid', () => {
  it('is CIDv1, raw, SHA-256', () => {
    expect(blockCid(new Uint8Array()).toString()).toBe(EMPTY);
    const cid = blockCid(new Uint8Array([1, 2, 3]));
    expect([cid.version, cid.code, cid.multihash.code, cid.multihash.digest.length]).toEqual([
      1, 0x55, 0x12, 32,
    ]);
  });

  it('round-trips through parseCid and checks against its bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        const cid = blockCid(bytes);
        expect(parseCid(cid.toString()).equals(cid)).toBe(true);
        expect(checkBlock(cid, bytes)).toBe(true);
        const flipped = Uint8Array.from(bytes, (b, i) => (i === 0 ? b ^ 1 : b));
        expect(checkBlock(cid, bytes.length === 0 ? new Uint8Array([0]) : flipped)).toBe(false);
      })
    );
  });
});

describe('parseCid', () => {
  it('refuses other versions, bases, codecs, hashes and lengths', () => {
    const v1 = CID.parse(SOME);
    const refused = [
      'QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n', // CIDv0
      SOME.toUpperCase(), // base32upper
      v1.toString(base58btc), // the same CID in base58btc
      `z${SOME.slice(1)}`, // a base58btc prefix on base32 text
      CID.createV1(0x71, v1.multihash).toString(), // dag-cbor
      CID.createV1(0x55, createDigest(0x13, new Uint8Array(64))).toString(), // sha2-512
      CID.createV1(0x55, createDigest(0x12, new Uint8Array(20))).toString(), // short digest
      `${SOME}a`,
      '',
      'b'.repeat(65),
    ];
    for (const text of refused) expect(() => parseCid(text)).toThrowCode('MALFORMED_CID');
    expect(parseCid(CID.createV1(0x70, v1.multihash).toString()).code).toBe(0x70); // dag-pb is fine
  });

  it('parses any string or throws MALFORMED_CID', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        try {
          expect(parseCid(text).toString()).toBe(text);
        } catch (e) {
          expect(isUndersignedError(e, 'MALFORMED_CID')).toBe(true);
        }
      })
    );
  });

  it('refuses or changes the CID when any character changes', () => {
    for (let i = 0; i < SOME.length; i++) {
      for (const c of 'abz27A=') {
        const text = SOME.slice(0, i) + c + SOME.slice(i + 1);
        if (text === SOME) continue;
        try {
          expect(parseCid(text).toString()).not.toBe(SOME);
        } catch (e) {
          expect(isUndersignedError(e, 'MALFORMED_CID')).toBe(true);
        }
      }
    }
  });
});

describe('asCid', () => {
  it('takes CID objects and canonical text, and refuses unsupported CIDs', () => {
    const cid = CID.parse(SOME);
    expect(asCid(cid)).toBe(cid);
    expect(asCid(SOME).equals(cid)).toBe(true);
    expect(isSupportedCid(cid)).toBe(true);
    expect(() => asCid(CID.createV1(0x71, cid.multihash))).toThrowCode('MALFORMED_CID');
  });
});
