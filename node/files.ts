// Small file helpers for the CLI and the node: whole-file reads with clear errors, and durable
// writes (temporary file, fsync, rename, fsync of the directory) so that a crash never leaves a
// half-written file under the final name.

import { open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { syncDirectory, writeAndRename } from './log/disk.ts';
import { UndersignedError } from '../core/errors.ts';

/** Reads a whole file, or throws NOT_FOUND / FETCH_FAILED naming it. */
export async function readWholeFile(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (cause) {
    const missing = (cause as { code?: string }).code === 'ENOENT';
    throw new UndersignedError(missing ? 'NOT_FOUND' : 'FETCH_FAILED', `cannot read ${path}`, {
      cause,
    });
  }
}

/**
 * Writes `data` to `path` atomically and durably. With `exclusive`, refuses to replace an
 * existing file (for keys). `mode` applies to the new file (0o600 for secrets).
 */
export async function writeFileDurably(
  path: string,
  data: Uint8Array,
  options: { mode?: number; exclusive?: boolean } = {}
): Promise<void> {
  if (options.exclusive) {
    const handle = await open(path, 'wx', options.mode ?? 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await syncDirectory(dirname(path));
    return;
  }
  await writeAndRename(path, data, options.mode ?? 0o644);
  await syncDirectory(dirname(path));
}
