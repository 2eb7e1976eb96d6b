// An incremental RFC 6962 §2.1 Merkle tree: the frontier ("compact range") of a growing log.
//
// The frontier of a tree of size n is the hashes of the perfect subtrees that make up [0, n),
// largest first: one per set bit of n, at most 53. Appending a leaf pushes its hash and then
// merges the two smallest subtrees while they have equal size, as in a binary counter; the
// root is the right fold of the frontier (subtreeHash). O(log n) memory and, amortized, one
// node hash per leaf, with no allocation in append().

import { UndersignedError } from './errors.ts';
import { HASH_SIZE } from './hash.ts';
import { assertIndex, EMPTY_ROOT, nodeHash, nodeHashInto } from './merkle.ts';

/** A saved tree: its size and the hashes of subtreeNodes(0, size), largest first. */
export type Frontier = { readonly size: number; readonly hashes: readonly Uint8Array[] };

const MAX_DEPTH = 54; // a safe integer has at most 53 set bits, plus one pushed leaf

/** The number of set bits of n, the length of the frontier of a tree of size n. */
function popcount(n: number): number {
  let count = 0;
  for (; n > 0; n = Math.floor(n / 2)) count += n % 2;
  return count;
}

/** Appends leaf hashes and gives the size and root hash of the tree at any time. */
export class TreeBuilder {
  #size = 0;
  #depth = 0;
  readonly #stack: Uint8Array[];

  /** A builder for the empty tree, or one that resumes from a saved frontier. */
  constructor(frontier?: Frontier) {
    const memory = new Uint8Array(MAX_DEPTH * HASH_SIZE);
    this.#stack = Array.from({ length: MAX_DEPTH }, (_, i) =>
      memory.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE)
    );
    if (frontier === undefined) return;
    assertIndex(frontier.size, 'frontier.size');
    if (frontier.hashes.length !== popcount(frontier.size)) {
      throw new RangeError(
        `a frontier of size ${frontier.size} has ${popcount(frontier.size)} hashes`
      );
    }
    for (const h of frontier.hashes) {
      if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) {
        throw new RangeError(`frontier hashes must be ${HASH_SIZE} bytes`);
      }
      (this.#stack[this.#depth++] as Uint8Array).set(h);
    }
    this.#size = frontier.size;
  }

  /** The number of leaves appended so far. */
  get size(): number {
    return this.#size;
  }

  /** Appends one leaf hash, recordHash(entry). */
  append(leafHash: Uint8Array): void {
    if (!(leafHash instanceof Uint8Array) || leafHash.length !== HASH_SIZE) {
      throw new RangeError(`"leafHash" expected ${HASH_SIZE} bytes`);
    }
    if (this.#size === Number.MAX_SAFE_INTEGER) throw new RangeError('tree size limit reached');
    const stack = this.#stack;
    (stack[this.#depth++] as Uint8Array).set(leafHash);
    // Each trailing 1 bit of the old size is a subtree as large as the one just completed.
    for (let s = this.#size; s % 2 === 1; s = (s - 1) / 2) {
      const top = --this.#depth;
      const left = stack[top - 1] as Uint8Array;
      nodeHashInto(left, stack[top] as Uint8Array, left);
    }
    this.#size++;
  }

  /** MTH(D[0:size]), RFC 6962 §2.1; EMPTY_ROOT for the empty tree. */
  root(): Uint8Array {
    if (this.#depth === 0) return EMPTY_ROOT.slice();
    let h: Uint8Array = (this.#stack[this.#depth - 1] as Uint8Array).slice();
    for (let i = this.#depth - 2; i >= 0; i--) h = nodeHash(this.#stack[i] as Uint8Array, h);
    return h;
  }

  /** A copy of the current frontier, to save and later resume from. */
  frontier(): Frontier {
    const hashes = this.#stack.slice(0, this.#depth).map((h) => h.slice());
    return { size: this.#size, hashes };
  }
}

/** Encodes a frontier: uint64 big-endian size || the hashes, 32 bytes each. */
export function formatFrontier(frontier: Frontier): Uint8Array {
  const hashes = new TreeBuilder(frontier).frontier().hashes; // validates
  const out = new Uint8Array(8 + hashes.length * HASH_SIZE);
  let size = frontier.size;
  for (let i = 7; i >= 0; i--) {
    out[i] = size % 256;
    size = Math.floor(size / 256);
  }
  hashes.forEach((h, i) => {
    out.set(h, 8 + i * HASH_SIZE);
  });
  return out;
}

/** Decodes formatFrontier's encoding strictly: a safe size and exactly popcount(size) hashes. */
export function parseFrontier(bytes: Uint8Array): Frontier {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('"bytes" expected Uint8Array');
  const bad = (why: string): UndersignedError => new UndersignedError('MALFORMED_FRONTIER', why);
  if (bytes.length < 8) throw bad('frontier shorter than its 8-byte size');
  let size = 0;
  for (let i = 0; i < 8; i++) size = size * 256 + (bytes[i] as number);
  if (!Number.isSafeInteger(size)) throw bad('frontier size is not a safe integer');
  const count = popcount(size);
  if (bytes.length !== 8 + count * HASH_SIZE) {
    throw bad(`a frontier of size ${size} has ${count} hashes`);
  }
  const hashes: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    hashes.push(bytes.slice(8 + i * HASH_SIZE, 8 + (i + 1) * HASH_SIZE));
  }
  return { size, hashes };
}
