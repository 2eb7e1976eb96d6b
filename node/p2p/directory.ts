// UnixFS directories of raw blocks (ipfs/specs UNIXFS.md, dag-pb), the form in which a
// checkpoint's tiles are announced (DESIGN.md "Replication over IPFS"): any IPFS node can pin
// and serve them, and a gateway serves tile/0/x001/234 at the tlog-tiles path.
//
// putDirectory encodes each directory block itself (@ipld/dag-pb, ipfs-unixfs), bottom-up, in
// one pass: the same blocks @helia/unixfs `cp` would make one link at a time, without the
// intermediate blocks and without the cost growing with the square of the directory's size.

import * as dagPB from '@ipld/dag-pb';
import type { PBLink } from '@ipld/dag-pb';
import { unixfs } from '@helia/unixfs';
import { UnixFS } from 'ipfs-unixfs';
import type { CID } from 'multiformats/cid';
import { UndersignedError } from '../../core/errors.ts';
import { dagPbCid, DAG_PB_CODEC, RAW_CODEC } from './cid.ts';

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
/** The Data of a plain UnixFS directory (no mode, no mtime), as the importer writes it. */
const DIRECTORY_DATA = new UnixFS({ type: 'directory' }).marshal();
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

/**
 * Builds the UnixFS directory holding `entries` (raw blocks already in `blocks`): one dag-pb
 * block per directory, links sorted by name (dag-pb spec), each link's Tsize the block's size
 * plus its links' Tsizes, as @helia/unixfs writes them. Only directory blocks not already
 * stored are written, so rebuilding a grown tree writes the directories that changed.
 */
export async function putDirectory(
  blocks: Blocks,
  entries: readonly DirectoryEntry[],
  options: { signal?: AbortSignal } = {}
): Promise<CID> {
  const tree = toTree(entries);
  const signal = options.signal;
  const opts = signal === undefined ? {} : { signal };
  const sizes = new Map<string, number>();
  const build = async (node: Tree): Promise<{ cid: CID; tsize: number }> => {
    const links: PBLink[] = [];
    for (const [name, cid] of node.files) {
      const size = sizes.get(cid.toString()) ?? (await blockSize(blocks, cid, opts));
      sizes.set(cid.toString(), size);
      links.push({ Name: name, Hash: cid, Tsize: size });
    }
    for (const [name, subtree] of node.dirs) {
      const { cid, tsize } = await build(subtree);
      links.push({ Name: name, Hash: cid, Tsize: tsize });
    }
    const bytes = dagPB.encode(dagPB.prepare({ Data: DIRECTORY_DATA, Links: links }));
    const cid = dagPbCid(bytes);
    signal?.throwIfAborted();
    if (!(await blocks.has(cid, opts))) await blocks.put(cid, bytes, opts);
    return { cid, tsize: links.reduce((sum, link) => sum + (link.Tsize ?? 0), bytes.length) };
  };
  return (await build(tree)).cid;
}

/** The size of a stored raw block. */
async function blockSize(
  blocks: Blocks,
  cid: CID,
  opts: { signal?: AbortSignal }
): Promise<number> {
  let size = 0;
  try {
    for await (const chunk of blocks.get(cid, { ...opts, offline: true } as typeof opts))
      size += chunk.length;
  } catch (e) {
    rethrow(e, opts.signal);
  }
  return size;
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
