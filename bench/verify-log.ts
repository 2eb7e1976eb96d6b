// Whole-log verification against bare signature verification, side by side in one run, on one
// generated log (default 100,000 entries). Target (issue #2): the log verifier keeps at least
// 80% of the bare signature rate, i.e. hashing, parsing and bookkeeping cost at most a fifth.
//
//   node bench/verify-log.ts [--entries N] [--json FILE]

import { createLetter, letterId } from '../core/letter.ts';
import { parseEntry, entrySigningMessage } from '../core/entry.ts';
import { createEd25519Verifier } from '../core/ed25519-batch.ts';
import { verifyLog } from '../core/verifier.ts';
import { newVerifier } from '../core/note.ts';
import { tilePath } from '../core/tiles.ts';
import { generateEntries } from '../node/gen.ts';
import { buildLog } from '../tests/helpers/log.ts';
import { machine, numberArg, writeJsonArg } from './machine.ts';

const count = numberArg('entries', 100_000);
const letter = createLetter({
  title: 'Benchmark letter',
  text: 'We, the undersigned, measure.\n',
  stampBits: 0,
});

const entries: Uint8Array[] = [];
for await (const chunk of generateEntries(letter, count, { affiliations: 50 }))
  entries.push(...chunk);
const log = buildLog(letterId(letter), entries, 'benchmark log');

const ed25519 = createEd25519Verifier();

// 1. Bare signature verification: the same signatures, batches of 256 as the verifier makes.
const items = entries.map((bytes) => {
  const entry = parseEntry(bytes);
  return {
    publicKey: entry.publicKey,
    message: entrySigningMessage(entry.body),
    signature: entry.signature,
  };
});
globalThis.gc?.();
let started = performance.now();
for (let i = 0; i < items.length; i += 256) {
  const results = await ed25519.verifyMany(items.slice(i, i + 256));
  if (results.includes(false)) throw new Error('bug: a generated signature did not verify');
}
const bareSeconds = (performance.now() - started) / 1000;
items.length = 0;

// 2. The whole-log verifier: checkpoint, bundles, root, entries, signatures, count.
globalThis.gc?.();
const baseline = process.memoryUsage();
let peakRss = baseline.rss;
let peakHeap = baseline.heapUsed;
started = performance.now();
const result = await verifyLog({
  checkpoint: log.checkpoint,
  logKeys: [newVerifier(log.vkey)],
  letterId: letterId(letter),
  stampBits: 0,
  ed25519,
  readEntryBundle: async (tile) => log.files.get(tilePath(tile)) as Uint8Array,
  onProgress: () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  },
});
const logSeconds = (performance.now() - started) / 1000;
if (result.tally.count !== count) throw new Error(`bug: counted ${result.tally.count} of ${count}`);

const bareRate = count / bareSeconds;
const logRate = count / logSeconds;
const mib = (n: number): string => (n / 2 ** 20).toFixed(1);
const report = {
  machine: machine(),
  entries: count,
  backend: await ed25519.backend(),
  bareSignaturesPerSecond: Math.round(bareRate),
  logEntriesPerSecond: Math.round(logRate),
  ratio: Math.round((logRate / bareRate) * 1000) / 1000,
  peakRssMiB: Number(mib(peakRss)),
  peakHeapAboveBaselineMiB: Number(mib(peakHeap - baseline.heapUsed)),
};
console.log(`### Whole-log verification (${count.toLocaleString('en')} entries)

${report.machine}; signature backend: ${report.backend}

| Measure | Value |
|---|---:|
| Bare signature verification (same signatures, batches of 256) | ${report.bareSignaturesPerSecond.toLocaleString('en')} /s |
| Whole-log verification (bundles → root, entries, signatures, count) | ${report.logEntriesPerSecond.toLocaleString('en')} entries/s |
| Ratio (target ≥ 0.8) | ${report.ratio} |
| Peak RSS during log verification | ${report.peakRssMiB} MiB |
| Peak heap above the baseline (holding the generated log) | ${report.peakHeapAboveBaselineMiB} MiB |
`);
await writeJsonArg(report);
