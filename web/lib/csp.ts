// Content-Security-Policy (W3C CSP Level 3). index.html carries a strict static policy: scripts,
// workers and styles only from the page's own files, nothing inline, no plugins, no forms.
// Its connect-src cannot name the mirrors, which are chosen at run time, so once the mirror list
// is known the page adds a second policy (CSP3 §3.3: a meta policy inserted into <head> is
// enforced; several policies are all enforced) whose connect-src is exactly those mirrors.
// From then on the browser itself refuses a request to any other host.
//
// With live updates on (lib/live.ts), the policy also allows WebSockets to each mirror's host, on
// any port: the libp2p port is learnt from the mirror only after the policy is in place
// (lib/live-targets.ts dials only addresses at those hosts).
//
// Policy: changing the mirror list, or turning live updates on or off, reloads the page, since a
// policy can only be tightened.

/** The CSP source expressions of the mirrors: their origins, and with `live` their WebSockets. */
export function connectSources(mirrorOrigins: readonly string[], live = false): string {
  const origins = [...new Set(mirrorOrigins)].filter((o) => /^https?:\/\/[^\s;,']+$/.test(o));
  const sockets = live ? origins.flatMap(webSocketSource) : [];
  const sources = [...origins, ...new Set(sockets)];
  return sources.length === 0 ? "'none'" : sources.join(' ');
}

/**
 * Whether the policy can name WebSockets to `hostname` (a DNS name or an IPv4 address; not an
 * IPv6 literal, which CSP host sources cannot hold). lib/live-targets.ts dials no other host.
 */
export function isSocketHost(hostname: string): boolean {
  return /^[a-z0-9.-]{1,253}$/.test(hostname);
}

/** ws://host:* for an http origin, wss://host:* for an https one; none for an IPv6 literal. */
function webSocketSource(origin: string): string[] {
  const url = new URL(origin);
  if (!isSocketHost(url.hostname)) return [];
  return [`${url.protocol === 'https:' ? 'wss' : 'ws'}://${url.hostname}:*`];
}

/** The run-time policy that limits connections to the mirrors in use. */
export function mirrorPolicy(mirrorOrigins: readonly string[], live = false): string {
  return `connect-src ${connectSources(mirrorOrigins, live)}`;
}

/** Adds the run-time policy to the document's <head>. Call once, before the first request. */
export function lockConnections(
  doc: Document,
  mirrorOrigins: readonly string[],
  live = false
): void {
  const meta = doc.createElement('meta');
  meta.httpEquiv = 'Content-Security-Policy';
  meta.content = mirrorPolicy(mirrorOrigins, live);
  doc.head.append(meta);
}
