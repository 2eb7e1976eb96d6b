// UnixFS directories of raw blocks (ipfs/specs UNIXFS.md, dag-pb), the form in which a
// checkpoint's tiles are announced (DESIGN.md "Replication over IPFS"): any IPFS node can pin
// and serve them, and a gateway serves tile/0/x001/234 at the tlog-tiles path.
//
// putDirectory builds each directory bottom-up with @helia/unixfs `cp`, one link at a time,
// on an in-memory overlay, and writes only the final directory blocks to the blockstore: the
// intermediate blocks of each `cp` would otherwise pile up on disk.

import { unixfs } from '@helia/unixfs';
import type { CID } from 'multiformats/cid';
import { UndersignedError } from '../../core/errors.ts';
import { DAG_PB_CODEC, RAW_CODEC } from './cid.ts';

/** One file of a directory: its slash-separated path and the CID of its raw block. */
export interface DirectoryEntry {
  path: string;
  cid: CID;
}

type Blocks = Parameters<typeof unixfs>[0]['blockstore'];
interface Tree {
  files: Map<string, CID>;
  dirs: Map<string, Tree>;
}

// Policy: names are what tlog-tiles paths use (tile/0/x001/234.p/5), at most 64 characters,
// at most 16 levels deep, at most 4096 names per directory so that every directory is one
// dag-pb block well under bitswap's 2 MiB message limit (no HAMT sharding).
const NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$/;
const MAX_DEPTH = 16;
const MAX_NAMES = 4096;
/** The most files getDirectory lists by default. */
export const MAX_DIRECTORY_FILES = 1_000_000;

/** Whether `path` is a valid file path: NAME segments joined by '/', not too deep. */
export function isDirectoryPath(path: string): boolean {
  const names = path.split('/');
  return (
    names.length <= MAX_DEPTH &&
    names.every((name) => NAME.test(name) && name !== '..' && name !== '.')
  );
}

/** Builds the UnixFS directory holding `entries` (raw blocks already in `blocks`). */
export async function putDirectory(
  blocks: Blocks,
  entries: readonly DirectoryEntry[],
  options: { signal?: AbortSignal } = {}
): Promise<CID> {
  const tree = toTree(entries);
  const memory = new Map<string, Uint8Array>();
  const overlay: Blocks = {
    has: async (cid, opts) => memory.has(cid.toString()) || (await blocks.has(cid, opts)),
    put: (cid, bytes) => {
      if (!(bytes instanceof Uint8Array)) throw new Error('bug: unixfs put a stream');
      memory.set(cid.toString(), bytes);
      return cid;
    },
    get: async function* (cid, opts) {
      const bytes = memory.get(cid.toString());
      if (bytes !== undefined) yield bytes;
      else yield* blocks.get(cid, { ...opts, offline: true } as typeof opts);
    },
  };
  const fs = unixfs({ blockstore: overlay });
  const signal = options.signal;
  const common = {
    ...(signal === undefined ? {} : { signal }),
    offline: true,
    shardSplitThresholdBytes: Infinity,
  };
  const empty = await fs.addDirectory({}, common);
  const finals: CID[] = [];

  const build = async (node: Tree): Promise<CID> => {
    const names = [...node.files.keys(), ...node.dirs.keys()].sort();
    let dir = empty;
    for (const name of names) {
      const subtree = node.dirs.get(name);
      const cid = subtree === undefined ? node.files.get(name) : await build(subtree);
      if (cid === undefined) throw new Error('bug: a name without an entry');
      const next = await fs.cp(cid, dir, name, common).catch((e: unknown) => rethrow(e, signal));
      // Drop the superseded block, unless it is also a finished directory (or the empty one).
      if (!dir.equals(empty) && !finals.some((f) => f.equals(dir))) memory.delete(dir.toString());
      dir = next;
    }
    finals.push(dir);
    return dir;
  };
  const root = await build(tree);
  for (const cid of finals) {
    const bytes = memory.get(cid.toString());
    if (bytes === undefined) throw new Error('bug: a directory block was dropped');
    await blocks.put(cid, bytes, signal === undefined ? {} : { signal });
  }
  return root;
}

function toTree(entries: readonly DirectoryEntry[]): Tree {
  if (!(entries instanceof Array)) throw new TypeError('"entries" expected an array');
  const root: Tree = { files: new Map(), dirs: new Map() };
  for (const { path, cid } of entries) {
    if (typeof path !== 'string') throw new TypeError('a directory path is not a string');
    if (!isDirectoryPath(path))
      throw new RangeError(`invalid directory path "${path.slice(0, 80)}"`);
    if (cid.code !== RAW_CODEC) throw new RangeError(`"${path}" is not a raw block cid`);
    const names = path.split('/');
    const file = names.pop() ?? '';
    let node = root;
    for (const name of names) {
      if (node.files.has(name)) throw new RangeError(`"${path}" is under a file`);
      const next = node.dirs.get(name) ?? {
        files: new Map<string, CID>(),
        dirs: new Map<string, Tree>(),
      };
      node.dirs.set(name, next);
      node = next;
    }
    if (node.files.has(file) || node.dirs.has(file))
      throw new RangeError(`"${path}" appears twice`);
    node.files.set(file, cid);
    if (node.files.size + node.dirs.size > MAX_NAMES)
      throw new RangeError(`a directory has more than ${MAX_NAMES} names`);
  }
  return root;
}

/**
 * Lists the files of the UnixFS directory `cid`, fetching its directory blocks (from peers
 * if need be). Files must be raw blocks; they are listed, not fetched.
 */
export async function getDirectory(
  blocks: Blocks,
  cid: CID,
  options: { signal?: AbortSignal; maxFiles?: number } = {}
): Promise<DirectoryEntry[]> {
  const fs = unixfs({ blockstore: blocks });
  const signal = options.signal;
  const opts = signal === undefined ? {} : { signal };
  const maxFiles = options.maxFiles ?? MAX_DIRECTORY_FILES;
  const out: DirectoryEntry[] = [];
  const walk = async (dir: CID, prefix: string, depth: number): Promise<void> => {
    const stat = await fs.stat(dir, opts).catch((e: unknown) => rethrow(e, signal));
    if (stat.type !== 'directory')
      throw new UndersignedError(
        'MALFORMED_DIRECTORY',
        `${prefix || 'the root'} is not a directory`
      );
    const children: { name: string; cid: CID }[] = [];
    try {
      for await (const entry of fs.ls(dir, opts))
        children.push({ name: entry.name, cid: entry.cid });
    } catch (e) {
      rethrow(e, signal);
    }
    for (const child of children) {
      const path = prefix + child.name;
      if (!isDirectoryPath(path))
        throw new UndersignedError('MALFORMED_DIRECTORY', 'a name is not a tile path segment');
      if (child.cid.code === RAW_CODEC) {
        if (out.length >= maxFiles)
          throw new UndersignedError('MALFORMED_DIRECTORY', `more than ${maxFiles} files`);
        out.push({ path, cid: child.cid });
      } else if (child.cid.code === DAG_PB_CODEC && depth + 1 < MAX_DEPTH) {
        await walk(child.cid, `${path}/`, depth + 1);
      } else {
        throw new UndersignedError(
          'MALFORMED_DIRECTORY',
          `"${path}" is neither a raw block nor a directory`
        );
      }
    }
  };
  await walk(cid, '', 0);
  return out;
}

// Aborts surface as the signal's reason; a missing local block as NOT_FOUND; anything else
// from the UnixFS layer (undecodable dag-pb, not UnixFS) as MALFORMED_DIRECTORY.
function rethrow(e: unknown, signal: AbortSignal | undefined): never {
  if (signal?.aborted === true) throw signal.reason;
  if (e instanceof UndersignedError) throw e;
  const name = e instanceof Error ? e.name : '';
  if (name === 'BlockNotFoundWhileOfflineError' || name === 'NotFoundError') {
    throw new UndersignedError('NOT_FOUND', 'a block of the directory is not in the blockstore', {
      cause: e,
    });
  }
  throw new UndersignedError('MALFORMED_DIRECTORY', 'not a UnixFS directory of raw blocks', {
    cause: e,
  });
}
