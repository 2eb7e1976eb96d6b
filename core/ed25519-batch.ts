// Many Ed25519 verifications (RFC 8032 §5.1.7) under the rule of ed25519.ts: through WebCrypto
// (W3C Secure Curves, `crypto.subtle` in Node and in browsers' Web Workers) with many in flight
// where the platform has Ed25519, and through the pure path (verifyEd25519) otherwise.
//
// WebCrypto alone does not apply our rule (tests/vectors/ed25519/SOURCES.md lists where
// OpenSSL differs). So each signature is sorted first, by bytes only:
//   - A, S or R refused by rules 1 or 2 (isAcceptablePublicKey, isCanonicalScalar,
//     isSmallOrderEncoding): false, at once;
//   - the rest: WebCrypto, where OpenSSL, BoringSSL and noble compute the same cofactorless
//     equation, and refuse a key off the curve. A WebCrypto error is not a verdict either: that
//     signature goes to the pure path too.
// Node runs WebCrypto on the libuv pool, so signatures in flight use every core; browsers run it
// on the calling thread, so use one Web Worker per core. bench/signatures.ts measures it.

import { UndersignedError } from './errors.ts';
import { assertBytes, fromHex } from './bytes.ts';
import {
  isSmallOrderEncoding,
  isAcceptablePublicKey,
  isCanonicalScalar,
  verifyEd25519,
} from './ed25519.ts';

/** Where signatures are verified: WebCrypto, @noble/ed25519 in pure JavaScript, or libsodium (node/ed25519/, Node only). */
export type Ed25519Backend = 'webcrypto' | 'noble' | 'libsodium';

/** One signature to verify. */
export type SignedMessage = {
  readonly publicKey: Uint8Array;
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
};

export type Ed25519VerifierOptions = {
  /** 'auto' (the default) uses WebCrypto if it verifies Ed25519 correctly here, else noble. */
  readonly backend?: Ed25519Backend | 'auto';
  /** At most this many WebCrypto verifications at once, over all calls (default 256). */
  readonly inFlight?: number;
  /** The WebCrypto to use (default `globalThis.crypto.subtle`); null for none. */
  readonly subtle?: SubtleCrypto | null;
};

export type Ed25519BatchVerifier = {
  /** The backend in use, once detected (WebCrypto's Ed25519 is probed once per SubtleCrypto). */
  backend(): Promise<Ed25519Backend>;
  /** Verifies one signature. Resolves false for any bad key or signature; never rejects for them. */
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
  /** Verifies many; result i is item i's verdict. Rejects with `signal.reason` when aborted. */
  verifyMany(
    items: readonly SignedMessage[],
    options?: { signal?: AbortSignal }
  ): Promise<boolean[]>;
};

/** Signatures in flight by default: about the best on 2 cores (bench/signatures.ts). */
export const DEFAULT_IN_FLIGHT = 256;

const ED25519 = { name: 'Ed25519' };
// Pure path: signatures verified between two yields to the event loop (about 1.5 ms each).
const PURE_PER_TASK = 8;

// RFC 8032 §7.1 TEST 2, to check that WebCrypto verifies Ed25519 and refuses a wrong message.
const PROBE_KEY = ownBuffer(
  fromHex('3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c')
);
const PROBE_SIGNATURE = ownBuffer(
  fromHex(
    '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da' +
      '085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00'
  )
);
const probes = new WeakMap<SubtleCrypto, Promise<boolean>>();

/** Whether `subtle` verifies Ed25519 (probed once per SubtleCrypto object, then remembered). */
export function hasWebCryptoEd25519(
  subtle: SubtleCrypto | undefined = defaultSubtle()
): Promise<boolean> {
  if (subtle === undefined) return Promise.resolve(false);
  let probe = probes.get(subtle);
  if (probe === undefined) {
    probe = probeEd25519(subtle);
    probes.set(subtle, probe);
  }
  return probe;
}

async function probeEd25519(subtle: SubtleCrypto): Promise<boolean> {
  try {
    const key = await subtle.importKey('raw', PROBE_KEY, ED25519, false, ['verify']);
    const good = await subtle.verify(ED25519, key, PROBE_SIGNATURE, Uint8Array.of(0x72));
    const bad = await subtle.verify(ED25519, key, PROBE_SIGNATURE, Uint8Array.of(0x73));
    return good && !bad;
  } catch {
    return false;
  }
}

/** A verifier for many signatures; the WebCrypto probe runs on first use. */
export function createEd25519Verifier(options: Ed25519VerifierOptions = {}): Ed25519BatchVerifier {
  const wanted = options.backend ?? 'auto';
  if (!['auto', 'webcrypto', 'noble'].includes(wanted)) {
    throw new TypeError(`unknown backend "${wanted}"`);
  }
  const inFlight = options.inFlight ?? DEFAULT_IN_FLIGHT;
  if (!Number.isSafeInteger(inFlight) || inFlight < 1) {
    throw new RangeError(`"inFlight" expected a positive integer, got ${inFlight}`);
  }
  const subtle = options.subtle === undefined ? defaultSubtle() : (options.subtle ?? undefined);
  const slots = new Slots(inFlight);
  let chosen: Promise<Ed25519Backend> | undefined;

  const backend = (): Promise<Ed25519Backend> => (chosen ??= choose());
  async function choose(): Promise<Ed25519Backend> {
    if (wanted === 'noble') return 'noble';
    if (subtle !== undefined && (await hasWebCryptoEd25519(subtle))) return 'webcrypto';
    if (wanted === 'webcrypto') {
      throw new UndersignedError('BAD_CONFIG', 'WebCrypto has no working Ed25519 here');
    }
    return 'noble';
  }
  const viaWebCrypto = (item: SignedMessage): Promise<boolean> => {
    if (subtle === undefined) throw new Error('bug: the WebCrypto backend without WebCrypto');
    return slots.run(() => verifyWithWebCrypto(subtle, item));
  };

  return {
    backend,
    async verify(publicKey, message, signature) {
      const item = { publicKey, message, signature };
      return (await backend()) === 'webcrypto'
        ? viaWebCrypto(item)
        : verifyEd25519(publicKey, message, signature);
    },
    async verifyMany(items, { signal } = {}) {
      signal?.throwIfAborted();
      if ((await backend()) === 'noble') return verifyManyPure(items, signal);
      const results = new Array<boolean>(items.length).fill(false);
      let next = 0;
      let stopped = false;
      // Lanes take the next item in turn; `slots` bounds the verifications in flight.
      const lane = async (): Promise<void> => {
        while (!stopped && next < items.length) {
          signal?.throwIfAborted();
          const i = next++;
          results[i] = await viaWebCrypto(itemAt(items, i));
        }
      };
      const lanes = Array.from({ length: Math.min(inFlight, items.length) }, lane);
      try {
        await untilAborted(Promise.all(lanes), signal);
      } finally {
        stopped = true;
      }
      return results;
    },
  };
}

/** One signature through WebCrypto, after the rule's byte checks (see the top of this file). */
async function verifyWithWebCrypto(subtle: SubtleCrypto, item: SignedMessage): Promise<boolean> {
  const { publicKey, message, signature } = item;
  assertBytes(message, undefined, 'message');
  if (!(signature instanceof Uint8Array) || !isCanonicalScalar(signature)) return false; // rule 2
  if (isSmallOrderEncoding(signature.subarray(0, 32))) return false; // rule 2
  if (!isAcceptablePublicKey(publicKey)) return false; // rule 1 but the on-curve test
  try {
    const key = await subtle.importKey('raw', ownBuffer(publicKey), ED25519, false, ['verify']);
    return await subtle.verify(ED25519, key, ownBuffer(signature), ownBuffer(message));
  } catch {
    // Policy: a WebCrypto error (a key it will not import, say) is not a verdict.
    return verifyEd25519(publicKey, message, signature);
  }
}

/** The pure path, yielding to the event loop between small runs so that an abort is seen. */
async function verifyManyPure(
  items: readonly SignedMessage[],
  signal: AbortSignal | undefined
): Promise<boolean[]> {
  const results = new Array<boolean>(items.length).fill(false);
  for (let i = 0; i < items.length; i++) {
    if (i % PURE_PER_TASK === 0 && i > 0) {
      await nextTask();
      signal?.throwIfAborted();
    }
    const { publicKey, message, signature } = itemAt(items, i);
    results[i] = verifyEd25519(publicKey, message, signature);
  }
  return results;
}

/** Runs tasks with at most `size` of them unsettled at any time, in arrival order. */
class Slots {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(size: number) {
    this.#free = size;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      if (next === undefined) this.#free++;
      else next(); // the slot passes straight to the next task
    }
  }
}

/** `work`, or `signal.reason` as soon as the signal aborts, whichever comes first. */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => {
      signal.removeEventListener('abort', onAbort);
    });
  });
}

function itemAt(items: readonly SignedMessage[], i: number): SignedMessage {
  const item = items[i];
  if (item === undefined) throw new TypeError(`"items[${i}]" expected a signed message`);
  return item;
}

/** WebCrypto takes views of an ArrayBuffer only (not of a SharedArrayBuffer): copy those. */
function ownBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : bytes.slice();
}

/** A macrotask boundary without timers: a message through a fresh MessageChannel. */
function nextTask(): Promise<void> {
  const Channel = (globalThis as { MessageChannel?: typeof MessageChannel }).MessageChannel;
  if (Channel === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const { port1, port2 } = new Channel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });
}

function defaultSubtle(): SubtleCrypto | undefined {
  return (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto?.subtle;
}
