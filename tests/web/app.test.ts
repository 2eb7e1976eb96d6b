import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLetter, letterId, letterIdHex } from '../../core/letter.ts';
import { createEd25519Verifier } from '../../core/ed25519-batch.ts';
import { buildLog, type BuiltLog } from '../helpers/log.ts';
import { testEntry, testLetter } from '../helpers/entries.ts';
import { App, type AppEnvironment } from '../../web/lib/app.svelte.ts';
import { KeyStore } from '../../web/lib/key-store.ts';
import { memoryStore } from '../../web/lib/checkpoint-memory.ts';
import { serveMirrors, type FakeMirror } from './fake-mirrors.ts';

const letter = testLetter(0);
const other = createLetter({ title: 'Another letter', text: 'Something else.\n' });
let log: BuiltLog;
beforeAll(async () => {
  log = buildLog(
    letterId(letter),
    await Promise.all([0, 1, 2].map((i) => testEntry(letter, i))),
    'app log'
  );
});
afterEach(() => {
  vi.unstubAllGlobals();
  document.head.innerHTML = '';
});

function environment(hash: string, href = 'http://node.example/'): AppEnvironment {
  return {
    location: { protocol: new URL(href).protocol, href, hash },
    storage: memoryStore(),
    document,
    ed25519: () => createEd25519Verifier(),
    keyStore: new KeyStore({} as IDBFactory),
    now: () => performance.now(),
    pollMs: 0,
    live: false,
    reload: () => undefined,
  };
}

describe('App.start', () => {
  it('locks connections to the mirrors in use, reads the letter and verifies its logs', async () => {
    const mirrors: FakeMirror[] = [
      { url: 'https://a.example/', log, letter },
      { url: 'https://b.example/', log: buildLog(letterId(other), [], 'other log'), letter: other },
    ];
    const asked = serveMirrors(mirrors);
    const app = new App(environment(`#mirrors=${mirrors.map((m) => m.url).join(',')}`));
    await app.start();
    const csp = document.head.querySelector('meta[http-equiv="Content-Security-Policy"]');
    expect(csp?.getAttribute('content')).toBe('connect-src https://a.example https://b.example');
    expect(app.phase).toBe('ready');
    expect(app.letterIdHex).toBe(letterIdHex(letter));
    expect(app.statuses.map((s) => s.status)).toEqual(['ok', 'otherLetter']);
    expect(app.verification?.state).toBe('verified');
    expect(app.verification?.count).toBe(3);
    expect(
      asked.every((u) => u.startsWith('https://a.example/') || u.startsWith('https://b.example/'))
    ).toBe(true);
  });

  it('uses the page’s own node when no list is given', async () => {
    serveMirrors([{ url: 'http://node.example/', log, letter }]);
    const app = new App(environment(''));
    await app.start();
    expect(app.mirrors).toEqual(['http://node.example/']);
    expect(app.verification?.count).toBe(3);
  });

  it('ignores a letter that does not match the pinned letter ID', async () => {
    serveMirrors([{ url: 'https://a.example/', log, letter }]);
    const app = new App(environment(`#mirrors=https://a.example&letter=${letterIdHex(other)}`));
    await app.start();
    expect(app.phase).toBe('noLetter');
    expect(app.verification).toBeUndefined();
  });

  it('says so when there is no mirror at all', async () => {
    const app = new App(environment('', 'file:///index.html'));
    await app.start();
    expect(app.phase).toBe('noMirrors');
    expect(document.head.querySelector('meta')?.getAttribute('content')).toBe("connect-src 'none'");
  });
});

describe('App live updates', () => {
  it('are unavailable, without loading libp2p, when no mirror offers a WebSocket', async () => {
    serveMirrors([{ url: 'http://node.example/', log, letter }]); // /info lists no addresses
    const app = new App({ ...environment('#poll=0'), live: true });
    expect(app.live).toBe('connecting');
    await app.start();
    expect(app.live).toBe('unavailable');
    expect(document.head.querySelector('meta')?.getAttribute('content')).toBe(
      'connect-src http://node.example ws://node.example:*'
    );
  });

  it('are turned on and off on this device, or in the fragment where storage is blocked', () => {
    const reloads: string[] = [];
    const env = { ...environment('#poll=0&live=1'), reload: (h: string) => reloads.push(h) };
    new App(env).setLive(false);
    expect(env.storage?.getItem('undersigned/live')).toBe('0');
    new App({ ...env, storage: undefined }).setLive(true);
    expect(reloads).toEqual(['poll=0', 'poll=0&live=1']);
  });
});
