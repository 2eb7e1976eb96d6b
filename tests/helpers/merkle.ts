// Test helpers for RFC 6962 trees: the "leaf-<i>" leaves of the shared vectors, a naive
// reference implementation written straight from the RFC's recursive definitions, and huge
// synthetic trees (sizes past 2^32) whose node hashes are computed lazily.

import { equalBytes, utf8Encode } from '../../core/bytes.ts';
import { nodeHash, recordHash, type HashReader, type NodeRef } from '../../core/merkle.ts';

/** The entry "leaf-<i>" of the shared vectors. */
export function leafData(i: number): Uint8Array {
  return utf8Encode(`leaf-${i}`);
}

const leafHashCache: Uint8Array[] = [];

/** The leaf hashes of entries "leaf-0" .. "leaf-<n-1>", cached across tests. */
export function leafHashes(n: number): Uint8Array[] {
  for (let i = leafHashCache.length; i < n; i++) leafHashCache.push(recordHash(leafData(i)));
  return leafHashCache.slice(0, n);
}

/** A HashReader over leaf hashes in memory that remembers every node it computes. */
export function memoReader(leaves: readonly Uint8Array[]): HashReader {
  const cache = new Map<string, Uint8Array>();
  const node = (height: number, index: number): Uint8Array => {
    if (height === 0) return leaves[index] as Uint8Array;
    const key = `${height}/${index}`;
    let h = cache.get(key);
    if (h === undefined) {
      h = nodeHash(node(height - 1, 2 * index), node(height - 1, 2 * index + 1));
      cache.set(key, h);
    }
    return h;
  };
  return (nodes) => nodes.map(({ height, index }) => node(height, index));
}

/** The largest power of two smaller than n (n >= 2). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[n]), RFC 6962 §2.1, copying slices as the RFC writes it. */
export function naiveTreeHash(d: readonly Uint8Array[]): Uint8Array {
  if (d.length === 1) return d[0] as Uint8Array;
  const k = split(d.length);
  return nodeHash(naiveTreeHash(d.slice(0, k)), naiveTreeHash(d.slice(k)));
}

/** PATH(m, D[n]), RFC 6962 §2.1.1. */
export function naivePath(m: number, d: readonly Uint8Array[]): Uint8Array[] {
  if (d.length === 1) return [];
  const k = split(d.length);
  if (m < k) return [...naivePath(m, d.slice(0, k)), naiveTreeHash(d.slice(k))];
  return [...naivePath(m - k, d.slice(k)), naiveTreeHash(d.slice(0, k))];
}

/** PROOF(m, D[n]) = SUBPROOF(m, D[n], true), RFC 6962 §2.1.2. */
export function naiveProof(m: number, d: readonly Uint8Array[]): Uint8Array[] {
  const subproof = (m: number, d: readonly Uint8Array[], b: boolean): Uint8Array[] => {
    if (m === d.length) return b ? [] : [naiveTreeHash(d)];
    const k = split(d.length);
    if (m <= k) return [...subproof(m, d.slice(0, k), b), naiveTreeHash(d.slice(k))];
    return [...subproof(m - k, d.slice(k), false), naiveTreeHash(d.slice(0, k))];
  };
  return subproof(m, d, true);
}

/**
 * A tree of any size up to 2^53 whose leaves have few distinct values: leaf i is the entry
 * "color-<c>", where c counts the boundaries <= i. A perfect subtree within one color has a
 * hash that depends only on its height, so every node hash costs O(boundaries · 53) hashes.
 */
export class SyntheticTree {
  readonly #boundaries: number[];
  readonly #uniform = new Map<string, Uint8Array>();
  readonly #nodes = new Map<string, Uint8Array>();

  constructor(boundaries: readonly number[]) {
    this.#boundaries = [...boundaries].sort((a, b) => a - b);
  }

  /** The color of leaf i. */
  color(i: number): number {
    return this.#boundaries.filter((b) => b <= i).length;
  }

  /** The leaf hash of leaf i. */
  leafHash(i: number): Uint8Array {
    return this.#uniformHash(this.color(i), 0);
  }

  #uniformHash(color: number, height: number): Uint8Array {
    const key = `${color}/${height}`;
    let h = this.#uniform.get(key);
    if (h === undefined) {
      h =
        height === 0
          ? recordHash(utf8Encode(`color-${color}`))
          : nodeHash(this.#uniformHash(color, height - 1), this.#uniformHash(color, height - 1));
      this.#uniform.set(key, h);
    }
    return h;
  }

  /** The hash of a perfect subtree. */
  node({ height, index }: NodeRef): Uint8Array {
    const lo = index * 2 ** height;
    const hi = lo + 2 ** height;
    const color = this.color(lo);
    if (color === this.color(hi - 1)) return this.#uniformHash(color, height);
    const key = `${height}/${index}`;
    let h = this.#nodes.get(key);
    if (h === undefined) {
      h = nodeHash(
        this.node({ height: height - 1, index: 2 * index }),
        this.node({ height: height - 1, index: 2 * index + 1 })
      );
      this.#nodes.set(key, h);
    }
    return h;
  }

  /** MTH(D[lo:hi]) by the RFC's recursion, independently of core/merkle.ts's decomposition. */
  mth(lo: number, hi: number): Uint8Array {
    const n = hi - lo;
    if (n === 1) return this.leafHash(lo);
    const k = split(n);
    if (n === 2 * k && lo % n === 0) return this.node({ height: Math.log2(n), index: lo / n });
    return nodeHash(this.mth(lo, lo + k), this.mth(lo + k, hi));
  }

  /** A HashReader over this tree. */
  reader(): HashReader {
    return (nodes) => nodes.map((node) => this.node(node));
  }
}

// RFC 9162 §2.1.3.2 and §2.1.4.2 with BigInt and bit operations, as written in the RFC: a
// second implementation to compare the arithmetic of core/merkle.ts against past 2^32.

/** Inclusion verification, RFC 9162 §2.1.3.2, in BigInt. */
export function bigCheckRecord(
  proof: readonly Uint8Array[],
  treeSize: number,
  rootHash: Uint8Array,
  index: number,
  leafHash: Uint8Array
): boolean {
  if (index >= treeSize) return false;
  let fn = BigInt(index);
  let sn = BigInt(treeSize) - 1n;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equalBytes(r, rootHash);
}

/** Consistency verification, RFC 9162 §2.1.4.2, in BigInt (for 0 < oldSize < newSize). */
export function bigCheckTree(
  proof: readonly Uint8Array[],
  newSize: number,
  newRoot: Uint8Array,
  oldSize: number,
  oldRoot: Uint8Array
): boolean {
  if (proof.length === 0) return false;
  const first = BigInt(oldSize);
  const path = (first & (first - 1n)) === 0n ? [oldRoot, ...proof] : [...proof];
  let fn = first - 1n;
  let sn = BigInt(newSize) - 1n;
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0] as Uint8Array;
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equalBytes(fr, oldRoot) && equalBytes(sr, newRoot);
}
