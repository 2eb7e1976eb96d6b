// End-to-end test helpers: the built web client (dist/web) in real headless Chromium (Debian's
// /usr/bin/chromium through playwright-core), against real node processes started by the test.
// Every request a page makes is recorded, so that tests can assert which hosts it talked to.

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { toBase64 } from '../../core/bytes.ts';
import { formatLetter, type Letter } from '../../core/letter.ts';
import { generateEntries } from '../../node/gen.ts';
import { startMirrorProcess, submit, type MirrorProcess } from '../helpers/mirror-process.ts';

/** Debian's Chromium; the e2e tests are skipped, saying why, when it is not installed. */
export const CHROMIUM = '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);
export const SKIP_REASON = `${CHROMIUM} is absent: install it with "apt-get install -y chromium" to run the browser tests`;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The built web client every node serves at /. */
export const WEB_DIR = join(ROOT, 'dist', 'web');

/**
 * Builds the web client unless dist/web holds a build newer than every source of it. The build
 * goes to a folder of its own first and then replaces dist/web, so that a page or benchmark
 * reading dist/web meanwhile never sees half a build.
 */
export function ensureBuilt(): void {
  const built = join(WEB_DIR, 'index.html');
  if (existsSync(built) && newestSource() < statSync(built).mtimeMs) return;
  const staging = join(ROOT, 'dist', `.web-${process.pid}`);
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--outDir', staging],
    { cwd: ROOT, stdio: 'ignore' }
  );
  rmSync(WEB_DIR, { recursive: true, force: true });
  renameSync(staging, WEB_DIR);
}

/** The latest modification time of the client's sources: web/, core/, the build's config. */
function newestSource(): number {
  const files = ['web', 'core'].flatMap((dir) =>
    readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name))
  );
  const config = ['vite.config.ts', 'package-lock.json'].map((f) => join(ROOT, f));
  return Math.max(...[...files, ...config].map((f) => statSync(f).mtimeMs));
}

/** How every test and benchmark runs Chromium: headless, quiet, contacting no one by itself. */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** A headless Chromium with a fresh profile; `close` removes the profile. */
export type Browser = { readonly context: BrowserContext; close(): Promise<void> };

export async function launchBrowser(): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'undersigned-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_FLAGS],
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** A page that records the URL of every request it (and its workers) make. */
export async function recordedPage(browser: Browser): Promise<{ page: Page; requests: string[] }> {
  const page = await browser.context.newPage();
  const requests: string[] = [];
  browser.context.on('request', (request) => requests.push(request.url()));
  return { page, requests };
}

/** The requests whose origin is none of `origins` (data: and blob: URLs never leave the page). */
export function foreignRequests(requests: readonly string[], origins: readonly string[]): string[] {
  return requests.filter((url) => {
    if (url.startsWith('data:') || url.startsWith('blob:')) return false;
    return !origins.includes(new URL(url).origin);
  });
}

/** The verified count and state a page shows, once its state is `state`. */
export async function waitForState(
  page: Page,
  state: 'verified' | 'failed',
  timeout = 60_000
): Promise<void> {
  await page.waitForFunction(
    (wanted) =>
      document.querySelector('[data-testid="verify-state"]')?.textContent.trim() === wanted,
    state,
    { timeout }
  );
}

/** Waits until the page shows `count` as verified. */
export async function waitForCount(page: Page, count: number, timeout = 60_000): Promise<void> {
  await page.waitForFunction(
    (n) =>
      document.querySelector('[data-testid="verify-state"]')?.textContent.trim() === 'verified' &&
      document.querySelector('[data-testid="verified-count"]')?.textContent.trim() === String(n),
    count,
    { timeout }
  );
}

/** A temporary directory with a letter file in it. */
export async function letterDir(
  letter: Letter
): Promise<{ dir: string; letterFile: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'undersigned-e2e-'));
  const letterFile = join(dir, 'letter.txt');
  await writeFile(letterFile, formatLetter(letter));
  return { dir, letterFile, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Starts a node serving the built client (without libp2p unless `args` say otherwise). */
export function startNode(
  letterFile: string,
  dataDir: string,
  args: readonly string[] = ['--no-p2p']
): Promise<MirrorProcess> {
  return startMirrorProcess({ letterFile, dataDir, webDir: WEB_DIR, batchMs: 50, args });
}

/** Submits `count` generated signatures (throwaway keys) to `node`, `affiliations` groups. */
export async function submitGenerated(
  node: MirrorProcess,
  letter: Letter,
  count: number,
  affiliations: number
): Promise<Uint8Array[]> {
  const all: Uint8Array[] = [];
  for await (const chunk of generateEntries(letter, count, { affiliations })) {
    const answers = await Promise.all(
      chunk.map((e) => submit(node.url, JSON.stringify({ entry: toBase64(e) })))
    );
    for (const a of answers)
      if (a.status !== 200) throw new Error(`submission refused: ${JSON.stringify(a.json)}`);
    all.push(...chunk);
  }
  return all;
}
