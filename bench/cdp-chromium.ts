// Headless Chromium driven over the Chrome DevTools Protocol with only the Page and Runtime
// domains, through --remote-debugging-pipe (no port opened). Playwright enables the Network
// domain on every page and worker, and then Chromium reports each request to it: on this
// machine that made fetching the 391 entry bundles of a 100,000-entry log cost about 1.6× the
// CPU (Chromium alone, 2.7 s against 1.6 s, plus Playwright's own handling of the events), a
// cost no visitor's browser has. bench/web-verify.ts uses this driver with --driver cdp.
//
// Messages are JSON, separated by NUL bytes; Chromium reads fd 3 and writes fd 4.

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable, Readable } from 'node:stream';
import { CHROMIUM_FLAGS } from '../tests/e2e/browser.ts';

/** A page: navigate, evaluate an expression (awaiting a promise), close. */
export type CdpPage = {
  goto(url: string): Promise<void>;
  evaluate<T>(expression: string): Promise<T>;
  close(): Promise<void>;
};

export type CdpBrowser = { newPage(): Promise<CdpPage>; close(): Promise<void> };

type Message = {
  id?: number;
  method?: string;
  sessionId?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
};

/** Launches `executable` headless with a fresh profile; `close` removes the profile. */
export async function launchCdpChromium(executable: string): Promise<CdpBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'undersigned-chromium-'));
  const child = spawn(
    executable,
    [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, '--remote-debugging-pipe', 'about:blank'],
    { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] }
  );
  const input = child.stdio[3] as Writable;
  const output = child.stdio[4] as Readable;
  let nextId = 1;
  const pending = new Map<number, { resolve: (m: Message) => void; reject: (e: Error) => void }>();
  const listeners = new Set<(m: Message) => void>();
  let buffered = '';
  output.setEncoding('utf8');
  output.on('data', (chunk: string) => {
    const parts = (buffered + chunk).split('\0');
    buffered = parts.pop() ?? '';
    for (const part of parts) {
      const message = JSON.parse(part) as Message;
      const waiting = message.id === undefined ? undefined : pending.get(message.id);
      if (waiting !== undefined && message.id !== undefined) {
        pending.delete(message.id);
        if (message.error) waiting.reject(new Error(`CDP: ${message.error.message}`));
        else waiting.resolve(message);
      } else for (const listener of listeners) listener(message);
    }
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  void exited.then(() => {
    for (const { reject } of pending.values()) reject(new Error('Chromium exited'));
    pending.clear();
  });
  const send = (method: string, params: object = {}, sessionId?: string): Promise<Message> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      input.write(
        JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0'
      );
    });

  return {
    async newPage() {
      const created = await send('Target.createTarget', { url: 'about:blank' });
      const targetId = created.result?.targetId as string;
      const attached = await send('Target.attachToTarget', { targetId, flatten: true });
      const sessionId = attached.result?.sessionId as string;
      await send('Page.enable', {}, sessionId);
      return {
        async goto(url) {
          const loaded = new Promise<void>((resolve) => {
            const listener = (m: Message): void => {
              if (m.sessionId !== sessionId || m.method !== 'Page.loadEventFired') return;
              listeners.delete(listener);
              resolve();
            };
            listeners.add(listener);
          });
          await send('Page.navigate', { url }, sessionId);
          await loaded;
        },
        async evaluate<T>(expression: string) {
          const answer = await send(
            'Runtime.evaluate',
            { expression, awaitPromise: true, returnByValue: true },
            sessionId
          );
          const details = answer.result?.exceptionDetails as { text?: string } | undefined;
          if (details !== undefined) throw new Error(`evaluation failed: ${details.text ?? ''}`);
          return (answer.result?.result as { value: T }).value;
        },
        async close() {
          await send('Target.closeTarget', { targetId });
        },
      };
    },
    async close() {
      child.kill();
      await exited;
      await rm(profile, { recursive: true, force: true });
    },
  };
}
