// What a benchmark ran on, for docs/BENCHMARKS.md.

import { cpus, totalmem } from 'node:os';

export function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** Writes `value` as JSON to the file after `--json`, if given. */
export async function writeJsonArg(value: unknown): Promise<void> {
  const i = process.argv.indexOf('--json');
  const file = i >= 0 ? process.argv[i + 1] : undefined;
  if (file === undefined) return;
  const { writeFile } = await import('node:fs/promises');
  await writeFile(file, JSON.stringify(value, null, 2) + '\n');
}

/** The number after `--name`, or `fallback`. */
export function numberArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new RangeError(`--${name} expects a positive number`);
  return value;
}
