// Which libp2p addresses a page with live updates on (lib/live.ts) may dial: only WebSockets at
// a mirror's own host, plain ws for an http mirror and wss for an https one (the CSP allows
// exactly these: lib/csp.ts), and only with the mirror's peer ID, which the Noise handshake then
// authenticates (libp2p specs, noise/README.md). Addresses a mirror reports for other hosts, or
// other transports, are never dialed: live updates reach no host beyond the mirrors in use.
// Multiaddrs are read as text here (libp2p specs, addressing/README.md), so that this check
// needs none of the libp2p code, which loads only when live updates are on.

import { isSocketHost } from './csp.ts';
import type { MirrorInfo } from './mirror-api.ts';

/** The fragment parameter that turns live updates on for one visit: #live=1. */
export const LIVE_PARAM = 'live';
/** Where the choice is kept on this device. */
export const LIVE_STORAGE_KEY = 'undersigned/live';

// A base58btc peer ID (an identity multihash of an Ed25519 key is 12D3KooW…, of others Qm…).
const PEER_ID = /^[1-9A-HJ-NP-Za-km-z]{32,64}$/;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/**
 * The multiaddrs (text, each ending in /p2p/<peer id>) of `info` that reach `mirror` over
 * WebSockets; none when the mirror names no peer ID or the mirror is an IPv6 literal.
 */
export function liveTargets(
  mirror: string,
  info: Pick<MirrorInfo, 'peerId' | 'addresses'>
): string[] {
  const { peerId } = info;
  if (peerId === undefined || !PEER_ID.test(peerId)) return [];
  let url: URL;
  try {
    url = new URL(mirror);
  } catch {
    return [];
  }
  const secure = url.protocol === 'https:';
  const targets = new Set<string>();
  for (const address of info.addresses) {
    const parts = address.split('/');
    // '', host kind, host, 'tcp', port, then ws | wss | tls ws, then maybe p2p <id>
    const [empty, kind, host, tcp, port, ...rest] = parts;
    if (empty !== '' || tcp !== 'tcp' || port === undefined || !/^\d{1,5}$/.test(port)) continue;
    if (!['ip4', 'dns', 'dns4', 'dns6'].includes(kind ?? '') || host !== url.hostname) continue;
    if (!isSocketHost(host) || Number(port) > 65535) continue;
    if ((kind === 'ip4') !== IPV4.test(host)) continue; // a name is /dns…, an address /ip4
    const suffix = rest.slice(0, rest[0] === 'tls' ? 2 : 1).join('/');
    const after = rest.slice(suffix.split('/').length);
    const wanted = secure ? ['wss', 'tls/ws'] : ['ws'];
    if (!wanted.includes(suffix)) continue;
    if (after.length > 0 && !(after.length === 2 && after[0] === 'p2p' && after[1] === peerId))
      continue;
    targets.add(`/${kind}/${host}/tcp/${port}/${suffix}/p2p/${peerId}`);
  }
  return [...targets];
}

/** Whether live updates are on: for this visit (#live=1), or as chosen on this device. */
export function liveChosen(
  params: URLSearchParams,
  store: Pick<Storage, 'getItem'> | undefined
): boolean {
  const param = params.get(LIVE_PARAM);
  if (param !== null) return param === '1';
  return store?.getItem(LIVE_STORAGE_KEY) === '1';
}
