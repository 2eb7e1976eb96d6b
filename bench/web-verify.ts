// Full verification in headless Chromium through the real web client, against bare WebCrypto
// verification of the same signatures on two workers, in the same run; and the gzipped size of
// the JavaScript the page loads to show the letter and its verified count.
//
//   node bench/web-verify.ts [--entries 100000,1000000] [--repeat N] [--json FILE] [--build]
//                            [--driver playwright|cdp]
//
// Logs are generated once (node/gen.ts, throwaway keys, no stamp) and laid out as C2SP tlog-tiles
// files (tests/helpers/log.ts), cached under the system's temporary directory. They are served
// from memory by a minimal static HTTP server in this process (the mirror's read-only API: /info,
// /letter, /log/checkpoint, /log/tile/…, and dist/web at /), not by a node: a visitor's mirror
// is another machine, and here its stand-in shares the two cores with the browser, so it should
// take as little of them as it can; a node also re-checks its whole log when it starts. Targets
// on 2 cores: 100,000 entries in at most 10 s, 1,000,000 in at most 60 s, within 1.5× of bare
// verification.
//
// Chromium is driven by Playwright (the default), which has Chromium report every request to
// it: the app's one request per entry bundle then costs far more CPU than in a visitor's
// browser, while the bare run makes two. --driver cdp drives it over bare CDP instead
// (bench/cdp-chromium.ts), without that instrumentation.

import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { createLetter, formatLetter, letterIdHex, letterId } from '../core/letter.ts';
import { entrySigningMessage, parseEntry } from '../core/entry.ts';
import { generateEntries } from '../node/gen.ts';
import { parseBundleRangePath } from '../core/bundle-range.ts';
import { ENTRY_BUNDLE_LEVEL, TILE_WIDTH, tilePath } from '../core/tiles.ts';
import { buildLog, writeLog } from '../tests/helpers/log.ts';
import { CHROMIUM, launchBrowser } from '../tests/e2e/browser.ts';
import { launchCdpChromium } from './cdp-chromium.ts';
import { machine, writeJsonArg } from './machine.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const WEB = join(ROOT, 'dist', 'web');
const CACHE = join(tmpdir(), 'undersigned-web-bench');
const sizesArg = process.argv.indexOf('--entries');
const SIZES = (sizesArg >= 0 ? (process.argv[sizesArg + 1] ?? '') : '100000,1000000')
  .split(',')
  .map(Number);
const repeatArg = process.argv.indexOf('--repeat');
/** Runs per size (app, then bare, alternating); the table gives each and the median ratio. */
const REPEAT = repeatArg >= 0 ? Number(process.argv[repeatArg + 1]) : 1;
const driverArg = process.argv.indexOf('--driver');
/** What drives Chromium: Playwright (the default), or bare CDP (bench/cdp-chromium.ts). */
const DRIVER = driverArg >= 0 ? (process.argv[driverArg + 1] ?? '') : 'playwright';
/** The scripts the app page was served, as read then, to measure what it needed. */
const servedScripts = new Map<string, Promise<Buffer>>();
const letter = createLetter({
  title: 'Benchmark letter',
  text: 'We, the undersigned, measure.\n',
  stampBits: 0,
});

type Prepared = { dir: string; count: number; origin: string; vkey: string };

/** Generates (or reuses) a log of `count` entries and the bare signature files. */
async function prepare(count: number): Promise<Prepared> {
  const dir = join(CACHE, `${letterIdHex(letter).slice(0, 8)}-${count}`);
  const metaFile = join(dir, 'meta.json');
  if (existsSync(metaFile))
    return {
      dir,
      count,
      ...(JSON.parse(await readFile(metaFile, 'utf8')) as { origin: string; vkey: string }),
    };
  await rm(dir, { recursive: true, force: true });
  process.stderr.write(`generating ${count} entries …\n`);
  const entries: Uint8Array[] = [];
  for await (const chunk of generateEntries(letter, count, { affiliations: 50 }))
    entries.push(...chunk);
  const log = buildLog(letterId(letter), entries, `web bench log ${count}`);
  writeLog(log, join(dir, 'log'));
  // Bare signatures, two halves: public key (32) || signature (64) || message length (2) || message.
  const halves = [entries.slice(0, count / 2), entries.slice(count / 2)].map((part) => {
    const records = part.map((bytes) => {
      const entry = parseEntry(bytes);
      const message = entrySigningMessage(entry.body);
      const record = new Uint8Array(98 + message.length);
      record.set(entry.publicKey, 0);
      record.set(entry.signature, 32);
      new DataView(record.buffer).setUint16(96, message.length);
      record.set(message, 98);
      return record;
    });
    return Buffer.concat(records);
  });
  await Promise.all(halves.map((half, i) => writeFile(join(dir, `bare-${i}.bin`), half)));
  await writeFile(join(dir, 'letter'), formatLetter(letter));
  await writeFile(metaFile, JSON.stringify({ origin: log.origin, vkey: log.vkey }));
  return { dir, count, origin: log.origin, vkey: log.vkey };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
};

/** Every file under `dir`, by its path relative to `dir` ('/'-separated). */
async function readTree(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(dir, path).split(sep).join('/'), await readFile(path));
  }
  return files;
}

/** A file of the log by its path, or a range of its full bundles (§6.7) as a node answers it. */
function logFile(files: ReadonlyMap<string, Buffer>, path: string): Buffer | undefined {
  const range = parseBundleRangePath(path);
  if (range === undefined) return files.get(path);
  const bundles: Buffer[] = [];
  for (let k = 0; k < range.count; k++) {
    const tile = { level: ENTRY_BUNDLE_LEVEL, index: range.first + k, width: TILE_WIDTH };
    const bundle = files.get(tilePath(tile));
    if (bundle === undefined) return undefined;
    bundles.push(bundle);
  }
  return Buffer.concat(bundles);
}

/**
 * The static server: the mirror's read API for one prepared log, the client, and bare data.
 * The log is held in memory and each answer written in one call: a visitor's mirror is another
 * machine, so the stand-in takes as little as it can of the two cores the browser runs on
 * (reading each bundle from disk cost about 0.9 ms of CPU per request here, 3.5 s for 1M entries).
 */
async function serve(log: Prepared): Promise<{ server: Server; url: string }> {
  const logFiles = await readTree(join(log.dir, 'log'));
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/'));
    const headers = { 'Access-Control-Allow-Origin': '*' };
    const file = (name: string, type = 'application/octet-stream'): void => {
      stat(name).then(
        (s) => {
          res.writeHead(200, {
            ...headers,
            'Content-Type': type,
            'Content-Length': String(s.size),
          });
          createReadStream(name).pipe(res);
        },
        () => res.writeHead(404, headers).end()
      );
    };
    if (path === '/info') {
      res.writeHead(200, { ...headers, 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify({
          letterId: letterIdHex(letter),
          origin: log.origin,
          vkey: log.vkey,
          treeSize: log.count,
          peerId: null,
          addresses: [],
          follows: [],
        })
      );
    } else if (path === '/letter') file(join(log.dir, 'letter'), 'text/plain; charset=utf-8');
    else if (path.startsWith('/log/')) {
      const body = logFile(logFiles, path.slice('/log/'.length));
      if (body === undefined) res.writeHead(404, headers).end();
      else
        res
          .writeHead(200, {
            ...headers,
            'Content-Type': 'application/octet-stream',
            'Content-Length': String(body.length),
          })
          .end(body);
    } else if (/^\/bare-[01]\.bin$/.test(path)) file(join(log.dir, path.slice(1)));
    else if (path === '/bare.html')
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>bare</title>');
    else {
      const name = join(WEB, path === '/' ? 'index.html' : path);
      if (extname(name) === '.js') servedScripts.set(path, readFile(name));
      file(name, TYPES[extname(name)] ?? 'application/octet-stream');
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({
        server,
        url: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/`,
      });
    });
  });
}

// Bare verification: each worker imports every key and verifies, 256 in flight (reference/perf.md).
const BARE_WORKER = `onmessage = async (event) => {
  const bytes = new Uint8Array(event.data), view = new DataView(event.data), items = [];
  for (let at = 0; at < bytes.length; ) { const n = view.getUint16(at + 96); items.push(at, n); at += 98 + n; }
  let next = 0, ok = 0;
  const lane = async () => {
    while (next < items.length) {
      const at = items[next++], n = items[next++];
      const key = await crypto.subtle.importKey('raw', bytes.subarray(at, at + 32), { name: 'Ed25519' }, false, ['verify']);
      if (await crypto.subtle.verify({ name: 'Ed25519' }, key, bytes.subarray(at + 32, at + 96), bytes.subarray(at + 98, at + 98 + n))) ok++;
    }
  };
  await Promise.all(Array.from({ length: 256 }, lane));
  postMessage(ok);
};`;

/** In the bare page: fetch both halves, verify them on two workers, time the verification. */
async function bareRun(source: string): Promise<{ fetch: number; verify: number; ok: number }> {
  const t0 = performance.now();
  const halves = await Promise.all(
    [0, 1].map(async (i) => (await fetch(`bare-${i}.bin`)).arrayBuffer())
  );
  const t1 = performance.now();
  const workerUrl = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const ok = await Promise.all(
    halves.map(
      (half) =>
        new Promise<number>((resolve) => {
          const worker = new Worker(workerUrl);
          worker.onmessage = (e: MessageEvent<number>) => {
            worker.terminate();
            resolve(e.data);
          };
          worker.postMessage(half, [half]);
        })
    )
  );
  return {
    fetch: (t1 - t0) / 1000,
    verify: (performance.now() - t1) / 1000,
    ok: (ok[0] ?? 0) + (ok[1] ?? 0),
  };
}

type Row = {
  entries: number;
  run: number;
  appSeconds: number;
  bareSeconds: number;
  bareWithFetchSeconds: number;
  ratio: number;
};

/** A page of either driver: navigate, evaluate an expression (awaiting a promise), close. */
type BenchPage = {
  goto(url: string): Promise<void>;
  evaluate<T>(expression: string): Promise<T>;
  close(): Promise<void>;
};
type Driver = { newPage(): Promise<BenchPage>; close(): Promise<void> };

/** Playwright (the default, as the e2e tests), or Chromium over bare CDP (bench/cdp-chromium.ts). */
async function launchDriver(): Promise<Driver> {
  if (DRIVER === 'cdp') return launchCdpChromium(CHROMIUM);
  if (DRIVER !== 'playwright') throw new Error('--driver expects playwright or cdp');
  const browser = await launchBrowser();
  return {
    async newPage() {
      const page = await browser.context.newPage();
      return {
        goto: async (url) => {
          await page.goto(url);
        },
        evaluate: (expression) => page.evaluate(expression),
        close: () => page.close(),
      };
    },
    close: () => browser.close(),
  };
}

/** Polls `expression` in `page` every 100 ms until it is true. */
async function waitFor(page: BenchPage, expression: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await page.evaluate<boolean>(expression))) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${expression}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const STATE = `document.querySelector('[data-testid="verify-state"]')?.textContent.trim() ?? ''`;
const COUNT = `document.querySelector('[data-testid="verified-count"]')?.textContent.trim() ?? ''`;

async function main(): Promise<void> {
  if (process.argv.includes('--build') || !existsSync(join(WEB, 'index.html'))) {
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'],
      { cwd: ROOT, stdio: 'ignore' }
    );
  }
  await mkdir(CACHE, { recursive: true });
  const driver = await launchDriver();
  const rows: Row[] = [];
  let scripts: { path: string; gzip: number }[] = [];
  try {
    for (const count of SIZES) {
      const log = await prepare(count);
      const { server, url } = await serve(log);
      try {
        // App and bare runs alternate, so that both see the same load on a shared machine.
        for (let run = 1; run <= REPEAT; run++) {
          // 1. The app: load the page, which verifies the whole log; time until it shows "verified".
          const page = await driver.newPage();
          servedScripts.clear();
          const started = performance.now();
          await page.goto(`${url}#poll=0`);
          await waitFor(page, `['verified', 'failed'].includes(${STATE})`, 600_000);
          const appSeconds = (performance.now() - started) / 1000;
          const state = await page.evaluate<string>(STATE);
          const shown = await page.evaluate<string>(COUNT);
          if (state !== 'verified' || shown !== String(count))
            throw new Error(`bug: the app shows ${state} ${shown}`);
          if (scripts.length === 0) {
            scripts = await Promise.all(
              [...servedScripts].map(async ([path, body]) => ({
                path,
                gzip: gzipSync(await body, { level: 9 }).length,
              }))
            );
          }
          await page.close();
          // 2. Bare WebCrypto on two workers, the same signatures, in the same browser.
          const bare = await driver.newPage();
          await bare.goto(`${url}bare.html`);
          const timing = await bare.evaluate<{ fetch: number; verify: number; ok: number }>(
            `(${bareRun.toString()})(${JSON.stringify(BARE_WORKER)})`
          );
          await bare.close();
          if (timing.ok !== count)
            throw new Error(`bug: bare verification accepted ${timing.ok} of ${count}`);
          rows.push({
            entries: count,
            run,
            appSeconds: round(appSeconds),
            bareSeconds: round(timing.verify),
            bareWithFetchSeconds: round(timing.verify + timing.fetch),
            ratio: round(appSeconds / timing.verify),
          });
          process.stderr.write(
            `${count}: app ${appSeconds.toFixed(1)} s, bare ${timing.verify.toFixed(1)} s\n`
          );
        }
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    }
  } finally {
    await driver.close();
  }
  const sizes = scripts;
  const gzipTotal = sizes.reduce((n, s) => n + s.gzip, 0);
  const medians = SIZES.map((entries) => {
    const runs = rows.filter((r) => r.entries === entries);
    return {
      entries,
      appSeconds: median(runs.map((r) => r.appSeconds)),
      bareSeconds: median(runs.map((r) => r.bareSeconds)),
      ratio: median(runs.map((r) => r.ratio)),
    };
  });
  const report = {
    machine: machine(),
    chromium: CHROMIUM,
    driver: DRIVER,
    rows,
    medians,
    scripts: sizes,
    gzipKiB: round(gzipTotal / 1024),
  };
  const targets: Record<number, number> = { 100_000: 10, 1_000_000: 60 };
  console.log(`### Web client: full verification in headless Chromium

${report.machine}; Chromium ${CHROMIUM} driven by ${DRIVER}, 2 verification workers. App: page load to "verified" through the
real client (fetch every bundle, root, entries, signatures on Web Workers, count). Bare: the same
signatures verified by WebCrypto on two workers, no parsing, hashing or fetching (data already in memory).

| Entries | Run | App (s) | Target (s) | Bare verify (s) | Bare fetch + verify (s) | App ÷ bare (target ≤ 1.5) |
|---:|---:|---:|---:|---:|---:|---:|
${rows.map((r) => `| ${r.entries.toLocaleString('en')} | ${r.run} | ${r.appSeconds} | ${targets[r.entries] ?? '–'} | ${r.bareSeconds} | ${r.bareWithFetchSeconds} | ${r.ratio} |`).join('\n')}
${medians.map((m) => `| ${m.entries.toLocaleString('en')} | median | ${m.appSeconds} | ${targets[m.entries] ?? '–'} | ${m.bareSeconds} | | **${m.ratio}** |`).join('\n')}

JavaScript loaded to show the letter and its verified count (target ≤ 150 KB gzipped): **${report.gzipKiB} KiB**
(${sizes.map((s) => `${s.path.replace(/^\/assets\//, '')} ${round(s.gzip / 1024)} KiB`).join(', ')}; gzip -9).
`);
  await writeJsonArg(report);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : round(((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2);
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

await main();
