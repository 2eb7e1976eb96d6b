// RFC 6962 §2.1 Merkle tree hashing, inclusion and consistency proofs (proofs checked as in
// RFC 9162 §2.1.3.2 and §2.1.4.2). Names follow Go's golang.org/x/mod/sumdb/tlog.
//
// A node is the root of a perfect subtree: { height, index } covers the leaves
// [index·2^height, (index+1)·2^height). Proofs are computed from such nodes, read in one batch
// from a HashReader (tiles, see tile-reader.ts) or from an array of leaf hashes held in memory.
// Tree sizes and indexes are safe integers; only arithmetic touches them, never bitwise
// operators, which would truncate them to 32 bits.

import { assertBytes, equalBytes } from './bytes.ts';
import { HASH_SIZE, sha256 } from './hash.ts';

/** The root of the perfect subtree of 2^height leaves starting at leaf index·2^height. */
export type NodeRef = { readonly height: number; readonly index: number };

/** Returns the hashes of `nodes`, in order, or throws. It is only asked for complete nodes. */
export type HashReader = (nodes: readonly NodeRef[]) => Uint8Array[];

/** Where proofs read node hashes: a HashReader, or all leaf hashes of the tree in memory. */
export type HashSource = readonly Uint8Array[] | HashReader;

/** MTH({}) = SHA-256(""), RFC 6962 §2.1: the root hash of the empty tree. Read-only. */
export const EMPTY_ROOT: Uint8Array = sha256(new Uint8Array(0));

// The hot path (about 2M hashes to verify 1M entries) hashes nodes from one scratch buffer.
const LEAF_PREFIX = Uint8Array.of(0x00);
const scratch = new Uint8Array(1 + 2 * HASH_SIZE);
scratch[0] = 0x01;

/** SHA-256(0x00 || data), RFC 6962 §2.1: the leaf hash of an entry. */
export function recordHash(data: Uint8Array): Uint8Array {
  return sha256(LEAF_PREFIX, data);
}

/** SHA-256(0x01 || left || right), RFC 6962 §2.1: the hash of an interior node. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) {
    throw new RangeError(`"left" and "right" expected ${HASH_SIZE} bytes`);
  }
  scratch.set(left, 1);
  scratch.set(right, 1 + HASH_SIZE);
  return sha256(scratch);
}

/** Writes nodeHash(left, right) into the 32 bytes `out`, which may be `left` or `right`. */
export function nodeHashInto(left: Uint8Array, right: Uint8Array, out: Uint8Array): void {
  out.set(nodeHash(left, right));
}

/**
 * MTH of `count` consecutive 32-byte hashes of `hashes` from hash number `offset`, `count` being
 * a power of two: the root of that perfect subtree, RFC 6962 §2.1. Hashed level by level in one
 * copy (a full tile's root is 255 node hashes).
 */
export function perfectRoot(hashes: Uint8Array, offset: number, count: number): Uint8Array {
  if (!Number.isInteger(Math.log2(count))) throw new RangeError('"count" expected a power of two');
  if (!(offset >= 0 && (offset + count) * HASH_SIZE <= hashes.length))
    throw new RangeError('"offset" and "count" expected hashes within "hashes"');
  // A copy, whatever `hashes` is: a Node Buffer's slice() would be a view, hashed over in place.
  const level = new Uint8Array(hashes.subarray(offset * HASH_SIZE, (offset + count) * HASH_SIZE));
  for (let n = count; n > 1; n /= 2) {
    for (let i = 0; i < n / 2; i++) {
      scratch.set(level.subarray(2 * i * HASH_SIZE, (2 * i + 2) * HASH_SIZE), 1);
      level.set(sha256(scratch), i * HASH_SIZE); // hashes 2i and 2i + 1 are read already
    }
  }
  return level.slice(0, HASH_SIZE);
}

/** Checks that `value` is a tree size or an index: a non-negative safe integer. */
export function assertIndex(value: number, title: string): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new TypeError(`"${title}" expected a safe integer, got ${String(value)}`);
  }
  if (value < 0) throw new RangeError(`"${title}" expected >= 0, got ${value}`);
}

/** The largest power of two k with k < n (n >= 2), the split point of RFC 6962 §2.1. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * The perfect subtrees that make up the range [lo, hi), largest first, with lo aligned as RFC
 * 6962's recursion guarantees. MTH(D[lo:hi]) is the right fold of their hashes (subtreeHash).
 */
export function subtreeNodes(lo: number, hi: number): NodeRef[] {
  const nodes: NodeRef[] = [];
  while (lo < hi) {
    let k = 1;
    let height = 0;
    while (k * 2 <= hi - lo) {
      k *= 2;
      height++;
    }
    if (lo % k !== 0) throw new Error('bug: unaligned range in subtreeNodes');
    nodes.push({ height, index: lo / k });
    lo += k;
  }
  return nodes;
}

/** The right fold of perfect subtree hashes, largest first: MTH of the range they make up. */
export function subtreeHash(hashes: readonly Uint8Array[]): Uint8Array {
  let h = hashes[hashes.length - 1];
  if (h === undefined) throw new RangeError('"hashes" expected at least one hash');
  for (let i = hashes.length - 2; i >= 0; i--) h = nodeHash(hashes[i] as Uint8Array, h);
  return h;
}

/** MTH(D[lo:hi]) over leaf hashes, the recursive definition of RFC 6962 §2.1 (hi > lo). */
function mth(leafHashes: readonly Uint8Array[], lo: number, hi: number): Uint8Array {
  if (hi - lo === 1) return assertBytes(leafHashes[lo], HASH_SIZE, 'leaf hash');
  const k = splitPoint(hi - lo);
  return nodeHash(mth(leafHashes, lo, lo + k), mth(leafHashes, lo + k, hi));
}

/** MTH(D[n]), RFC 6962 §2.1: the root hash of the tree with these leaf hashes. */
export function treeHash(leafHashes: readonly Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return EMPTY_ROOT.slice();
  return mth(leafHashes, 0, leafHashes.length);
}

/** Reads node hashes from a HashReader or computes them from leaf hashes in memory. */
function readHashes(source: HashSource, nodes: readonly NodeRef[]): Uint8Array[] {
  if (nodes.length === 0) return [];
  if (typeof source === 'function') {
    const hashes = source(nodes);
    if (hashes.length !== nodes.length) {
      throw new TypeError(`HashReader returned ${hashes.length} hashes for ${nodes.length} nodes`);
    }
    for (const h of hashes) assertBytes(h, HASH_SIZE, 'hash from HashReader');
    return hashes;
  }
  return nodes.map(({ height, index }) => {
    const width = 2 ** height;
    if ((index + 1) * width > source.length) throw new RangeError('node is beyond the leaf hashes');
    return mth(source, index * width, (index + 1) * width);
  });
}

/** Reads each group of nodes in one batch and folds every group into one hash. */
function readGroups(source: HashSource, groups: readonly NodeRef[][]): Uint8Array[] {
  const hashes = readHashes(source, groups.flat());
  let next = 0;
  return groups.map((group) => subtreeHash(hashes.slice(next, (next += group.length))));
}

/** The root hash of the tree of size treeSize, read from `source` (EMPTY_ROOT for size 0). */
export function readTreeHash(treeSize: number, source: HashSource): Uint8Array {
  assertIndex(treeSize, 'treeSize');
  if (treeSize === 0) return EMPTY_ROOT.slice();
  return subtreeHash(readHashes(source, subtreeNodes(0, treeSize)));
}

// PATH(m, D[lo:hi]), RFC 6962 §2.1.1: the proof for the leaf m, leaf to root. Each element is
// the MTH of the sibling range, listed here as the perfect subtrees that make it up.
function pathNodes(lo: number, hi: number, m: number, out: NodeRef[][]): void {
  if (hi - lo === 1) return;
  const k = splitPoint(hi - lo);
  if (m < lo + k) {
    pathNodes(lo, lo + k, m, out); // PATH(m, D[0:k]) : MTH(D[k:n])
    out.push(subtreeNodes(lo + k, hi));
  } else {
    pathNodes(lo + k, hi, m, out); // PATH(m - k, D[k:n]) : MTH(D[0:k])
    out.push(subtreeNodes(lo, lo + k));
  }
}

/** The nodes that make up each element of the inclusion proof of leaf `index`, leaf to root. */
export function recordProofNodes(treeSize: number, index: number): NodeRef[][] {
  assertIndex(treeSize, 'treeSize');
  assertIndex(index, 'index');
  if (index >= treeSize)
    throw new RangeError(`index ${index} is not in a tree of size ${treeSize}`);
  const out: NodeRef[][] = [];
  pathNodes(0, treeSize, index, out);
  return out;
}

/** The inclusion proof (audit path) of leaf `index` in the tree of size treeSize. */
export function proveRecord(treeSize: number, index: number, source: HashSource): Uint8Array[] {
  return readGroups(source, recordProofNodes(treeSize, index));
}

// SUBPROOF(m, D[lo:hi], b), RFC 6962 §2.1.2, with b true exactly while lo is 0 (the left spine).
function subproofNodes(lo: number, hi: number, m: number, out: NodeRef[][]): void {
  if (m === hi) {
    if (lo !== 0) out.push(subtreeNodes(lo, hi)); // SUBPROOF(m, D[m], false) = {MTH(D[m])}
    return;
  }
  const k = splitPoint(hi - lo);
  if (m <= lo + k) {
    subproofNodes(lo, lo + k, m, out); // SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
    out.push(subtreeNodes(lo + k, hi));
  } else {
    subproofNodes(lo + k, hi, m, out); // SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
    out.push(subtreeNodes(lo, lo + k));
  }
}

/** The nodes that make up each element of the consistency proof from oldSize to newSize. */
export function treeProofNodes(newSize: number, oldSize: number): NodeRef[][] {
  assertIndex(newSize, 'newSize');
  assertIndex(oldSize, 'oldSize');
  if (oldSize > newSize) throw new RangeError(`old size ${oldSize} > new size ${newSize}`);
  const out: NodeRef[][] = [];
  // PROOF(m, D[n]) = SUBPROOF(m, D[n], true); empty for m = n and, by our policy, for m = 0.
  if (oldSize > 0 && oldSize < newSize) subproofNodes(0, newSize, oldSize, out);
  return out;
}

/** The consistency proof that the tree of size oldSize is a prefix of the one of size newSize. */
export function proveTree(newSize: number, oldSize: number, source: HashSource): Uint8Array[] {
  return readGroups(source, treeProofNodes(newSize, oldSize));
}

function assertProof(proof: readonly Uint8Array[]): void {
  if (!Array.isArray(proof)) throw new TypeError('"proof" expected an array');
  for (const p of proof) assertBytes(p, undefined, 'proof hash');
}

/**
 * Whether `proof` proves that `leafHash` is leaf `index` of the tree of size treeSize with root
 * hash rootHash (RFC 9162 §2.1.3.2). Returns false, never throws, on any bad proof or hash.
 */
export function checkRecord(
  proof: readonly Uint8Array[],
  treeSize: number,
  rootHash: Uint8Array,
  index: number,
  leafHash: Uint8Array
): boolean {
  assertIndex(treeSize, 'treeSize');
  assertIndex(index, 'index');
  assertProof(proof);
  assertBytes(rootHash, undefined, 'rootHash');
  assertBytes(leafHash, undefined, 'leafHash');
  if (index >= treeSize || rootHash.length !== HASH_SIZE || leafHash.length !== HASH_SIZE) {
    return false;
  }
  let fn = index;
  let sn = treeSize - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0 || p.length !== HASH_SIZE) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      // Until LSB(fn) is set or fn is 0, right-shift fn and sn equally.
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equalBytes(r, rootHash);
}

function isPowerOfTwo(n: number): boolean {
  while (n > 1 && n % 2 === 0) n /= 2;
  return n === 1;
}

/**
 * Whether `proof` proves that the tree of size oldSize with root hash oldRoot is a prefix of
 * the tree of size newSize with root hash newRoot (RFC 9162 §2.1.4.2). Returns false, never
 * throws, on any bad proof or hash.
 */
export function checkTree(
  proof: readonly Uint8Array[],
  newSize: number,
  newRoot: Uint8Array,
  oldSize: number,
  oldRoot: Uint8Array
): boolean {
  assertIndex(newSize, 'newSize');
  assertIndex(oldSize, 'oldSize');
  assertProof(proof);
  assertBytes(newRoot, undefined, 'newRoot');
  assertBytes(oldRoot, undefined, 'oldRoot');
  if (oldSize > newSize || newRoot.length !== HASH_SIZE || oldRoot.length !== HASH_SIZE) {
    return false;
  }
  // Policy: the empty tree is a prefix of every tree, so old size 0 is consistent with any new
  // tree, given an empty proof and the empty tree's root hash, MTH({}) = SHA-256(""). RFC 9162
  // and Go's tlog leave size 0 undefined; tlog-witness also accepts an empty proof from size 0.
  if (oldSize === 0) {
    return (
      proof.length === 0 &&
      equalBytes(oldRoot, EMPTY_ROOT) &&
      (newSize > 0 || equalBytes(newRoot, EMPTY_ROOT))
    );
  }
  if (oldSize === newSize) return proof.length === 0 && equalBytes(oldRoot, newRoot);
  if (proof.length === 0) return false;
  // If first is an exact power of 2, prepend first_hash to the consistency path.
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : proof;
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (fn % 2 === 1) {
    fn = (fn - 1) / 2;
    sn = Math.floor(sn / 2);
  }
  let fr = path[0] as Uint8Array;
  let sr = fr;
  if (fr.length !== HASH_SIZE) return false;
  for (let i = 1; i < path.length; i++) {
    const c = path[i] as Uint8Array;
    if (sn === 0 || c.length !== HASH_SIZE) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equalBytes(fr, oldRoot) && equalBytes(sr, newRoot);
}
