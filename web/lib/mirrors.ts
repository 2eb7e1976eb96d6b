// The mirror list: which mirror URLs (docs/PROTOCOL.md §6.6) this page reads from and may submit
// to. It comes from, in order: the URL fragment (`#mirrors=<url>,<url>`, never sent to the host
// that served the page), the list the user saved on this device, and otherwise the node that
// served the page. These and nothing else are the hosts the page talks to (lib/csp.ts).

/** The fragment parameter that lists mirrors, for static hosts and IPFS gateways. */
export const MIRRORS_PARAM = 'mirrors';
/** The fragment parameter that pins the letter by its ID. */
export const LETTER_PARAM = 'letter';
/** Where the user's own list is kept (localStorage). */
export const STORAGE_KEY = 'undersigned/mirrors';
/** The most mirrors in use at once. */
export const MAX_MIRRORS = 16;
const MAX_URL_LENGTH = 512;

/**
 * A mirror's base URL in one form: http or https, no credentials, query or fragment, a path
 * ending in "/". Undefined for anything else.
 */
export function normalizeMirrorUrl(input: string): string | undefined {
  const text = input.trim();
  if (text === '' || text.length > MAX_URL_LENGTH) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
  return `${url.protocol}//${url.host}${path}`;
}

/** The origin (scheme, host, port) of a normalized mirror URL, as CSP source expressions use. */
export function mirrorOrigin(mirror: string): string {
  return new URL(mirror).origin;
}

/** Unique normalized URLs from `inputs`, in order, at most MAX_MIRRORS. */
export function uniqueMirrors(inputs: readonly string[]): string[] {
  const out: string[] = [];
  for (const input of inputs) {
    const url = normalizeMirrorUrl(input);
    if (url !== undefined && !out.includes(url)) out.push(url);
    if (out.length >= MAX_MIRRORS) break;
  }
  return out;
}

/** The parameters of a URL fragment such as `#mirrors=a,b&letter=…`. */
export function fragmentParams(hash: string): URLSearchParams {
  return new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
}

/** The mirrors named in a URL fragment. */
export function mirrorsFromFragment(hash: string): string[] {
  const value = fragmentParams(hash).get(MIRRORS_PARAM);
  return value === null ? [] : uniqueMirrors(value.split(/[\s,]+/));
}

/** The pinned letter ID (64 hex digits) in a URL fragment, if any. */
export function letterFromFragment(hash: string): string | undefined {
  const value = fragmentParams(hash).get(LETTER_PARAM)?.toLowerCase();
  return value !== undefined && /^[0-9a-f]{64}$/.test(value) ? value : undefined;
}

/** The mirror base of the page itself: its directory, if it was served over http(s). */
export function pageMirror(location: { protocol: string; href: string }): string | undefined {
  if (location.protocol !== 'http:' && location.protocol !== 'https:') return undefined;
  return normalizeMirrorUrl(new URL('./', location.href).href);
}

/** Minimal storage, as localStorage provides. */
export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** The list saved on this device; undefined when the user never saved one. */
export function loadSavedMirrors(store: KeyValueStore): string[] | undefined {
  const text = store.getItem(STORAGE_KEY);
  if (text === null) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (!Array.isArray(value)) return undefined;
    return uniqueMirrors(value.filter((v): v is string => typeof v === 'string'));
  } catch {
    return undefined;
  }
}

/** Saves the user's list (an empty list is kept: "no saved list" is a different thing). */
export function saveMirrors(store: KeyValueStore, mirrors: readonly string[]): void {
  store.setItem(STORAGE_KEY, JSON.stringify(uniqueMirrors(mirrors)));
}

/** Forgets the user's list: the page goes back to its fragment or the node that served it. */
export function clearSavedMirrors(store: KeyValueStore): void {
  store.removeItem(STORAGE_KEY);
}

/**
 * The mirrors in use: the fragment's if it names any, else the saved list if there is one,
 * else the page's own node.
 */
export function chooseMirrors(
  hash: string,
  saved: readonly string[] | undefined,
  page: string | undefined
): string[] {
  const fromFragment = mirrorsFromFragment(hash);
  if (fromFragment.length > 0) return fromFragment;
  if (saved !== undefined && saved.length > 0) return [...saved];
  return page === undefined ? [] : [page];
}
