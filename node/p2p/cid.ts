// Content identifiers for tiles and entry bundles (multiformats CID spec,
// github.com/multiformats/cid): CIDv1, raw codec (0x55) for blocks, dag-pb (0x70) for UnixFS
// directories, always a SHA-256 multihash (0x12, 32 bytes). DESIGN.md "Replication over IPFS".

import { CID } from 'multiformats/cid';
import { create as createDigest } from 'multiformats/hashes/digest';
import { equalBytes } from '../../core/bytes.ts';
import { UndersignedError } from '../../core/errors.ts';
import { HASH_SIZE, sha256 } from '../../core/hash.ts';

/** Multicodec codes we accept (multiformats/multicodec table.csv). */
export const RAW_CODEC = 0x55;
export const DAG_PB_CODEC = 0x70;
const SHA2_256 = 0x12;

// A CIDv1 with a 32-byte digest is 59 characters in base32; anything longer is not ours.
const MAX_CID_TEXT = 64;

/** The CID of `bytes` stored as one raw block: CIDv1, raw, SHA-256. */
export function blockCid(bytes: Uint8Array): CID {
  return CID.createV1(RAW_CODEC, createDigest(SHA2_256, sha256(bytes)));
}

/** The CID of a dag-pb block (a UnixFS directory): CIDv1, dag-pb, SHA-256. */
export function dagPbCid(bytes: Uint8Array): CID {
  return CID.createV1(DAG_PB_CODEC, createDigest(SHA2_256, sha256(bytes)));
}

/** Whether `cid` is one we store and exchange: CIDv1, raw or dag-pb, SHA-256. */
export function isSupportedCid(cid: CID): boolean {
  return (
    cid.version === 1 &&
    (cid.code === RAW_CODEC || cid.code === DAG_PB_CODEC) &&
    cid.multihash.code === SHA2_256 &&
    cid.multihash.digest.length === HASH_SIZE
  );
}

/**
 * Parses the canonical text of a supported CID: lowercase base32 ("b..."), the form
 * `CID.toString()` gives for CIDv1. Other bases, CIDv0 and other codecs or hashes are refused,
 * so that one CID has one spelling.
 */
export function parseCid(text: string): CID {
  if (typeof text !== 'string') throw new TypeError(`"text" expected string, got ${typeof text}`);
  if (text.length > MAX_CID_TEXT) {
    throw new UndersignedError(
      'MALFORMED_CID',
      `cid is ${text.length} characters, at most ${MAX_CID_TEXT}`
    );
  }
  let cid: CID;
  try {
    cid = CID.parse(text);
  } catch (cause) {
    throw new UndersignedError('MALFORMED_CID', 'cid does not parse', { cause });
  }
  if (!isSupportedCid(cid)) {
    throw new UndersignedError('MALFORMED_CID', 'cid is not a CIDv1 raw or dag-pb SHA-256 cid');
  }
  // Policy: canonical spelling only (base32, lowercase), as the checkpoint parsers demand.
  if (cid.toString() !== text)
    throw new UndersignedError('MALFORMED_CID', 'cid is not in canonical base32');
  return cid;
}

/** Whether `bytes` hash to the SHA-256 digest in `cid` (a supported CID). */
export function checkBlock(cid: CID, bytes: Uint8Array): boolean {
  return isSupportedCid(cid) && equalBytes(sha256(bytes), cid.multihash.digest);
}

/** A supported CID from a CID object (of any copy of multiformats) or its canonical text. */
export function asCid(value: CID | string): CID {
  if (typeof value === 'string') return parseCid(value);
  const cid = CID.asCID(value);
  if (cid === null) throw new TypeError('"cid" expected a CID or a string');
  if (!isSupportedCid(cid)) {
    throw new UndersignedError('MALFORMED_CID', 'cid is not a CIDv1 raw or dag-pb SHA-256 cid');
  }
  return cid;
}
