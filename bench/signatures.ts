// Ed25519 verification speed (RFC 8032 §5.1.7) under our rule (docs/PROTOCOL.md §4): the fast
// path (core/ed25519-batch.ts: byte checks, then WebCrypto with signatures in flight) against the
// pure path (verifyEd25519, @noble/ed25519), side by side on the same fresh keys and messages of
// 150 to 300 bytes, as log entries are.
//
//   node bench/signatures.ts [--count 20000] [--noble 2000] [--runs 3] [--json FILE]
//
// Prints a Markdown table; with --json, also writes the numbers to FILE.

import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createEd25519Verifier, type SignedMessage } from '../core/ed25519-batch.ts';
import {
  isAcceptablePublicKey,
  isCanonicalScalar,
  isCurvePoint,
  isSmallOrderEncoding,
  verifyEd25519,
} from '../core/ed25519.ts';

const { values: args } = parseArgs({
  options: {
    count: { type: 'string', default: '20000' },
    noble: { type: 'string', default: '2000' },
    runs: { type: 'string', default: '3' },
    json: { type: 'string' },
  },
});
const count = Number(args.count);
const nobleCount = Math.min(count, Number(args.noble));
const runs = Number(args.runs);

type Row = { path: string; items: number; perSecond: number; cores: number; note: string };
const rows: Row[] = [];

/** The machine, and its 1-minute load average when the run starts (other work skews results). */
type Machine = {
  cpu: string;
  cores: number;
  node: string;
  openssl: string;
  platform: string;
  load: number;
};

function machine(): Machine {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line !== undefined) cpu = line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // not Linux: keep os.cpus()
  }
  return {
    cpu,
    cores: availableParallelism(),
    node: process.version,
    openssl: process.versions.openssl,
    load: loadavg()[0] ?? 0,
    platform: `${process.platform}-${process.arch}`,
  };
}

function generate(n: number): SignedMessage[] {
  const items: SignedMessage[] = [];
  for (let i = 0; i < n; i++) {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const jwk = publicKey.export({ format: 'jwk' });
    const message = new Uint8Array(randomBytes(150 + (i % 151)));
    items.push({
      publicKey: new Uint8Array(Buffer.from(jwk.x ?? '', 'base64url')),
      message,
      signature: new Uint8Array(sign(null, message, privateKey)),
    });
  }
  return items;
}

/** Median over `runs` of signatures per second, and process CPU time ÷ wall time. */
async function measure(
  n: number,
  run: () => Promise<void> | void
): Promise<{ perSecond: number; cores: number }> {
  const rates: { perSecond: number; cores: number }[] = [];
  for (let r = 0; r < runs; r++) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    await run();
    const seconds = (performance.now() - start) / 1000;
    const used = process.cpuUsage(cpu);
    rates.push({ perSecond: n / seconds, cores: (used.user + used.system) / 1e6 / seconds });
  }
  rates.sort((a, b) => a.perSecond - b.perSecond);
  const median = rates[Math.floor(rates.length / 2)];
  if (median === undefined) throw new Error('bug: no runs');
  return median;
}

function expectAllValid(results: boolean[]): void {
  if (!results.every(Boolean)) throw new Error('bug: a valid signature did not verify');
}

const info = machine();
const t0 = performance.now();
const items = generate(count);
const generateSeconds = (performance.now() - t0) / 1000;

// The fast path: one verifyMany over everything, for several in-flight limits.
for (const inFlight of [16, 64, 256, 1024]) {
  const verifier = createEd25519Verifier({ inFlight });
  if ((await verifier.backend()) !== 'webcrypto') throw new Error('no WebCrypto Ed25519 here');
  expectAllValid(await verifier.verifyMany(items.slice(0, 2000))); // warm-up
  const { perSecond, cores } = await measure(count, async () => {
    expectAllValid(await verifier.verifyMany(items));
  });
  const note = inFlight === 256 ? 'default: one verifyMany call' : 'one verifyMany call';
  rows.push({ path: `fast path, ${inFlight} in flight`, items: count, perSecond, cores, note });
}

// As core/verifier.ts calls it: one entry bundle (256) at a time, each awaited before the next.
{
  const verifier = createEd25519Verifier();
  const { perSecond, cores } = await measure(count, async () => {
    for (let i = 0; i < items.length; i += 256)
      expectAllValid(await verifier.verifyMany(items.slice(i, i + 256)));
  });
  rows.push({
    path: 'fast path, batches of 256 in turn',
    items: count,
    perSecond,
    cores,
    note: 'the pipeline drains between batches',
  });
}

// The byte checks alone, and the on-curve check they leave to WebCrypto.
{
  let accepted = 0;
  const checks = await measure(count * 10, () => {
    for (let r = 0; r < 10; r++) {
      for (const { publicKey, signature } of items) {
        const R = signature.subarray(0, 32);
        if (
          isAcceptablePublicKey(publicKey) &&
          isCanonicalScalar(signature) &&
          !isSmallOrderEncoding(R)
        ) {
          accepted++;
        }
      }
    }
  });
  if (accepted !== count * 10 * runs)
    throw new Error('bug: a byte check refused a valid signature');
  rows.push({
    path: 'byte checks only (rules 1, 2; R)',
    items: count,
    ...checks,
    note: 'run for every entry',
  });
  const sample = items.slice(0, nobleCount);
  const curve = await measure(sample.length, () => {
    for (const { publicKey } of sample)
      if (!isCurvePoint(publicKey)) throw new Error('bug: off the curve');
  });
  rows.push({
    path: 'isCurvePoint (decompression)',
    items: sample.length,
    ...curve,
    note: 'left to WebCrypto',
  });
}

// The pure path, on a smaller sample.
{
  const sample = items.slice(0, nobleCount);
  for (const v of sample.slice(0, 50)) verifyEd25519(v.publicKey, v.message, v.signature); // warm-up
  const noble = await measure(sample.length, () => {
    expectAllValid(sample.map((v) => verifyEd25519(v.publicKey, v.message, v.signature)));
  });
  rows.push({
    path: 'noble path (verifyEd25519)',
    items: sample.length,
    ...noble,
    note: 'one thread',
  });
}

const rowOf = (path: string): Row => {
  const row = rows.find((r) => r.path === path);
  if (row === undefined) throw new Error(`bug: no row ${path}`);
  return row;
};
const fast = rowOf('fast path, 256 in flight');
const noble = rowOf('noble path (verifyEd25519)');
const ratio = fast.perSecond / noble.perSecond;
const ratioPerCpu = fast.perSecond / fast.cores / (noble.perSecond / noble.cores);

const format = (n: number): string => Math.round(n).toLocaleString('en-US');
console.log(
  `## Ed25519 signature verification: ${format(count)} fresh keys, 150–300-byte messages\n`
);
console.log(
  `Machine: ${info.cpu}, ${info.cores} cores, Node ${info.node} (OpenSSL ${info.openssl}), ${info.platform}; ` +
    `load average ${info.load.toFixed(2)} at the start. Median of ${runs} run${runs === 1 ? '' : 's'}; test data made in ` +
    `${generateSeconds.toFixed(1)} s with node:crypto. Cores = process CPU time ÷ wall time.\n`
);
console.log('| Path | Items | Signatures/s | Cores | Per CPU-second | Note |');
console.log('|---|---:|---:|---:|---:|---|');
for (const r of rows) {
  const perCpu = format(r.perSecond / r.cores);
  console.log(
    `| ${r.path} | ${format(r.items)} | ${format(r.perSecond)} | ${r.cores.toFixed(2)} | ${perCpu} | ${r.note} |`
  );
}
console.log(
  `\nFast path (256 in flight) ÷ noble path: **${ratio.toFixed(1)}×** in signatures/s, ` +
    `${ratioPerCpu.toFixed(1)}× per CPU-second (target ≥ 10×).`
);

if (args.json !== undefined) {
  const report = {
    machine: info,
    count,
    nobleCount,
    runs,
    generateSeconds,
    rows,
    ratio,
    ratioPerCpu,
  };
  writeFileSync(args.json, `${JSON.stringify(report, null, 2)}\n`);
}
