// CARv1 files (ipld.io/specs/transport/car/carv1): a header naming one root CID, then blocks,
// each `varint(length) || CID || data`. We write and read only what an offline copy of a log
// needs: one root, CIDv1 with a SHA-256 multihash, raw (0x55) or dag-pb (0x70) blocks
// (node/p2p/cid.ts). The reader is strict: minimal varints, the one canonical header, every
// block's bytes hashed against its CID, no block twice, nothing after the last block.

import { CID } from 'multiformats/cid';
import { concatBytes, equalBytes } from '../../core/bytes.ts';
import { UndersignedError } from '../../core/errors.ts';
import { asCid, checkBlock } from '../p2p/cid.ts';

/** One block of a CAR: its CID and its bytes. */
export type CarBlock = { readonly cid: CID; readonly bytes: Uint8Array };

/** A parsed CAR: its root and its blocks, in file order. */
export type Car = { readonly root: CID; readonly blocks: readonly CarBlock[] };

// Policy: a block is at most 2 MiB (bitswap's message limit; a full entry bundle is ~262 KB and
// a directory block of 4096 names well under 1 MiB), and a CAR at most 2^31 bytes.
const MAX_BLOCK = 2 << 20;
/** The largest CAR file parseCar reads. */
export const MAX_CAR_SIZE = 2 ** 31;

// A supported CIDv1 in binary: version 1, codec, multihash sha2-256 (0x12) of 32 bytes (0x20).
const CID_SIZE = 36;

// The header is DAG-CBOR {"roots": [CID], "version": 1}, map keys in length-first order
// (DAG-CBOR §strictness), the CID as tag 42 over 0x00 || CID bytes. With a 36-byte CID it is
// always these 58 bytes around the CID.
const HEADER_BEFORE = Uint8Array.of(
  0xa2, // map(2)
  0x65,
  ...[0x72, 0x6f, 0x6f, 0x74, 0x73], // text(5) "roots"
  0x81, // array(1)
  0xd8,
  0x2a, // tag(42)
  0x58,
  CID_SIZE + 1, // bytes(37)
  0x00 // the multibase identity prefix of binary CIDs in DAG-CBOR
);
const HEADER_AFTER = Uint8Array.of(
  0x67,
  ...[0x76, 0x65, 0x72, 0x73, 0x69, 0x6f, 0x6e], // text(7) "version"
  0x01 // 1
);
const HEADER_SIZE = HEADER_BEFORE.length + CID_SIZE + HEADER_AFTER.length;

/** Unsigned LEB128, as multiformats/unsigned-varint specifies. */
function formatVarint(n: number): Uint8Array {
  const out: number[] = [];
  let rest = n;
  while (rest >= 0x80) {
    out.push((rest % 0x80) + 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
  return Uint8Array.from(out);
}

/** The CAR holding `blocks` (written in the order given) under `root`. */
export function formatCar(root: CID, blocks: readonly CarBlock[]): Uint8Array {
  const rootBytes = asCid(root).bytes;
  const parts: Uint8Array[] = [formatVarint(HEADER_SIZE), HEADER_BEFORE, rootBytes, HEADER_AFTER];
  for (const { cid, bytes } of blocks) {
    const cidBytes = asCid(cid).bytes;
    if (bytes.length > MAX_BLOCK) throw new RangeError(`a block is larger than ${MAX_BLOCK} bytes`);
    parts.push(formatVarint(cidBytes.length + bytes.length), cidBytes, bytes);
  }
  return concatBytes(...parts);
}

/**
 * Parses a CAR strictly and checks every block's bytes against its CID. MALFORMED_CAR names
 * what is wrong and where (by block number, never by echoing the file's bytes).
 */
export function parseCar(bytes: Uint8Array): Car {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('"bytes" expected Uint8Array');
  const bad = (why: string): UndersignedError => new UndersignedError('MALFORMED_CAR', why);
  if (bytes.length > MAX_CAR_SIZE) throw bad(`car is larger than ${MAX_CAR_SIZE} bytes`);
  let at = 0;
  const varint = (what: string): number => {
    let n = 0;
    for (let i = 0; i < 4; i++) {
      const b = bytes[at++];
      if (b === undefined) throw bad(`${what} is truncated`);
      n += (b % 0x80) * 0x80 ** i;
      if (b < 0x80) {
        if (b === 0 && i > 0) throw bad(`${what} is not a minimal varint`);
        return n;
      }
    }
    throw bad(`${what} is too large`);
  };
  const take = (n: number, what: string): Uint8Array => {
    if (at + n > bytes.length) throw bad(`${what} is truncated`);
    const out = bytes.subarray(at, at + n);
    at += n;
    return out;
  };

  if (varint('header length') !== HEADER_SIZE) throw bad('header is not a one-root CARv1 header');
  const header = take(HEADER_SIZE, 'header');
  const before = header.subarray(0, HEADER_BEFORE.length);
  const after = header.subarray(HEADER_SIZE - HEADER_AFTER.length);
  if (!equalBytes(before, HEADER_BEFORE) || !equalBytes(after, HEADER_AFTER))
    throw bad('header is not a one-root CARv1 header');
  const root = cidFrom(header.subarray(HEADER_BEFORE.length, HEADER_BEFORE.length + CID_SIZE));
  if (root === undefined) throw bad('root is not a CIDv1 raw or dag-pb SHA-256 cid');

  const blocks: CarBlock[] = [];
  const seen = new Set<string>();
  while (at < bytes.length) {
    const what = `block ${blocks.length}`;
    const length = varint(`${what} length`);
    if (length < CID_SIZE || length > CID_SIZE + MAX_BLOCK) throw bad(`${what} has a bad length`);
    const section = take(length, what);
    const cid = cidFrom(section.subarray(0, CID_SIZE));
    if (cid === undefined) throw bad(`${what} has an unsupported cid`);
    const data = section.slice(CID_SIZE);
    if (!checkBlock(cid, data)) throw bad(`${what} does not hash to its cid`);
    const key = cid.toString();
    if (seen.has(key)) throw bad(`${what} appears twice`);
    seen.add(key);
    blocks.push({ cid, bytes: data });
  }
  return { root, blocks };
}

/** A supported CID from its 36 binary bytes, or undefined. */
function cidFrom(bytes: Uint8Array): CID | undefined {
  const [version, codec, hash, size] = bytes;
  if (version !== 0x01 || (codec !== 0x55 && codec !== 0x70) || hash !== 0x12 || size !== 0x20)
    return undefined;
  try {
    return asCid(CID.decode(bytes.slice()));
  } catch {
    return undefined;
  }
}
