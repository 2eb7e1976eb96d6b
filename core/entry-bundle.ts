// c2sp.org/tlog-tiles entry bundles: the entries behind one level 0 tile, each encoded as a
// big-endian uint16 length followed by the entry bytes, concatenated. A bundle holds 1..256
// entries (256 when full); each entry is at most 65,535 bytes.

import { UndersignedError } from './errors.ts';
import { TILE_WIDTH } from './tiles.ts';

/** The largest entry a bundle can hold: its length is a uint16. */
export const MAX_ENTRY_SIZE = 65535;

/** Encodes 1..256 entries of at most 65,535 bytes each as an entry bundle. */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  if (entries.length < 1 || entries.length > TILE_WIDTH) {
    throw new RangeError(`an entry bundle holds 1..${TILE_WIDTH} entries, got ${entries.length}`);
  }
  let size = 0;
  for (const entry of entries) {
    if (!(entry instanceof Uint8Array)) throw new TypeError('entries expected Uint8Array');
    if (entry.length > MAX_ENTRY_SIZE) {
      throw new RangeError(`entry of ${entry.length} bytes exceeds ${MAX_ENTRY_SIZE}`);
    }
    size += 2 + entry.length;
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const entry of entries) {
    out[offset] = entry.length >> 8; // lengths are uint16: bitwise operators are safe here
    out[offset + 1] = entry.length & 0xff;
    out.set(entry, offset + 2);
    offset += 2 + entry.length;
  }
  return out;
}

/**
 * Decodes an entry bundle strictly: 1..256 entries (exactly `expectedCount`, if given), each
 * complete, and no bytes after the last. Returns views into `bytes`, not copies.
 */
export function decodeEntryBundle(bytes: Uint8Array, expectedCount?: number): Uint8Array[] {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('"bytes" expected Uint8Array');
  if (
    expectedCount !== undefined &&
    (!Number.isInteger(expectedCount) || expectedCount < 1 || expectedCount > TILE_WIDTH)
  ) {
    throw new RangeError(`"expectedCount" expected 1..${TILE_WIDTH}, got ${String(expectedCount)}`);
  }
  const bad = (why: string): UndersignedError =>
    new UndersignedError('MALFORMED_ENTRY_BUNDLE', why);
  const entries: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (entries.length === (expectedCount ?? TILE_WIDTH)) {
      throw bad(`bytes after entry ${entries.length}`);
    }
    if (offset + 2 > bytes.length) throw bad('truncated entry length');
    const length = ((bytes[offset] as number) << 8) | (bytes[offset + 1] as number);
    const start = offset + 2;
    if (start + length > bytes.length) throw bad(`truncated entry ${entries.length}`);
    entries.push(bytes.subarray(start, start + length));
    offset = start + length;
  }
  if (entries.length === 0) throw bad('empty entry bundle');
  if (expectedCount !== undefined && entries.length !== expectedCount) {
    throw bad(`expected ${expectedCount} entries, got ${entries.length}`);
  }
  return entries;
}

/**
 * The offset just after `count` entries that start at `start` in `bytes`, reading only their
 * length prefixes; -1 if the bytes end before a length or inside an entry. For cutting bundles
 * out of longer bytes (a range of them, bundle-range.ts; a partial one's prefix of a full one).
 */
export function entriesEnd(bytes: Uint8Array, start: number, count: number): number {
  let at = start;
  for (let i = 0; i < count; i++) {
    if (at + 2 > bytes.length) return -1;
    at += 2 + (((bytes[at] as number) << 8) | (bytes[at + 1] as number));
  }
  return at > bytes.length ? -1 : at;
}
