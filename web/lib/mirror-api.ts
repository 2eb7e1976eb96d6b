// What a mirror serves over HTTP (docs/PROTOCOL.md §6.6), read as untrusted data: /info, the
// letter, each log's checkpoint and tiles (c2sp.org/tlog-tiles), and submissions (§8.3).
// Nothing read here is believed: /info only says where to look, and every log is verified
// against its own signed checkpoint (lib/log-verify.ts).

import { UndersignedError } from '../../core/errors.ts';
import { toHex, utf8Decode, utf8Encode } from '../../core/bytes.ts';
import { sha256 } from '../../core/hash.ts';
import { checkLogOrigin } from '../../core/origin.ts';
import { KEY_TYPE_COSIGNATURE, parseVerifierKey } from '../../core/note-key.ts';
import { ENTRY_BUNDLE_LEVEL, tilePath, type Tile } from '../../core/tiles.ts';
import { bundleRangePath, type BundleRange } from '../../core/bundle-range.ts';
import {
  DEFAULT_MAX_BYTES,
  DEFAULT_TIMEOUT_MS,
  fetchBytes,
  request,
  type RequestOptions,
} from './http.ts';

/** Where one log can be read: a mirror and the log's path prefix on it. */
export type LogSource = { readonly mirror: string; readonly prefix: string };

/** A log of the letter: its origin, its claimed vkey, and the mirrors that serve it. */
export type LogRef = {
  readonly origin: string;
  readonly vkey: string;
  readonly sources: readonly LogSource[];
};

/** The parts of /info the client uses. */
export type MirrorInfo = {
  readonly letterId: string;
  readonly origin: string;
  readonly vkey: string;
  /** Peer logs this mirror follows and serves under /logs/<hex SHA-256 of origin>/. */
  readonly follows: readonly { origin: string; vkey: string }[];
  /** Witness (cosigner) vkeys this mirror names (`witnessVkey`), type 0x04. */
  readonly witnesses: readonly string[];
  /** The mirror's libp2p peer ID, if it runs libp2p. */
  readonly peerId: string | undefined;
  /** Its libp2p addresses (multiaddrs: announced, or else listen), as it reports them; checked before any use. */
  readonly addresses: readonly string[];
};

const MAX_INFO_BYTES = 256 * 1024;
const MAX_ADDRESSES = 32;
const MAX_ADDRESS_LENGTH = 512;
const MAX_CHECKPOINT_BYTES = 1_000_000;
const MAX_LETTER_BYTES = 70_000;

/** Reads a mirror's /info. Throws FETCH_FAILED for an unreachable mirror or a malformed answer. */
export async function fetchInfo(mirror: string, options: RequestOptions = {}): Promise<MirrorInfo> {
  const bytes = await fetchBytes(`${mirror}info`, { ...options, maxBytes: MAX_INFO_BYTES });
  return parseInfo(bytes);
}

/** Parses /info leniently in shape (unknown fields are ignored) but strictly in the fields used. */
export function parseInfo(bytes: Uint8Array): MirrorInfo {
  const bad = (): UndersignedError =>
    new UndersignedError('FETCH_FAILED', "the mirror's /info answer is malformed");
  let json: unknown;
  try {
    json = JSON.parse(utf8Decode(bytes));
  } catch {
    throw bad();
  }
  if (typeof json !== 'object' || json === null) throw bad();
  const info = json as Record<string, unknown>;
  const { letterId, origin, vkey } = info;
  if (typeof letterId !== 'string' || !/^[0-9a-f]{64}$/.test(letterId)) throw bad();
  if (typeof origin !== 'string' || typeof vkey !== 'string') throw bad();
  const follows: { origin: string; vkey: string }[] = [];
  for (const item of Array.isArray(info.follows) ? info.follows.slice(0, 64) : []) {
    const key = typeof item === 'string' ? item : (item as { vkey?: unknown } | null)?.vkey;
    if (typeof key !== 'string') continue;
    const name = key.split('+')[0] ?? '';
    follows.push({ origin: name, vkey: key });
  }
  const witnessList = [
    info.witnessVkey,
    info.witness,
    ...(Array.isArray(info.witnesses) ? (info.witnesses as unknown[]) : []),
  ];
  const witnesses = witnessList
    .filter((w): w is string => typeof w === 'string')
    .filter((w) => isWitnessKey(w))
    .slice(0, 64);
  const peerId = typeof info.peerId === 'string' ? info.peerId : undefined;
  const addresses = (Array.isArray(info.addresses) ? (info.addresses as unknown[]) : [])
    .filter((a): a is string => typeof a === 'string' && a.length <= MAX_ADDRESS_LENGTH)
    .slice(0, MAX_ADDRESSES);
  return { letterId, origin, vkey, follows, witnesses, peerId, addresses };
}

function isWitnessKey(vkey: string): boolean {
  try {
    return parseVerifierKey(vkey).type === KEY_TYPE_COSIGNATURE;
  } catch {
    return false;
  }
}

/**
 * Whether `vkey` is a log key of the letter `letterId` whose name is `origin` (§6.2): the origin
 * names the letter and the key's fingerprint. A mirror cannot pass another letter's log off as
 * this one's.
 */
export function isLogKeyOf(origin: string, vkey: string, letterId: Uint8Array): boolean {
  try {
    const key = parseVerifierKey(vkey);
    if (key.name !== origin || key.type !== 0x01) return false;
    checkLogOrigin(origin, letterId, key.publicKey);
    return true;
  } catch {
    return false;
  }
}

/** The logs of letter `letterId` that the mirrors' /info name, each with every mirror serving it. */
export function logsFromInfo(
  answers: readonly { mirror: string; info: MirrorInfo }[],
  letterId: Uint8Array
): LogRef[] {
  const logs = new Map<string, { origin: string; vkey: string; sources: LogSource[] }>();
  const add = (origin: string, vkey: string, source: LogSource): void => {
    if (!isLogKeyOf(origin, vkey, letterId)) return;
    const log = logs.get(origin) ?? { origin, vkey, sources: [] };
    if (log.vkey !== vkey) return;
    if (!log.sources.some((s) => s.mirror === source.mirror && s.prefix === source.prefix))
      log.sources.push(source);
    logs.set(origin, log);
  };
  for (const { mirror, info } of answers) {
    if (info.letterId !== toHex(letterId)) continue;
    add(info.origin, info.vkey, { mirror, prefix: 'log/' });
    for (const f of info.follows)
      add(f.origin, f.vkey, { mirror, prefix: followedPrefix(f.origin) });
  }
  return [...logs.values()];
}

/** Where a mirror serves a log it follows: logs/<hex SHA-256 of the origin>/ (§6.6). */
export function followedPrefix(origin: string): string {
  return `logs/${toHex(sha256(utf8Encode(origin)))}/`;
}

/** Reads the letter file a mirror serves (checked by the caller against its letter ID). */
export function fetchLetter(mirror: string, options: RequestOptions = {}): Promise<Uint8Array> {
  return fetchBytes(`${mirror}letter`, { ...options, maxBytes: MAX_LETTER_BYTES });
}

/** Reads a log's latest checkpoint note. */
export function fetchCheckpoint(
  source: LogSource,
  options: RequestOptions = {}
): Promise<Uint8Array> {
  return fetchBytes(`${source.mirror}${source.prefix}checkpoint`, {
    ...options,
    maxBytes: MAX_CHECKPOINT_BYTES,
  });
}

/**
 * Reads one tile or entry bundle by its tlog-tiles path.
 * Policy: entry bundles are not kept in the browser's HTTP cache ('no-store'): the whole list
 * of signatures on a signer's disk would be a trace of interest in the letter, and writing it
 * costs the page about a quarter of its fetching time. Hash tiles (a few, for proofs) are cached.
 */
export function fetchTile(
  source: LogSource,
  tile: Tile,
  options: RequestOptions = {}
): Promise<Uint8Array> {
  return fetchBytes(`${source.mirror}${source.prefix}${tilePath(tile)}`, {
    cache: tile.level === ENTRY_BUNDLE_LEVEL ? 'no-store' : 'default',
    ...options,
  });
}

/**
 * Reads a range of full entry bundles (§6.7), as one answer to split (core/bundle-range.ts);
 * it fails on a mirror without ranges (a static host, say). Not cached, as fetchTile. Each
 * bundle may be as big as one read alone (DEFAULT_MAX_BYTES), and the whole takes longer.
 */
export function fetchBundleRange(
  source: LogSource,
  range: BundleRange,
  options: RequestOptions = {}
): Promise<Uint8Array> {
  return fetchBytes(`${source.mirror}${source.prefix}${bundleRangePath(range)}`, {
    cache: 'no-store',
    maxBytes: range.count * DEFAULT_MAX_BYTES,
    timeoutMs: 3 * DEFAULT_TIMEOUT_MS,
    ...options,
  });
}

/** What a mirror answered to a submission. */
export type SubmitAnswer =
  | { readonly ok: true; readonly receipt: string; readonly index: number }
  | { readonly ok: false; readonly code: string; readonly message: string };

/** POSTs an entry to a mirror (§8.3). Rejects only when the mirror cannot be reached. */
export async function postEntry(
  mirror: string,
  entryBase64: string,
  options: RequestOptions = {}
): Promise<SubmitAnswer> {
  const { status, body } = await request(`${mirror}submit`, {
    ...options,
    json: { entry: entryBase64 },
    maxBytes: MAX_CHECKPOINT_BYTES + 8192,
  });
  let json: unknown;
  try {
    json = JSON.parse(utf8Decode(body));
  } catch {
    return { ok: false, code: 'FETCH_FAILED', message: `HTTP ${status}` };
  }
  const answer = (json ?? {}) as { receipt?: unknown; index?: unknown; error?: unknown };
  if (status === 200 && typeof answer.receipt === 'string' && typeof answer.index === 'number') {
    return { ok: true, receipt: answer.receipt, index: answer.index };
  }
  const error = (answer.error ?? {}) as { code?: unknown; message?: unknown };
  return {
    ok: false,
    code: typeof error.code === 'string' ? error.code.slice(0, 40) : 'FETCH_FAILED',
    message: typeof error.message === 'string' ? error.message.slice(0, 200) : `HTTP ${status}`,
  };
}
