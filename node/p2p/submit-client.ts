// The client side of /undersigned/submit/1 (docs/PROTOCOL.md §8.4): one stream per entry, the
// entry as one length-prefixed message, then the mirror's answer, checked for its shape only.
// What a mirror answers is untrusted: receipts are checked with core/receipt.ts before anyone
// relies on them.
//
// Policy: the client node only dials. TCP, Noise and Yamux; no listen address, no identify (it
// tells the mirror nothing about itself), no discovery, no keep-alive pings, and a fresh peer key
// each time it starts, so that a peer ID does not link submissions made in different runs.

import type { Libp2p } from '@libp2p/interface';
import { noise } from '@libp2p/noise';
import { tcp } from '@libp2p/tcp';
import { yamux } from '@libp2p/yamux';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import { isUndersignedError, UndersignedError, type ErrorCode } from '../../core/errors.ts';
import { pause, type Submitted } from '../mirror-client.ts';
import { AGENT } from './config.ts';
import { readFrame, writeFrame } from './frame.ts';
import { peerIdOf } from './peers.ts';
import {
  MAX_ANSWER_SIZE,
  parseSubmitAnswer,
  SUBMIT_PROTOCOL,
  type SubmitAnswer,
} from './submit-protocol.ts';

/** How long one attempt may take: the answer waits for the mirror's next batch. */
const ATTEMPT_TIMEOUT_MS = 120_000;

/** Starts a libp2p node that can only dial (see Policy above). The caller stops it. */
export async function startSubmitClient(): Promise<Libp2p> {
  return createLibp2p({
    nodeInfo: { name: AGENT, version: '0', userAgent: AGENT },
    addresses: { listen: [] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionMonitor: { enabled: false },
    peerDiscovery: [],
    peerRouters: [],
    contentRouters: [],
    services: {},
  });
}

/**
 * Submits one entry to the mirror at `peer`, a multiaddr ending in /p2p/<peer id>, and waits for
 * its receipt. Retries while the mirror answers UNAVAILABLE, cannot be reached or resets the
 * stream (resubmitting is safe: §8.3), up to `attempts` times; a refusal throws UndersignedError
 * with the mirror's code, and an answer that does not parse throws FETCH_FAILED.
 */
export async function submitOverLibp2p(
  libp2p: Pick<Libp2p, 'dialProtocol'>,
  peer: string | Multiaddr,
  entry: Uint8Array,
  options: { signal?: AbortSignal; attempts?: number } = {}
): Promise<Submitted> {
  const address = typeof peer === 'string' ? multiaddr(peer) : peer;
  if (peerIdOf(address) === undefined)
    throw new RangeError('"peer" expected a multiaddr ending in /p2p/<peer id>');
  if (!(entry instanceof Uint8Array)) throw new TypeError('"entry" expected Uint8Array');
  const attempts = options.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    let answer: SubmitAnswer;
    try {
      answer = await exchange(libp2p, address, entry, options.signal);
    } catch (cause) {
      if (options.signal?.aborted === true) throw options.signal.reason;
      if (
        isUndersignedError(cause, 'MALFORMED_MESSAGE') ||
        isUndersignedError(cause, 'BAD_REQUEST')
      )
        throw new UndersignedError(
          'FETCH_FAILED',
          `${address.toString()} answered with a malformed message`,
          { cause }
        );
      if (cause instanceof Error && cause.name === 'UnsupportedProtocolError')
        throw new UndersignedError(
          'FETCH_FAILED',
          `${address.toString()} does not take submissions over libp2p`,
          { cause }
        );
      if (attempt >= attempts)
        throw new UndersignedError('FETCH_FAILED', `cannot submit to ${address.toString()}`, {
          cause,
        });
      await pause(attempt, options.signal);
      continue;
    }
    if ('receipt' in answer) return answer;
    if (answer.error.code === 'UNAVAILABLE' && attempt < attempts) {
      await pause(attempt, options.signal);
      continue;
    }
    throw new UndersignedError(
      answer.error.code as ErrorCode,
      `${address.toString()}: ${answer.error.message}`
    );
  }
}

/** One stream: the request, the end of our writes, the answer. */
async function exchange(
  libp2p: Pick<Libp2p, 'dialProtocol'>,
  address: Multiaddr,
  entry: Uint8Array,
  signal: AbortSignal | undefined
): Promise<SubmitAnswer> {
  const timeout = AbortSignal.timeout(ATTEMPT_TIMEOUT_MS);
  const within = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
  const stream = await libp2p.dialProtocol(address, SUBMIT_PROTOCOL, { signal: within });
  try {
    // Listen before writing: the answer may come as soon as our writes end.
    const reading = readFrame(stream, MAX_ANSWER_SIZE, within);
    reading.catch(() => undefined); // awaited below, unless the write fails first
    await writeFrame(stream, entry, within);
    return parseSubmitAnswer(await reading);
  } finally {
    stream.abort(new Error('done')); // a no-op once both ends closed
  }
}
