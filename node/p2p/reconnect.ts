// Keeps this node connected to its configured peers (peers.ts): every configured peer that is
// not connected is dialed at all its configured addresses, with exponential backoff per peer.
// libp2p itself only redials peers tagged keep-alive in its peer store, which is not kept
// across restarts here (helia.ts), so the loop lives here.

import type { Libp2p } from '@libp2p/interface';
import type { PeerList } from './peers.ts';

/** Backoff between failed dials of one peer. Policy: 1 s doubling to 60 s, with jitter. */
export const REDIAL_MIN_MS = 1000;
export const REDIAL_MAX_MS = 60_000;
const TICK_MS = 500;
const DIAL_TIMEOUT_MS = 10_000;

interface PeerState {
  next: number; // earliest time of the next dial (ms since epoch)
  delay: number; // the next backoff
  dialing: boolean;
}

/**
 * Dials configured peers until `signal` aborts. Returns at once; the loop runs on timers.
 * `random` is a source of jitter in [0, 1), a parameter so tests can pin it.
 */
export function keepConnected(
  libp2p: Libp2p,
  peers: PeerList,
  signal: AbortSignal,
  random: () => number = Math.random
): void {
  const states = new Map<string, PeerState>();
  for (const id of peers.keys()) states.set(id, { next: 0, delay: REDIAL_MIN_MS, dialing: false });

  const connected = (id: string): boolean =>
    libp2p.getConnections().some((c) => c.remotePeer.toString() === id && c.status === 'open');

  const dial = async (id: string, state: PeerState): Promise<void> => {
    state.dialing = true;
    try {
      const addresses = peers.get(id) ?? [];
      await libp2p.dial([...addresses], {
        signal: AbortSignal.any([signal, AbortSignal.timeout(DIAL_TIMEOUT_MS)]),
      });
      state.delay = REDIAL_MIN_MS;
      state.next = Date.now() + REDIAL_MIN_MS; // a peer that drops us at once is not hammered
    } catch {
      // Unreachable for now: retry after the backoff. Failures are visible in connections().
      state.next = Date.now() + state.delay * (0.5 + random());
      state.delay = Math.min(REDIAL_MAX_MS, state.delay * 2);
    } finally {
      state.dialing = false;
    }
  };

  const tick = (): void => {
    if (signal.aborted) return;
    const now = Date.now();
    for (const [id, state] of states) {
      if (state.dialing || state.next > now || connected(id)) continue;
      void dial(id, state);
    }
    timer = setTimeout(tick, TICK_MS);
  };

  let timer = setTimeout(tick, 0);
  signal.addEventListener(
    'abort',
    () => {
      clearTimeout(timer);
    },
    { once: true }
  );
}
