// The web client, served from a built directory (dist/web, vite.config.ts) if there is one, or
// else a short page that says how to build it. Files are looked up safely: the decoded path
// must resolve, links followed, to a file inside the directory; dot files are never served.

import type { ServerResponse } from 'node:http';
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { IMMUTABLE, send, sendNotFound } from './respond.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

const NOT_BUILT = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>Undersigned mirror</title>
<h1>Undersigned mirror</h1>
<p>This mirror serves its log at <a href="log/checkpoint">log/</a>, the letter at
<a href="letter">letter</a> and its details at <a href="info">info</a>.</p>
<p>The web client is not built: run <code>npm run build</code> and restart the node.</p>
</html>
`;

/** Serves `pathname` (as in the URL, still percent-encoded) from `webDir`. */
export async function serveWeb(
  res: ServerResponse,
  webDir: string | undefined,
  pathname: string
): Promise<void> {
  const root = webDir === undefined ? undefined : await realpath(webDir).catch(() => undefined);
  if (root === undefined) {
    if (pathname === '/' || pathname === '/index.html') {
      send(res, 200, NOT_BUILT, {
        'Content-Type': 'text/html; charset=utf-8',
        'Cache-Control': 'no-cache',
      });
    } else {
      sendNotFound(res);
    }
    return;
  }
  const file = await findFile(root, pathname);
  if (file === undefined) {
    sendNotFound(res);
    return;
  }
  const type = TYPES[extname(file)] ?? 'application/octet-stream';
  // Vite names built assets by content hash under assets/: those never change.
  const cache = file.startsWith(join(root, 'assets') + sep) ? IMMUTABLE : 'no-cache';
  send(res, 200, new Uint8Array(await readFile(file)), {
    'Content-Type': type,
    'Cache-Control': cache,
    'Referrer-Policy': 'no-referrer',
  });
}

async function findFile(root: string, pathname: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.split('/').some((part) => part.startsWith('.')))
    return undefined;
  let path = resolve(root, `.${decoded}`);
  try {
    if ((await stat(path)).isDirectory()) path = join(path, 'index.html');
    path = await realpath(path);
  } catch {
    return undefined;
  }
  if (!path.startsWith(root + sep)) return undefined;
  return (await stat(path)).isFile() ? path : undefined;
}
