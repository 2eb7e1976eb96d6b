// The README's start command, run from a fresh clone as a new user would: `npm start` builds the
// web client, starts a mirror of the sample letter and prints where to open it; the page shows
// the letter and a verified count; Ctrl-C stops everything. Then `npm start -- --nodes 3`.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNote, newVerifier } from '../../core/note.ts';
import { parseCheckpoint } from '../../core/checkpoint.ts';
import { parseLetter } from '../../core/letter.ts';
import { createEntry, seedSigner } from '../../core/signer.ts';
import { sha256 } from '../../core/hash.ts';
import { utf8Encode } from '../../core/bytes.ts';
import { submitEntry } from '../../node/mirror-client.ts';
import {
  HAS_CHROMIUM,
  SKIP_REASON,
  launchBrowser,
  recordedPage,
  foreignRequests,
  waitForCount,
} from './browser.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let clone: string | undefined;

/** `npm start -- ...args` in the clone, in its own process group (as a terminal runs it). */
function npmStart(args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn('npm', ['start', '--', ...args], {
    cwd: clone,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

/**
 * What Ctrl-C does: SIGINT to the whole process group. Resolves once every mirror has said it
 * stopped (each prints its final tree size) and npm has exited.
 */
async function interrupt(
  started: { child: ChildProcess; output: () => string },
  mirrors: number
): Promise<void> {
  const exited = started.child.exitCode === null ? once(started.child, 'exit') : Promise.resolve();
  if (started.child.pid !== undefined) process.kill(-started.child.pid, 'SIGINT');
  await exited;
  await expect
    .poll(() => started.output().match(/stopped at tree size \d+/g)?.length ?? 0, {
      timeout: 30_000,
    })
    .toBe(mirrors);
}

function urlsIn(output: string): string[] {
  const block = output.slice(output.indexOf('running.'));
  return [...block.matchAll(/^ {2}(http:\/\/127\.0\.0\.1:\d+\/)$/gm)].map((m) => m[1] ?? '');
}

beforeAll(() => {
  if (!HAS_CHROMIUM) return;
  clone = mkdtempSync(join(tmpdir(), 'undersigned-clone-'));
  execFileSync('git', ['clone', '-q', ROOT, clone]);
  // The clone's dependencies as `npm ci` would install them (they are this checkout's).
  symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'));
});

afterAll(() => {
  if (clone !== undefined) rmSync(clone, { recursive: true, force: true });
});

describe.skipIf(!HAS_CHROMIUM)(
  `npm start, from a fresh clone (${HAS_CHROMIUM ? 'Chromium' : SKIP_REASON})`,
  () => {
    it('starts a mirror of the sample letter whose page shows the letter and a verified count, and stops on Ctrl-C', async () => {
      const started = npmStart(['--port', '0']);
      try {
        await expect
          .poll(() => urlsIn(started.output()).length, { timeout: 120_000, interval: 500 })
          .toBe(1);
        const [url] = urlsIn(started.output()) as [string];
        const browser = await launchBrowser();
        try {
          const { page, requests } = await recordedPage(browser);
          await page.goto(url);
          await expect
            .poll(() => page.textContent('body'), { timeout: 30_000 })
            .toContain('We will not build tools to watch our neighbours');
          await waitForCount(page, 0);
          expect(foreignRequests(requests, [new URL(url).origin])).toEqual([]);
        } finally {
          await browser.close();
        }
      } finally {
        await interrupt(started, 1);
      }
      expect(started.output()).toMatch(/stopping/);
    }, 240_000);

    it('--nodes 3 starts three mirrors that cosign each other', async () => {
      const started = npmStart(['--nodes', '3', '--port', '0']);
      try {
        await expect
          .poll(() => urlsIn(started.output()).length, { timeout: 120_000, interval: 500 })
          .toBe(3);
        const urls = urlsIn(started.output());
        const infos = await Promise.all(
          urls.map(
            async (u) =>
              (await (await fetch(new URL('info', u))).json()) as {
                vkey: string;
                witnessVkey: string;
              }
          )
        );
        // A signature on one mirror reaches all three logs, and each log's checkpoint then
        // carries valid cosignatures by the two other mirrors' witness keys.
        const letter = parseLetter(readFileSync(join(clone ?? '', 'node/sample/letter.txt')));
        const entry = await createEntry(letter, seedSigner(sha256(utf8Encode('npm start test'))));
        await submitEntry(urls[0] ?? '', entry);
        for (const [i, url] of urls.entries()) {
          const others = infos.filter((_, j) => j !== i).map((info) => info.witnessVkey);
          await expect
            .poll(
              async () => {
                const note = await (await fetch(new URL('log/checkpoint', url))).text();
                const opened = openNote(note, [
                  newVerifier(infos[i]?.vkey ?? ''),
                  ...others.map((k) => newVerifier(k)),
                ]);
                return [parseCheckpoint(opened.text).treeSize, opened.verified.length];
              },
              { timeout: 90_000, interval: 1000 }
            )
            .toEqual([1, 3]);
        }
      } finally {
        await interrupt(started, 3);
      }
    }, 300_000);
  }
);
