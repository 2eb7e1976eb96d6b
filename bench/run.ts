// Runs every benchmark, one after another in separate processes on an otherwise idle machine,
// and prints their Markdown. With --write, docs/BENCHMARKS.md is rewritten from this run, so
// the published figures are always ones the code gave side by side.
//
//   npm run bench [-- --write] [-- --only NAME]

import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machine } from './machine.ts';

// Each benchmark with its arguments. The browser runs use bare CDP (--driver cdp): Playwright's
// network instrumentation costs the page CPU no visitor's browser spends.
const BENCHES: readonly (readonly [string, readonly string[]])[] = [
  ['signatures', []],
  ['verify-log', []],
  ['submit', []],
  ['submit', ['--concurrency', '1024', '--batch-ms', '100']],
  ['catch-up', []],
  // Repeated, app and bare alternating: this VM's speed drifts by ±25% within minutes.
  ['web-verify', ['--entries', '100000', '--build', '--driver', 'cdp', '--repeat', '5']],
  ['web-verify', ['--entries', '1000000', '--driver', 'cdp', '--repeat', '3']],
];
const here = (name: string): string => fileURLToPath(new URL(name, import.meta.url));
const only = process.argv.includes('--only')
  ? process.argv[process.argv.indexOf('--only') + 1]
  : undefined;

const sections: string[] = [];
for (const [name, args] of BENCHES) {
  if (only !== undefined && name !== only) continue;
  const script = here(`${name}.ts`);
  if (!existsSync(script)) continue;
  process.stderr.write(`running bench/${name}.ts …\n`);
  const output = execFileSync(process.execPath, ['--expose-gc', script, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.stdout.write(output + '\n');
  sections.push(output.trim());
}

if (process.argv.includes('--write')) {
  const doc = `# Benchmarks

Produced by \`npm run bench -- --write\` (bench/run.ts) in one run on ${machine()},
${new Date().toISOString().slice(0, 10)}. Each section's ratios compare figures measured side by side in
the same process on the same data. The machine is a shared 2-core VM: repeated runs vary by up
to about ±20%.

${sections.join('\n\n')}
`;
  writeFileSync(here('../docs/BENCHMARKS.md'), doc);
  process.stderr.write('wrote docs/BENCHMARKS.md\n');
}
