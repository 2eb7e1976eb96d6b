// Signatures packed into one buffer, to cross to a worker (a Web Worker, or a Node worker thread)
// as one transfer rather than as many small arrays (reference/perf.md: views over one
// transferred ArrayBuffer keep the copy cost low):
//
//   count (u32, big-endian)
//   count × message length (u16, big-endian)
//   count × (public key (32) || signature (64) || message)
//
// Messages of entries are at most 21 + 960 bytes (docs/PROTOCOL.md §3.1, §3.3), far below 2^16.

import type { SignedMessage } from './ed25519-batch.ts';

const KEY = 32;
const SIGNATURE = 64;

/** Packs signatures into one buffer. Throws RangeError for a wrong-sized key or signature. */
export function packSignatures(items: readonly SignedMessage[]): ArrayBuffer {
  let size = 4 + 2 * items.length;
  for (const item of items) {
    if (item.publicKey.length !== KEY || item.signature.length !== SIGNATURE) {
      throw new RangeError('a signed message needs a 32-byte key and a 64-byte signature');
    }
    if (item.message.length > 0xffff) throw new RangeError('message longer than 65,535 bytes');
    size += KEY + SIGNATURE + item.message.length;
  }
  const buffer = new ArrayBuffer(size);
  const view = new DataView(buffer);
  const bytes = new Uint8Array(buffer);
  view.setUint32(0, items.length);
  let at = 4 + 2 * items.length;
  items.forEach((item, i) => {
    view.setUint16(4 + 2 * i, item.message.length);
    bytes.set(item.publicKey, at);
    bytes.set(item.signature, at + KEY);
    bytes.set(item.message, at + KEY + SIGNATURE);
    at += KEY + SIGNATURE + item.message.length;
  });
  return buffer;
}

/** Views of the signatures in a packed buffer (no copies). Throws RangeError if malformed. */
export function unpackSignatures(buffer: ArrayBuffer): SignedMessage[] {
  const view = new DataView(buffer);
  if (buffer.byteLength < 4) throw new RangeError('packed signatures: too short');
  const count = view.getUint32(0);
  let at = 4 + 2 * count;
  if (at > buffer.byteLength) throw new RangeError('packed signatures: too short');
  const items: SignedMessage[] = [];
  for (let i = 0; i < count; i++) {
    const length = view.getUint16(4 + 2 * i);
    const end = at + KEY + SIGNATURE + length;
    if (end > buffer.byteLength) throw new RangeError('packed signatures: truncated');
    items.push({
      publicKey: new Uint8Array(buffer, at, KEY),
      signature: new Uint8Array(buffer, at + KEY, SIGNATURE),
      message: new Uint8Array(buffer, at + KEY + SIGNATURE, length),
    });
    at = end;
  }
  if (at !== buffer.byteLength) throw new RangeError('packed signatures: trailing bytes');
  return items;
}

/** Verdicts as bytes (1 valid, 0 not), to be transferred back. */
export function packVerdicts(verdicts: readonly boolean[]): ArrayBuffer {
  return Uint8Array.from(verdicts, (ok) => (ok ? 1 : 0)).buffer;
}

/** The verdicts of a packed answer. */
export function unpackVerdicts(buffer: ArrayBuffer): boolean[] {
  return Array.from(new Uint8Array(buffer), (b) => b === 1);
}
