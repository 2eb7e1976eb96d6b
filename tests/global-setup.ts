// Vitest's global setup, run once before any test file: builds the web client (dist/web) if it is
// missing or older than its sources (a few seconds, also before a run of unit tests alone), so
// that the browser tests, which run in parallel, neither race two builds into one folder nor
// test a stale one.

import { ensureBuilt } from './e2e/browser.ts';

export default function setup(): void {
  ensureBuilt();
}
