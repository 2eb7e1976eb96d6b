// Bytes and strict encodings. Every decoder here is canonical: exactly one text per value
// (RFC 4648 §4 padded base64 with zero pad bits, lowercase hex), so that a value parsed from
// untrusted input formats back to the same text.

import { UndersignedError } from './errors.ts';

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Checks that `value` is a Uint8Array (of `length`, if given) and returns it. */
export function assertBytes(value: unknown, length?: number, title = 'value'): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(`"${title}" expected Uint8Array, got ${typeof value}`);
  }
  if (length !== undefined && value.length !== length) {
    throw new RangeError(`"${title}" expected ${length} bytes, got ${value.length}`);
  }
  return value;
}

export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decodes UTF-8, refusing invalid sequences (no replacement characters). */
export function utf8Decode(bytes: Uint8Array): string {
  try {
    return strictDecoder.decode(bytes);
  } catch (cause) {
    throw new UndersignedError('MALFORMED_UTF8', 'invalid UTF-8', { cause });
  }
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/** Byte-wise lexicographic order: negative, zero or positive. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

const HEX = '0123456789abcdef';

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += (HEX[b >> 4] ?? '') + (HEX[b & 15] ?? '');
  return out;
}

/** Decodes lowercase hex of an even length (and of `length` bytes, if given). */
export function fromHex(text: string, length?: number): Uint8Array {
  if (text.length % 2 !== 0 || !/^[0-9a-f]*$/.test(text)) {
    throw new UndersignedError('MALFORMED_HEX', 'expected lowercase hex of even length');
  }
  if (length !== undefined && text.length !== 2 * length) {
    throw new UndersignedError(
      'MALFORMED_HEX',
      `expected ${length} bytes of hex, got ${text.length / 2}`
    );
  }
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_INDEX[B64.charCodeAt(i)] = i;
/** The two characters of each 12-bit value: half as many string joins in toBase64. */
const B64_PAIRS = Array.from({ length: 4096 }, (_, n) => `${B64[n >> 6]}${B64[n & 63]}`);

/** Standard padded base64, RFC 4648 §4. */
export function toBase64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += (B64_PAIRS[n >> 12] ?? '') + (B64_PAIRS[n & 4095] ?? '');
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    out += `${B64_PAIRS[(bytes[i] ?? 0) << 4] ?? ''}==`;
  } else if (rest === 2) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8);
    out += `${B64_PAIRS[n >> 12] ?? ''}${B64[(n >> 6) & 63] ?? ''}=`;
  }
  return out;
}

/**
 * Strict standard base64 (RFC 4648 §4): padded, no whitespace, and the unused pad bits zero, so
 * each byte string has exactly one encoding. With `length`, the result must have that length.
 */
export function fromBase64(text: string, length?: number): Uint8Array {
  const bad = (why: string): UndersignedError => new UndersignedError('MALFORMED_BASE64', why);
  if (text.length % 4 !== 0) throw bad('base64 length is not a multiple of 4');
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const size = (text.length / 4) * 3 - pad;
  if (length !== undefined && size !== length) {
    throw bad(`expected base64 of ${length} bytes, got ${size}`);
  }
  const out = new Uint8Array(size);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const c = text.charCodeAt(i + j);
      const isPad = i + 4 === text.length && j >= 4 - pad;
      const v = isPad ? (c === 61 ? 0 : -1) : c < 128 ? (B64_INDEX[c] ?? -1) : -1;
      if (v < 0) throw bad('invalid base64 character');
      n = (n << 6) | v;
    }
    for (let shift = 16; shift >= 0; shift -= 8) {
      const b = (n >> shift) & 255;
      if (o < size) out[o++] = b;
      else if (b !== 0) throw bad('non-zero base64 pad bits');
    }
  }
  return out;
}

/** Reads an unsigned big-endian integer of `width` bytes (up to 6) at `offset`. */
export function readUint(bytes: Uint8Array, offset: number, width: number): number {
  let n = 0;
  for (let i = 0; i < width; i++) n = n * 256 + (bytes[offset + i] ?? 0);
  return n;
}

/** Writes `value` as an unsigned big-endian integer of `width` bytes at `offset`. */
export function writeUint(bytes: Uint8Array, offset: number, width: number, value: number): void {
  for (let i = width - 1; i >= 0; i--) {
    bytes[offset + i] = value % 256;
    value = Math.floor(value / 256);
  }
}
