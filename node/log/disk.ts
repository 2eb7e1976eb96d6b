// Durable writes for the log, the POSIX pattern of Tessera's storage/posix: write a temporary
// file in the same directory, fsync it, rename it over the final name, fsync the directory. A
// crash at any instant leaves the old file or the new one under the final name, never a torn
// one, and once writeFilesDurably resolves the new files survive a power loss.
//
// Policy: every file gets the times 0 (1970-01-01). A tile's modification time would date its
// batch, and so, to within a batch, the submission of every entry in it; mirrors keep no
// submission times. (The inode change time cannot be reset; it stays on the live disk only.)

import { mkdir, open, readdir, rename, rm, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** A file to write: its absolute path and contents. */
export type FileData = { readonly path: string; readonly data: Uint8Array };

/** Writes all `files` durably (see above), in parallel, then syncs each directory once. */
export async function writeFilesDurably(files: readonly FileData[]): Promise<void> {
  const dirs = [...new Set(files.map((f) => dirname(f.path)))];
  await Promise.all(dirs.map((dir) => mkdir(dir, { recursive: true })));
  await Promise.all(files.map((f) => writeAndRename(f.path, f.data)));
  await Promise.all(dirs.map((dir) => syncDirectory(dir)));
}

/** Writes one file durably. */
export function writeFileDurably(path: string, data: Uint8Array): Promise<void> {
  return writeFilesDurably([{ path, data }]);
}

/** The names writeAndRename gives its temporary files. */
const TEMPORARY = /^\..+\.[0-9a-f]{12}\.tmp$/;

/** Writes `data` to a temporary file beside `path`, fsyncs it, and renames it over `path`. */
export async function writeAndRename(path: string, data: Uint8Array, mode = 0o644): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  await writeNewFileDurably(temporary, data, mode);
  await rename(temporary, path);
}

/**
 * Writes `data` durably to `path`, which must not exist: written, dated 1970 (see above) and
 * fsynced; removed again if that fails.
 */
export async function writeNewFileDurably(
  path: string,
  data: Uint8Array,
  mode = 0o644
): Promise<void> {
  const handle = await open(path, 'wx', mode);
  try {
    await handle.writeFile(data);
    await handle.utimes(0, 0);
    await handle.sync();
  } catch (e) {
    await handle.close();
    await unlink(path).catch(() => undefined);
    throw e;
  }
  await handle.close();
}

/** Renames files written durably elsewhere to their paths, then syncs each directory once. */
export async function moveFilesDurably(
  moves: readonly { readonly from: string; readonly to: string }[]
): Promise<void> {
  const dirs = [...new Set(moves.map((m) => dirname(m.to)))];
  await Promise.all(dirs.map((dir) => mkdir(dir, { recursive: true })));
  await Promise.all(moves.map((m) => rename(m.from, m.to)));
  await Promise.all(dirs.map((dir) => syncDirectory(dir)));
}

/** fsyncs a directory, which makes the renames and unlinks in it durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Removes files or directories that may not exist, then syncs their parent directories. */
export async function removeDurably(paths: readonly string[]): Promise<void> {
  await Promise.all(paths.map((p) => rm(p, { recursive: true, force: true })));
  const dirs = [...new Set(paths.map((p) => dirname(p)))];
  await Promise.all(dirs.map((dir) => syncDirectory(dir).catch(() => undefined)));
}

/** Removes the temporary files that writes cut short by a crash left in `dirs` (never served). */
export async function removeTemporaries(dirs: readonly string[]): Promise<void> {
  const found = await Promise.all(
    dirs.map(async (dir) => {
      const names = await readdir(dir).catch(() => [] as string[]);
      return names.filter((name) => TEMPORARY.test(name)).map((name) => join(dir, name));
    })
  );
  await removeDurably(found.flat());
}

/** Whether an error is a missing file (ENOENT). */
export function isMissing(e: unknown): boolean {
  return (e as { code?: unknown } | null)?.code === 'ENOENT';
}
