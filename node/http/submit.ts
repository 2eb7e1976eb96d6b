// POST /submit (docs/PROTOCOL.md §8.3): `{"entry": "<base64>"}` in, a receipt (§9) out once the
// entry is in a signed checkpoint. Every refusal is typed and appends nothing:
//
//   413 BAD_REQUEST          the body is over MAX_BODY bytes
//   400 BAD_REQUEST          the body is not JSON, or not exactly {"entry": <string>}
//   400 MALFORMED_BASE64     the entry is not canonical base64
//   422 <§5 code>            MALFORMED_ENTRY, WRONG_LETTER, INSUFFICIENT_STAMP, BAD_ENTRY_SIGNATURE
//   422 DUPLICATE_KEY        another entry of this kind by this key is in the log
//   503 UNAVAILABLE          stopping, busy, or a failed batch: retry (resubmitting is safe)
//   200 {"receipt", "index"} accepted; the same entry again gets its receipt again

import type { IncomingMessage, ServerResponse } from 'node:http';
import { fromBase64, utf8Decode } from '../../core/bytes.ts';
import { isUndersignedError, UndersignedError } from '../../core/errors.ts';
import type { Sequencer } from '../log/sequencer.ts';
import { UNCOUNTED, type SubmissionMetrics } from '../metrics/metrics.ts';
import { sendError, sendJson } from './respond.ts';

/** The largest request body: an entry is at most 1 KiB, 1,368 characters of base64. */
export const MAX_BODY = 16 * 1024;
/** Beyond this much of an oversized body, the connection is cut rather than drained. */
const MAX_DRAIN = 1024 * 1024;
/** The abort reason when a submitter hangs up: made once (an AbortError would cost a stack trace each). */
const HUNG_UP = new Error('the submitter hung up');

/**
 * Handles POST /submit; `onError` hears of failures that are not the submitter's, `counted`
 * of each answer (node/metrics/).
 */
export async function handleSubmit(
  req: IncomingMessage,
  res: ServerResponse,
  sequencer: Pick<Sequencer, 'submit'>,
  onError: (error: unknown) => void,
  counted: SubmissionMetrics = UNCOUNTED
): Promise<void> {
  const body = await readBody(req, res);
  if (body === undefined) {
    counted.rejected('BAD_REQUEST');
    return;
  }
  let json: unknown;
  try {
    json = JSON.parse(utf8Decode(body));
  } catch {
    counted.rejected('BAD_REQUEST');
    sendError(res, new UndersignedError('BAD_REQUEST', 'the body is not JSON'));
    return;
  }
  if (
    typeof json !== 'object' ||
    json === null ||
    Array.isArray(json) ||
    Object.keys(json).length !== 1 ||
    typeof (json as { entry?: unknown }).entry !== 'string'
  ) {
    counted.rejected('BAD_REQUEST');
    sendError(res, new UndersignedError('BAD_REQUEST', 'expected {"entry": "<base64 entry>"}'));
    return;
  }
  let entry: Uint8Array;
  try {
    entry = fromBase64((json as { entry: string }).entry);
  } catch {
    counted.rejected('MALFORMED_BASE64');
    sendError(res, new UndersignedError('MALFORMED_BASE64', 'the entry is not canonical base64'));
    return;
  }
  // A submitter who hangs up stops waiting; an admitted entry is appended all the same.
  const gone = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) gone.abort(HUNG_UP);
  });
  try {
    const accepted = await sequencer.submit(entry, { signal: gone.signal });
    counted.accepted();
    sendJson(res, 200, { receipt: accepted.receipt, index: accepted.index });
  } catch (e) {
    if (gone.signal.aborted) return;
    if (isUndersignedError(e)) {
      counted.rejected(e.code);
      sendError(res, e);
      return;
    }
    counted.rejected('UNAVAILABLE');
    onError(e);
    sendError(res, new UndersignedError('UNAVAILABLE', 'internal error: retry later'));
  }
}

/** Reads the body, or answers 413 and resolves undefined when it is too large. */
function readBody(req: IncomingMessage, res: ServerResponse): Promise<Uint8Array | undefined> {
  const tooLarge = (): void => {
    sendError(res, new UndersignedError('BAD_REQUEST', `the body is over ${MAX_BODY} bytes`), 413);
  };
  if (Number(req.headers['content-length'] ?? 0) > MAX_DRAIN) {
    res.setHeader('Connection', 'close');
    res.once('finish', () => {
      req.destroy();
    });
    tooLarge();
    return Promise.resolve(undefined);
  }
  // Events rather than an async iterator: this runs for every submission.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
      else if (size > MAX_DRAIN) {
        req.destroy();
        resolve(undefined);
      }
    });
    req.once('end', () => {
      if (size <= MAX_BODY) {
        resolve(new Uint8Array(Buffer.concat(chunks)));
        return;
      }
      tooLarge();
      resolve(undefined);
    });
    req.once('error', reject);
  });
}
