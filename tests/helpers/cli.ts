import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../node/cli/main.ts', import.meta.url));

export type CliResult = { status: number; stdout: string; stderr: string };

/** Runs `undersigned ...args` as a separate process. */
export function runCli(
  args: string[],
  options: { cwd?: string; timeoutMs?: number } = {}
): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: options.cwd, timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        const status = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ status, stdout, stderr });
      }
    );
  });
}
