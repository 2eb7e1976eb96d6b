import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// One config for the web build (web/ → dist/web, relative paths so any static host or IPFS
// gateway can serve it) and for Vitest (tests/).
export default defineConfig({
  root: 'web',
  base: './',
  plugins: [svelte()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    target: 'es2023',
    // Chromium, Firefox and Safari preload modules natively; the polyfill would fetch() them.
    modulePreload: { polyfill: false },
    // The largest chunk is libp2p for live updates (web/lib/live.ts, about 540 kB, 150 kB
    // gzipped), which loads only when the user turns them on.
    chunkSizeWarningLimit: 600,
  },
  test: {
    root: '.',
    setupFiles: ['tests/setup.ts'],
    globalSetup: ['tests/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Component and state tests of the web client run in a DOM (happy-dom) with Svelte's browser
    // build; everything else, end-to-end browser tests included, runs in Node.
    projects: [
      {
        extends: true,
        test: { name: 'node', include: ['tests/**/*.test.ts'], exclude: ['tests/web/**'] },
      },
      {
        extends: true,
        resolve: { conditions: ['browser'] },
        test: {
          name: 'web',
          include: ['tests/web/**/*.test.ts'],
          environment: 'happy-dom',
        },
      },
    ],
  },
});
