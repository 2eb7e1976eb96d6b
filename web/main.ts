// The web client's entry point: the app state (lib/app.svelte.ts) wired to the browser, mounted.

import { mount } from 'svelte';
import App from './App.svelte';
import { App as AppState } from './lib/app.svelte.ts';
import { KeyStore } from './lib/key-store.ts';
import { createVerifyPool, type WorkerPool } from './lib/worker-pool.ts';
import { fragmentParams } from './lib/mirrors.ts';
import { liveChosen } from './lib/live-targets.ts';
import './style.css';

/** How often the page re-reads checkpoints for live updates (`#poll=<ms>` overrides it). */
const POLL_MS = 5000;

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined; // storage blocked: nothing is remembered
  }
}

let pool: WorkerPool | undefined;
const params = fragmentParams(location.hash);
const poll = Number(params.get('poll') ?? POLL_MS);
const store = storage();
const state = new AppState({
  location,
  storage: store,
  document,
  ed25519: () => (pool ??= createVerifyPool()),
  keyStore: new KeyStore(),
  now: () => performance.now(),
  pollMs: Number.isSafeInteger(poll) && poll >= 0 ? poll : POLL_MS,
  live: liveChosen(params, store),
  reload: (hash) => {
    location.hash = hash;
    location.reload();
  },
});
const target = document.getElementById('app');
if (target === null) throw new Error('bug: index.html has no #app');
mount(App, { target, props: { app: state } });
void state.start();
