// The lock backend of the log, after Sunlight's: state/checkpoint holds the last checkpoint the
// log signed, and a new one is stored only by compare-and-swap against it. It is the trusted
// record of what the log has promised: a checkpoint is signed only to be stored here, and
// stored before anyone sees it, so restarting from it never signs a checkpoint inconsistent
// with one the world may have seen (log.ts checks each new tree against it first).
//
// state/lock keeps a second node process off the same directory: it holds the owner's process
// ID and is taken over only when that process is gone (after a crash). Policy: it is advisory,
// as flock would be; two nodes started on one directory at the same instant after a crash
// could both take it, and the compare-and-swap would then stop the one that writes second.

import { open, readFile, unlink } from 'node:fs/promises';
import { UndersignedError } from '../../core/errors.ts';
import { utf8Decode, utf8Encode } from '../../core/bytes.ts';
import { isMissing, syncDirectory, writeFileDurably } from './disk.ts';
import type { Layout } from './layout.ts';

/** The lock files this process holds: a lock with our own process ID is stale unless listed here. */
const held = new Set<string>();

/** The lock on one data directory, and its last signed checkpoint. */
export class LogLock {
  readonly #layout: Layout;
  #released = false;

  private constructor(layout: Layout) {
    this.#layout = layout;
  }

  /** Takes the directory for this process. Throws BAD_CONFIG if another live process has it. */
  static async acquire(layout: Layout): Promise<LogLock> {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const handle = await open(layout.lockFile, 'wx', 0o644);
        try {
          await handle.writeFile(`${process.pid}\n`);
        } finally {
          await handle.close();
        }
        held.add(layout.lockFile);
        return new LogLock(layout);
      } catch (e) {
        if ((e as { code?: unknown }).code !== 'EEXIST') throw e;
      }
      const owner = await readOwner(layout.lockFile);
      if (owner !== undefined && isAlive(owner, layout.lockFile)) {
        throw new UndersignedError(
          'BAD_CONFIG',
          `${layout.dataDir} is in use by process ${owner} (if that is no undersigned node, delete ${layout.lockFile})`
        );
      }
      await unlink(layout.lockFile).catch((e: unknown) => {
        if (!isMissing(e)) throw e;
      });
    }
    throw new UndersignedError('BAD_CONFIG', `cannot lock ${layout.dataDir}`);
  }

  /** The last signed checkpoint note, or undefined for a log that never signed one. */
  async lastSigned(): Promise<string | undefined> {
    try {
      return utf8Decode(new Uint8Array(await readFile(this.#layout.stateFile)));
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
  }

  /**
   * Stores `next` as the last signed checkpoint, durably, if the stored one is still `expected`.
   * Throws CORRUPT_DATA if it is not: something else writes this directory.
   */
  async compareAndSwap(expected: string | undefined, next: string): Promise<void> {
    if (this.#released) throw new Error('bug: the lock was released');
    if ((await this.lastSigned()) !== expected) {
      throw new UndersignedError(
        'CORRUPT_DATA',
        'the last signed checkpoint changed under this node: does another process write its data directory?'
      );
    }
    await writeFileDurably(this.#layout.stateFile, utf8Encode(next));
  }

  /** Gives the directory up. */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    held.delete(this.#layout.lockFile);
    await unlink(this.#layout.lockFile).catch(() => undefined);
    await syncDirectory(this.#layout.stateDir).catch(() => undefined);
  }
}

async function readOwner(lockFile: string): Promise<number | undefined> {
  try {
    const text = await readFile(lockFile, 'utf8');
    return /^[1-9][0-9]{0,9}\n$/.test(text) ? Number(text.trim()) : undefined;
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
}

/**
 * Whether the process that wrote a lock still runs. Our own ID in a lock we do not hold is a
 * stale lock of an earlier run: in a container, a node is often process 1 every time.
 */
function isAlive(pid: number, lockFile: string): boolean {
  if (pid === process.pid) return held.has(lockFile);
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: unknown }).code === 'EPERM';
  }
}
