// The libp2p submission protocol /undersigned/submit/1 (docs/PROTOCOL.md §8.4), mirror side: a
// peer opens a stream, writes one length-prefixed entry (frame.ts) and closes its writing end;
// the mirror answers with one length-prefixed message, the JSON that POST /submit answers
// (§8.3), and closes. Every refusal is typed and appends nothing:
//
//   MALFORMED_MESSAGE   the length prefix is not a minimal varint, the message is cut short or
//                       missing, or bytes follow it
//   BAD_REQUEST         the length is over MAX_ENTRY_SIZE (answered without reading the rest),
//                       or the request did not end within READ_TIMEOUT_MS
//   <§5 code>, DUPLICATE_KEY, UNAVAILABLE   as over HTTP
//
// Policy: nothing about the peer is read, logged or kept: not its peer ID, not its address.

import type { Libp2p, Stream, StreamHandler } from '@libp2p/interface';
import { utf8Decode, utf8Encode } from '../../core/bytes.ts';
import { MAX_ENTRY_SIZE } from '../../core/entry.ts';
import { isUndersignedError, UndersignedError, type ErrorCode } from '../../core/errors.ts';
import type { Submitted } from '../mirror-client.ts';
import { readFrame, writeFrame } from './frame.ts';

/** The protocol ID, negotiated with multistream-select. */
export const SUBMIT_PROTOCOL = '/undersigned/submit/1';
/** How long a peer has, from the stream's opening, to write its request and close. */
export const READ_TIMEOUT_MS = 10_000;
/** How long an answer may take to be handed to the transport. */
const WRITE_TIMEOUT_MS = 10_000;
/** Streams of this protocol open at once on one connection; more are reset by libp2p. */
export const MAX_SUBMIT_STREAMS = 32;
/** The largest answer: twice the largest receipt (JSON escapes its line feeds) and then some. */
export const MAX_ANSWER_SIZE = 2 * 1024 * 1024;
/** The longest error message a client accepts in an answer. */
const MAX_ERROR_MESSAGE = 1024;
/** The abort reason when a peer goes away: made once (an AbortError would cost a stack trace each). */
const HUNG_UP = new Error('the peer went away');
const REFUSED = new Error('the request was refused');

/** What a mirror answers: a receipt (§9), or a refusal with its code. */
export type SubmitAnswer =
  | { readonly receipt: string; readonly index: number }
  | { readonly error: { readonly code: string; readonly message: string } };

/** How a submission over the protocol ended: for counting, never with anything about the peer. */
export type SubmitResult =
  { readonly ok: true } | { readonly ok: false; readonly code: ErrorCode | 'ABORTED' };

/** What the protocol handler needs. */
export type SubmitProtocolOptions = {
  /** The sequencer's submit, or a wrapper of it; the signal aborts when the peer goes away. */
  readonly submit: (entry: Uint8Array, options: { signal: AbortSignal }) => Promise<Submitted>;
  /** Hears how each stream ended: accepted, refused with a code, or 'ABORTED' (the peer left). */
  readonly onResult?: (result: SubmitResult) => void;
  /** Hears of failures that are not the peer's. */
  readonly onError?: (error: unknown) => void;
  /** Default READ_TIMEOUT_MS. */
  readonly readTimeoutMs?: number;
  /** Default MAX_SUBMIT_STREAMS. */
  readonly maxInboundStreams?: number;
};

/** The answer's bytes: UTF-8 JSON, `{"receipt", "index"}` or `{"error": {"code", "message"}}`. */
export function formatSubmitAnswer(answer: Submitted | UndersignedError): Uint8Array {
  const json =
    answer instanceof UndersignedError
      ? { error: { code: answer.code, message: answer.message } }
      : { receipt: answer.receipt, index: answer.index };
  return utf8Encode(JSON.stringify(json));
}

/** Parses an answer strictly: exactly one of the two shapes. Throws MALFORMED_MESSAGE. */
export function parseSubmitAnswer(bytes: Uint8Array): SubmitAnswer {
  let json: unknown;
  try {
    json = JSON.parse(utf8Decode(bytes));
  } catch {
    throw new UndersignedError('MALFORMED_MESSAGE', 'the answer is not UTF-8 JSON');
  }
  if (isRecord(json, ['index', 'receipt'])) {
    const { receipt, index } = json;
    if (typeof receipt === 'string' && Number.isSafeInteger(index) && (index as number) >= 0)
      return { receipt, index: index as number };
  } else if (isRecord(json, ['error']) && isRecord(json.error, ['code', 'message'])) {
    const { code, message } = json.error;
    if (
      typeof code === 'string' &&
      /^[A-Z][A-Z0-9_]{0,63}$/.test(code) &&
      typeof message === 'string' &&
      message.length <= MAX_ERROR_MESSAGE
    )
      return { error: { code, message } };
  }
  throw new UndersignedError('MALFORMED_MESSAGE', 'the answer is not a receipt or an error');
}

/** Serves the protocol on `node` (libp2p's handle()). */
export async function handleSubmitProtocol(
  node: Pick<Libp2p, 'handle'>,
  options: SubmitProtocolOptions
): Promise<void> {
  await node.handle(SUBMIT_PROTOCOL, submitHandler(options), {
    maxInboundStreams: options.maxInboundStreams ?? MAX_SUBMIT_STREAMS,
  });
}

/** The stream handler. It never looks at the connection, and never throws. */
export function submitHandler(options: SubmitProtocolOptions): StreamHandler {
  return async (stream) => {
    const result = await serve(stream, options);
    try {
      options.onResult?.(result);
    } catch (e) {
      options.onError?.(e);
    }
  };
}

async function serve(stream: Stream, o: SubmitProtocolOptions): Promise<SubmitResult> {
  const timeoutMs = o.readTimeoutMs ?? READ_TIMEOUT_MS;
  const reading = AbortSignal.timeout(timeoutMs);
  let entry: Uint8Array;
  try {
    entry = await readFrame(stream, MAX_ENTRY_SIZE, reading);
  } catch (e) {
    let refusal: UndersignedError | undefined;
    if (isUndersignedError(e) && e.code !== 'FETCH_FAILED') refusal = e;
    else if (reading.aborted) {
      refusal = new UndersignedError(
        'BAD_REQUEST',
        `the request did not end within ${timeoutMs} ms`
      );
    }
    if (refusal === undefined) {
      stream.abort(HUNG_UP);
      return { ok: false, code: 'ABORTED' };
    }
    await answer(stream, refusal);
    return { ok: false, code: refusal.code };
  }
  // A peer who resets the stream stops waiting; an admitted entry is appended all the same.
  const gone = new AbortController();
  const onClose = (): void => {
    gone.abort(HUNG_UP);
  };
  stream.addEventListener('close', onClose, { once: true });
  if (stream.status !== 'open') gone.abort(HUNG_UP);
  let reply: Submitted | UndersignedError;
  try {
    reply = await o.submit(entry, { signal: gone.signal });
  } catch (e) {
    if (gone.signal.aborted) return { ok: false, code: 'ABORTED' };
    if (isUndersignedError(e)) reply = e;
    else {
      o.onError?.(e);
      reply = new UndersignedError('UNAVAILABLE', 'internal error: retry later');
    }
  } finally {
    stream.removeEventListener('close', onClose);
  }
  await answer(stream, reply);
  return reply instanceof UndersignedError ? { ok: false, code: reply.code } : { ok: true };
}

/** Writes the answer and closes; resets a stream the peer is still writing to, unread. */
async function answer(stream: Stream, reply: Submitted | UndersignedError): Promise<void> {
  try {
    await writeFrame(stream, formatSubmitAnswer(reply), AbortSignal.timeout(WRITE_TIMEOUT_MS));
  } catch {
    // The peer reset the stream or does not read: there is no one left to answer.
  }
  stream.abort(REFUSED); // a no-op on a stream that both ends closed
}

function isRecord<K extends string>(
  value: unknown,
  keys: readonly K[]
): value is Record<K, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const own = Object.keys(value).sort();
  return own.length === keys.length && own.every((k, i) => k === keys[i]);
}
