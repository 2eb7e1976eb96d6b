// Content-Security-Policy (W3C CSP Level 3). index.html carries a strict static policy: scripts,
// workers and styles only from the page's own files, nothing inline, no plugins, no forms.
// Its connect-src cannot name the mirrors, which are chosen at run time, so once the mirror list
// is known the page adds a second policy (CSP3 §3.3: a meta policy inserted into <head> is
// enforced; several policies are all enforced) whose connect-src is exactly those mirrors.
// From then on the browser itself refuses a request to any other host.
//
// Policy: changing the mirror list reloads the page, since a policy can only be tightened.

/** The CSP source expression of each mirror: its origin. */
export function connectSources(mirrorOrigins: readonly string[]): string {
  const sources = [...new Set(mirrorOrigins)].filter((o) => /^https?:\/\/[^\s;,']+$/.test(o));
  return sources.length === 0 ? "'none'" : sources.join(' ');
}

/** The run-time policy that limits connections to the mirrors in use. */
export function mirrorPolicy(mirrorOrigins: readonly string[]): string {
  return `connect-src ${connectSources(mirrorOrigins)}`;
}

/** Adds the run-time policy to the document's <head>. Call once, before the first request. */
export function lockConnections(doc: Document, mirrorOrigins: readonly string[]): void {
  const meta = doc.createElement('meta');
  meta.httpEquiv = 'Content-Security-Policy';
  meta.content = mirrorPolicy(mirrorOrigins);
  doc.head.append(meta);
}
