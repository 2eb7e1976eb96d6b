// UnixFS directories of raw blocks (ipfs/specs UNIXFS.md over dag-pb), built and walked in
// memory for offline copies (node/car/). A directory is one dag-pb node whose Data is the UnixFS
// message {Type: Directory} and whose links, sorted by name bytes (dag-pb spec), carry each
// child's name, CID and Tsize: a file's size, or a subdirectory's encoded size plus its links'
// Tsizes. That is what @helia/unixfs writes (node/p2p/directory.ts), so a log gets the same
// directory CID here as in the blockstore of a mirror.

import * as dagPb from '@ipld/dag-pb';
import { UnixFS } from 'ipfs-unixfs';
import { CID } from 'multiformats/cid';
import { create as createDigest } from 'multiformats/hashes/digest';
import { UndersignedError } from '../../core/errors.ts';
import { sha256 } from '../../core/hash.ts';
import { blockCid, DAG_PB_CODEC, RAW_CODEC } from '../p2p/cid.ts';
import { isDirectoryPath } from '../p2p/directory.ts';
import type { CarBlock } from './car.ts';

/** A built directory: its root CID and every block, in depth-first order, each once. */
export type BuiltDirectory = { readonly root: CID; readonly blocks: readonly CarBlock[] };

type Tree = Map<string, Uint8Array | Tree>;
type Built = { cid: CID; tsize: number; blocks: CarBlock[] };

const SHA2_256 = 0x12;
const DIRECTORY_DATA = new UnixFS({ type: 'directory' }).marshal();
// Policy: as node/p2p/directory.ts: at most 16 levels and 4096 names per directory.
const MAX_DEPTH = 16;
const MAX_NAMES = 4096;

/**
 * The UnixFS directory of `files` (slash-separated path → bytes), each file a raw block. The
 * blocks come in depth-first pre-order (a directory, then its children by name), as
 * `ipfs dag export` writes them; a block whose bytes appear twice is listed once.
 */
export function buildDirectory(files: ReadonlyMap<string, Uint8Array>): BuiltDirectory {
  const tree: Tree = new Map();
  for (const [path, bytes] of files) {
    if (!isDirectoryPath(path))
      throw new RangeError(`invalid directory path "${path.slice(0, 80)}"`);
    const names = path.split('/');
    const file = names.pop() ?? '';
    let node = tree;
    for (const name of names) {
      const next = node.get(name) ?? new Map<string, Uint8Array | Tree>();
      if (next instanceof Uint8Array) throw new RangeError(`"${path}" is under a file`);
      node.set(name, next);
      node = next;
    }
    if (node.has(file)) throw new RangeError(`"${path}" appears twice`);
    node.set(file, bytes);
  }
  const built = buildTree(tree);
  const seen = new Set<string>();
  const blocks = built.blocks.filter((b) => {
    const key = b.cid.toString();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { root: built.cid, blocks };
}

function buildTree(tree: Tree): Built {
  if (tree.size > MAX_NAMES) throw new RangeError(`a directory has more than ${MAX_NAMES} names`);
  const links: dagPb.PBLink[] = [];
  const children: CarBlock[] = [];
  // Names are ASCII (isDirectoryPath), so string order is the byte order dag-pb sorts links in.
  for (const name of [...tree.keys()].sort()) {
    const child = tree.get(name);
    if (child instanceof Uint8Array) {
      const cid = blockCid(child);
      links.push({ Name: name, Hash: cid, Tsize: child.length });
      children.push({ cid, bytes: child });
    } else if (child !== undefined) {
      const sub = buildTree(child);
      links.push({ Name: name, Hash: sub.cid, Tsize: sub.tsize });
      children.push(...sub.blocks);
    }
  }
  const bytes = dagPb.encode(dagPb.prepare({ Data: DIRECTORY_DATA, Links: links }));
  const cid = CID.createV1(DAG_PB_CODEC, createDigest(SHA2_256, sha256(bytes)));
  const tsize = bytes.length + links.reduce((sum, link) => sum + (link.Tsize ?? 0), 0);
  return { cid, tsize, blocks: [{ cid, bytes }, ...children] };
}

/**
 * The files of the UnixFS directory `root`, reading blocks with `get` (which returns undefined
 * for a block it does not have). Every directory must be a plain UnixFS directory and every
 * file a raw block. MALFORMED_CAR names the path that is wrong or missing.
 */
export function walkDirectory(
  root: CID,
  get: (cid: CID) => Uint8Array | undefined
): Map<string, Uint8Array> {
  const bad = (why: string): UndersignedError => new UndersignedError('MALFORMED_CAR', why);
  const files = new Map<string, Uint8Array>();
  const walk = (cid: CID, prefix: string, depth: number): void => {
    const where = prefix === '' ? 'the root directory' : `directory "${prefix.slice(0, -1)}"`;
    if (cid.code !== DAG_PB_CODEC) throw bad(`${where} is not a dag-pb block`);
    const bytes = get(cid);
    if (bytes === undefined) throw bad(`${where} is missing from the car`);
    let node: dagPb.PBNode;
    let data: UnixFS;
    try {
      node = dagPb.decode(bytes);
      data = UnixFS.unmarshal(node.Data ?? new Uint8Array());
    } catch (cause) {
      throw new UndersignedError('MALFORMED_CAR', `${where} is not a dag-pb UnixFS node`, {
        cause,
      });
    }
    if (data.type !== 'directory') throw bad(`${where} is not a UnixFS directory`);
    if (node.Links.length > MAX_NAMES) throw bad(`${where} has more than ${MAX_NAMES} names`);
    for (const link of node.Links) {
      const path = prefix + (link.Name ?? '');
      if (!isDirectoryPath(path)) throw bad(`${where} has a name that is not a log path`);
      if (link.Hash.code === RAW_CODEC) {
        const file = get(link.Hash);
        if (file === undefined) throw bad(`"${path}" is missing from the car`);
        files.set(path, file);
      } else if (depth + 1 < MAX_DEPTH) {
        walk(link.Hash, `${path}/`, depth + 1);
      } else {
        throw bad(`"${path}" is too deep`);
      }
    }
  };
  walk(root, '', 0);
  return files;
}
