// Live updates over libp2p in headless Chromium (web/lib/live.ts): the built client, served by a
// real node with libp2p on, joins the letter's gossip topic over a WebSocket to that node, and
// shows a new signature as soon as the node announces its checkpoint. The page re-reads
// checkpoints on no timer here (#poll=0), so the gossip announcement is the only way it learns
// of the new entry.

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
  type Browser,
} from './browser.ts';

const letter = createLetter({
  title: 'Live',
  text: 'We, the undersigned, are listening.\n',
  stampBits: 4,
});
if (!HAS_CHROMIUM) console.warn(`skipping the browser tests: ${SKIP_REASON}`);

describe.skipIf(!HAS_CHROMIUM)('live updates over libp2p in headless Chromium', () => {
  let dir: Awaited<ReturnType<typeof letterDir>>;
  let node: MirrorProcess;
  let browser: Browser;

  beforeAll(async () => {
    dir = await letterDir(letter);
    node = await startNode(dir.letterFile, join(dir.dir, 'node'), []); // libp2p on, loopback
    await submitGenerated(node, letter, 3, 1);
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser.close();
    await node.stop();
    await dir.cleanup();
  });

  it('is off by default: the page opens no WebSocket', async () => {
    const { page } = await recordedPage(browser);
    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));
    await page.goto(`${node.url}#poll=0`);
    await waitForCount(page, 3);
    await page.getByTestId('tab-mirrors').click();
    expect(await page.getByTestId('live-toggle').isChecked()).toBe(false);
    expect((await page.getByTestId('live-state').textContent())?.trim()).toBe(
      'Live updates are off.'
    );
    expect(sockets).toEqual([]);
    await page.close();
  }, 60_000);

  it('turned on, shows a new signature when the mirror announces it, talking to no other host', async () => {
    const { page, requests } = await recordedPage(browser);
    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));
    await page.goto(`${node.url}#poll=0`);
    await waitForCount(page, 3);
    await page.getByTestId('tab-mirrors').click();
    // Turning it on reloads the page: its CSP must allow the mirror's WebSocket from the start.
    await Promise.all([page.waitForEvent('load'), page.getByTestId('live-toggle').click()]);
    await waitForCount(page, 3);
    await page.getByTestId('tab-mirrors').click();
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="live-state"]')?.textContent.trim() ===
        'Live updates: connected to 1 mirror.',
      undefined,
      { timeout: 30_000 }
    );
    expect(await page.getByTestId('live-toggle').isChecked()).toBe(true);

    await page.getByTestId('tab-letter').click();
    await submitGenerated(node, letter, 1, 1);
    await waitForCount(page, 4, 30_000);

    // The page's CSP allows WebSockets to the mirror's host only: another host is refused.
    const refused = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          document.addEventListener(
            'securitypolicyviolation',
            (e) => {
              resolve(e.blockedURI);
            },
            {
              once: true,
            }
          );
          try {
            new WebSocket('ws://127.0.0.2:9/');
          } catch {
            resolve('thrown');
          }
          setTimeout(() => {
            resolve('allowed');
          }, 5000);
        })
    );
    expect(['ws://127.0.0.2:9/', 'thrown']).toContain(refused);
    const host = new URL(node.url).hostname;
    expect(sockets.length).toBeGreaterThan(0);
    expect(sockets.every((url) => new URL(url).hostname === host)).toBe(true);
    expect(foreignRequests(requests, [new URL(node.url).origin])).toEqual([]);
    // Turned off again, the next page load opens no WebSocket.
    await page.getByTestId('tab-mirrors').click();
    await Promise.all([page.waitForEvent('load'), page.getByTestId('live-toggle').click()]);
    const before = sockets.length;
    await waitForCount(page, 4);
    await page.getByTestId('tab-mirrors').click();
    expect((await page.getByTestId('live-state').textContent())?.trim()).toBe(
      'Live updates are off.'
    );
    expect(sockets.length).toBe(before);
    await page.close();
  }, 120_000);
});
