// One length-prefixed message each way on a libp2p stream (docs/PROTOCOL.md §8.4): the length
// as an unsigned varint (multiformats/unsigned-varint: 7 bits a byte, least significant group
// first, the high bit set on every byte but the last; minimal; at most 9 bytes), that many
// bytes, then the end of the sender's writes. Anything after the message is malformed.

import type { Stream, StreamCloseEvent, StreamMessageEvent } from '@libp2p/interface';
import { concatBytes } from '../../core/bytes.ts';
import { UndersignedError } from '../../core/errors.ts';

/** The longest unsigned varint (multiformats/unsigned-varint: 63 bits). */
export const MAX_VARINT_BYTES = 9;

/** varint(length) || message. */
export function formatFrame(message: Uint8Array): Uint8Array {
  if (!(message instanceof Uint8Array)) throw new TypeError('"message" expected Uint8Array');
  const prefix: number[] = [];
  let n = message.length;
  // Arithmetic, not bitwise: the spec's lengths go past 2^31.
  while (n >= 128) {
    prefix.push((n % 128) + 128);
    n = Math.floor(n / 128);
  }
  prefix.push(n);
  return concatBytes(Uint8Array.from(prefix), message);
}

/**
 * Scans the bytes read so far: the message once it is complete, undefined while more bytes may
 * complete it. Throws MALFORMED_MESSAGE for a length prefix that is not a minimal varint of at
 * most 9 bytes or for bytes after the message, and BAD_REQUEST for a length over `maxLength`
 * as soon as the prefix is read.
 */
export function scanFrame(bytes: Uint8Array, maxLength: number): Uint8Array | undefined {
  let length = 0;
  let i = 0;
  for (;;) {
    if (i >= MAX_VARINT_BYTES) throw malformed('the length prefix is over 9 bytes');
    const byte = bytes[i];
    if (byte === undefined) return undefined;
    length += (byte % 128) * 128 ** i;
    i++;
    if (byte < 128) {
      if (byte === 0 && i > 1) throw malformed('the length prefix is not minimal');
      break;
    }
  }
  if (length > maxLength)
    throw new UndersignedError('BAD_REQUEST', `the message is over ${maxLength} bytes`);
  if (bytes.length > i + length) throw malformed('bytes follow the message');
  return bytes.length === i + length ? bytes.subarray(i) : undefined;
}

/** Parses all a sender wrote: exactly one message. Throws what scanFrame throws, and
 * MALFORMED_MESSAGE when the bytes end before the message does. */
export function parseFrame(bytes: Uint8Array, maxLength: number): Uint8Array {
  const message = scanFrame(bytes, maxLength);
  if (message !== undefined) return message;
  throw malformed(bytes.length === 0 ? 'no message' : 'the message is cut short');
}

/**
 * Reads one message from `stream`, up to the end of the remote's writes. Rejects with what
 * parseFrame throws as soon as the bytes are known to be wrong, with FETCH_FAILED when the
 * stream is reset before the message is complete, or with the signal's reason. Holds at most
 * `maxLength` + 10 bytes.
 */
export function readFrame(
  stream: Stream,
  maxLength: number,
  signal: AbortSignal
): Promise<Uint8Array> {
  const cap = MAX_VARINT_BYTES + maxLength + 1; // enough to tell an extra byte from the message
  let buffer = new Uint8Array(Math.min(cap, 1024));
  let length = 0;
  let message: Uint8Array | undefined;
  // 'end' fires once, and may have fired before we listen; bytes that a protocol negotiation
  // read ahead are then still queued, and come as 'message' events once we listen.
  const ended = stream.readableEnded;
  const read = (): Uint8Array => buffer.subarray(0, length);
  return new Promise((resolve, reject) => {
    const settle = (error: Error | undefined): void => {
      stream.removeEventListener('message', onMessage);
      stream.removeEventListener('end', onEnd);
      stream.removeEventListener('close', onClose);
      signal.removeEventListener('abort', onAbort);
      if (error === undefined && message !== undefined) resolve(message.slice());
      else reject(error ?? new Error('bug: readFrame settled without a message'));
    };
    const onMessage = (event: StreamMessageEvent): void => {
      const chunk = event.data.subarray();
      const take = Math.min(chunk.length, cap - length);
      if (length + take > buffer.length) {
        // Doubling keeps many small chunks linear in time.
        const grown = new Uint8Array(Math.min(cap, Math.max(buffer.length * 2, length + take)));
        grown.set(read());
        buffer = grown;
      }
      buffer.set(chunk.subarray(0, take), length);
      length += take;
      try {
        message = scanFrame(read(), maxLength);
      } catch (e) {
        settle(e as Error);
        return;
      }
      if (ended && stream.readBufferLength === 0) onEnd();
    };
    const onEnd = (): void => {
      try {
        message = parseFrame(read(), maxLength);
        settle(undefined);
      } catch (e) {
        settle(e as Error);
      }
    };
    const onClose = (event: StreamCloseEvent): void => {
      // A reset after a complete message loses nothing: a sender may reset once it wrote.
      if (event.error === undefined || message !== undefined) onEnd();
      else
        settle(
          new UndersignedError('FETCH_FAILED', 'the stream was reset', { cause: event.error })
        );
    };
    const onAbort = (): void => {
      settle(signal.reason as Error);
    };
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    stream.addEventListener('message', onMessage);
    stream.addEventListener('end', onEnd);
    stream.addEventListener('close', onClose);
    signal.addEventListener('abort', onAbort);
    if (stream.status === 'reset' || stream.status === 'aborted') {
      settle(new UndersignedError('FETCH_FAILED', 'the stream was reset'));
    } else if (ended && stream.readBufferLength === 0) onEnd();
  });
}

/**
 * Writes one message and closes the writing end, once the bytes are handed to the transport.
 * Rejects if the stream is reset first or `signal` aborts.
 */
export async function writeFrame(
  stream: Stream,
  message: Uint8Array,
  signal: AbortSignal
): Promise<void> {
  const frame = formatFrame(message);
  if (!stream.send(frame)) await stream.onDrain({ signal });
  await stream.close({ signal });
}

function malformed(why: string): UndersignedError {
  return new UndersignedError('MALFORMED_MESSAGE', why);
}
