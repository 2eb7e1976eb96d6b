// The web client end to end: the built app (dist/web) in headless Chromium, served by real node
// processes, reading, verifying, signing and withdrawing over HTTP. Every request every page
// makes is recorded and must go to a mirror in use.

import { createServer, request as httpRequest, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLetter } from '../../core/letter.ts';
import type { MirrorProcess } from '../helpers/mirror-process.ts';
import {
  foreignRequests,
  HAS_CHROMIUM,
  launchBrowser,
  letterDir,
  recordedPage,
  SKIP_REASON,
  startNode,
  submitGenerated,
  waitForCount,
  waitForState,
  type Browser,
} from './browser.ts';

const letter = createLetter({
  title: 'We will not build it',
  text: 'We, the undersigned, refuse.\n\nWe will not build it.\n',
  stampBits: 8,
});
const PREGENERATED = 300; // more than one entry bundle
if (!HAS_CHROMIUM) console.warn(`skipping the browser tests: ${SKIP_REASON}`);

describe.skipIf(!HAS_CHROMIUM)('the web client in headless Chromium', () => {
  let dir: Awaited<ReturnType<typeof letterDir>>;
  let a: MirrorProcess;
  let b: MirrorProcess;
  let browser: Browser;
  let tamper: Server;
  let tamperUrl: string;

  beforeAll(async () => {
    dir = await letterDir(letter);
    a = await startNode(dir.letterFile, join(dir.dir, 'a'));
    // Node B follows node A's log over HTTP (docs/REPLICATION.md) and copies its entries.
    b = await startNode(dir.letterFile, join(dir.dir, 'b'), [
      '--no-p2p',
      '--follow',
      a.url,
      '--poll-ms',
      '500',
    ]);
    await submitGenerated(a, letter, PREGENERATED, 7);
    ({ server: tamper, url: tamperUrl } = await startTamperingProxy(a.url));
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser.close();
    await Promise.all([a.stop(), b.stop()]);
    await new Promise((resolve) => tamper.close(resolve));
    await dir.cleanup();
  });

  it('shows the verified count of a letter with pre-generated signatures, talking to no other host', async () => {
    const { page, requests } = await recordedPage(browser);
    await page.goto(a.url);
    await waitForCount(page, PREGENERATED);
    expect(await page.getByTestId('letter-title').textContent()).toBe(letter.title);
    expect(await page.getByTestId('breakdown-row').count()).toBe(7);
    // The page's CSP names only the mirrors in use: the browser refuses any other host.
    const blocked = await page.evaluate(async () => {
      try {
        await fetch('http://127.0.0.2:9/elsewhere');
        return false;
      } catch {
        return true;
      }
    });
    expect(blocked).toBe(true);
    expect(requests.some((u) => u.includes('elsewhere'))).toBe(false);
    expect(foreignRequests(requests, [new URL(a.url).origin])).toEqual([]);
    await page.close();
  }, 90_000);

  it('signs through the UI, shows a checked receipt, counts it, and checks the receipt later', async () => {
    const { page, requests } = await recordedPage(browser);
    await page.goto(a.url);
    await waitForCount(page, PREGENERATED);
    await page.getByTestId('tab-sign').click();
    await page.getByTestId('sign-name').fill('Ada');
    await page.getByTestId('sign-affiliation').fill('Group 1');
    await page.getByTestId('key-keep').check();
    await page.getByTestId('sign-submit').click();
    const receipt = await page.getByTestId('receipt').textContent({ timeout: 60_000 });
    expect(receipt).toMatch(/^c2sp\.org\/tlog-proof@v1\nextra /);
    await page.getByTestId('tab-letter').click();
    await waitForCount(page, PREGENERATED + 1);

    // The log grows; the receipt still checks out, through a consistency proof to today's tree.
    await submitGenerated(a, letter, 20, 7);
    await page.getByTestId('tab-mine').click();
    await page.getByTestId('check-stored-receipt').first().click();
    const report = page.getByTestId('receipt-check');
    await expect.poll(() => report.getAttribute('data-ok'), { timeout: 30_000 }).toBe('true');
    expect(await report.textContent()).toContain(`${PREGENERATED + 21} entries`);

    // Withdrawing with the kept key lowers the count.
    await page.getByTestId('withdraw').click();
    await page.getByTestId('withdrawn').waitFor({ timeout: 60_000 });
    await page.getByTestId('tab-letter').click();
    await waitForCount(page, PREGENERATED + 20);
    expect(foreignRequests(requests, [new URL(a.url).origin])).toEqual([]);
    await page.close();
  }, 180_000);

  it('signs with an encrypted key backup, restores it from the file and withdraws with it', async () => {
    const { page, requests } = await recordedPage(browser);
    await page.goto(a.url);
    await waitForState(page, 'verified');
    const before = Number(await page.getByTestId('verified-count').textContent());
    await page.getByTestId('tab-sign').click();
    await page.getByTestId('key-backup').check();
    await page.getByTestId('passphrase').fill('correct horse battery staple');
    await page.getByTestId('passphrase-again').fill('correct horse battery staple');
    await page.getByTestId('sign-submit').click();
    await page.getByTestId('receipt').waitFor({ timeout: 90_000 });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('download-backup').click(),
    ]);
    const backupFile = join(dir.dir, 'backup.txt');
    await download.saveAs(backupFile);
    await page.getByTestId('tab-letter').click();
    await waitForCount(page, before + 1);
    expect(foreignRequests(requests, [new URL(a.url).origin])).toEqual([]);
    await page.close();

    // On another device (a fresh browser profile): restore the key from the file, withdraw.
    const other = await launchBrowser();
    const { page: restored, requests: otherRequests } = await recordedPage(other);
    await restored.goto(a.url);
    await waitForCount(restored, before + 1);
    await restored.getByTestId('tab-mine').click();
    await restored.getByTestId('backup-file').setInputFiles(backupFile);
    await restored.getByTestId('backup-passphrase').fill('correct horse battery staple');
    await restored.getByTestId('restore-key').click();
    await restored.getByTestId('withdraw').click({ timeout: 60_000 });
    await restored.getByTestId('withdrawn').waitFor({ timeout: 60_000 });
    await restored.getByTestId('tab-letter').click();
    await waitForCount(restored, before);
    expect(foreignRequests(otherRequests, [new URL(a.url).origin])).toEqual([]);
    await other.close();
  }, 180_000);

  it('counts a signature made on one node on a second node after replication', async () => {
    const pageA = await browser.context.newPage();
    await pageA.goto(a.url);
    await waitForState(pageA, 'verified');
    const before = Number(await pageA.getByTestId('verified-count').textContent());
    const { page: pageB, requests } = await recordedPage(browser);
    await pageB.goto(b.url);
    await waitForCount(pageB, before, 60_000);
    await pageA.getByTestId('tab-sign').click();
    await pageA.getByTestId('key-forget').check();
    await pageA.getByTestId('sign-submit').click();
    await pageA.getByTestId('receipt').waitFor({ timeout: 60_000 });
    await waitForCount(pageB, before + 1, 120_000); // the page re-reads checkpoints every 5 s
    // B's page reads B's own log and its copy of A's log, both from B.
    expect(await pageB.getByTestId('logs-agree').textContent()).toContain('2 of 2 logs agree');
    expect(foreignRequests(requests, [new URL(a.url).origin, new URL(b.url).origin])).toEqual([]);
    await Promise.all([pageA.close(), pageB.close()]);
  }, 240_000);

  it('fails verification loudly, naming the mirror, when a mirror serves a tampered entry bundle', async () => {
    const { page, requests } = await recordedPage(browser);
    await page.goto(`${a.url}#mirrors=${encodeURIComponent(tamperUrl)}`);
    await waitForState(page, 'failed');
    const alarm = page.getByTestId('alarm-mirror');
    expect(await alarm.getAttribute('data-mirror')).toBe(tamperUrl);
    expect(await alarm.textContent()).toContain(tamperUrl);
    expect(await page.getByTestId('verified-count').textContent()).toBe('');
    // The page's own files come from node A; every other request went to the mirror in use.
    const origins = [new URL(a.url).origin, new URL(tamperUrl).origin];
    expect(foreignRequests(requests, origins)).toEqual([]);
    const fromA = requests
      .filter((u) => u.startsWith(a.url))
      .map((u) => u.slice(a.url.length).replace(/#.*$/, ''));
    expect(
      fromA.filter((path) => path !== '' && path !== 'favicon.svg' && !path.startsWith('assets/'))
    ).toEqual([]);
    await page.close();
  }, 90_000);
});

/** A mirror in front of `target` that flips one byte in every full entry bundle it serves. */
async function startTamperingProxy(target: string): Promise<{ server: Server; url: string }> {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => {
          const body = Buffer.concat(chunks);
          // Entry bundles, alone or in a range (docs/PROTOCOL.md §6.7).
          const bundles = /^\/log\/(tile\/entries|entry-bundles)\/[0-9x/]+$/;
          if (bundles.test(req.url ?? '') && body.length > 100) {
            body[100] = (body[100] ?? 0) ^ 0x01; // inside the first entry
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(body);
        });
      }
    );
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('bug: no port');
  return { server, url: `http://127.0.0.1:${address.port}/` };
}
