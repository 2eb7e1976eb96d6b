import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { concatBytes, fromHex, toHex, utf8Encode } from '../../core/bytes.ts';
import { sha256 } from '../../core/hash.ts';
import {
  checkRecord,
  checkTree,
  EMPTY_ROOT,
  nodeHash,
  perfectRoot,
  proveRecord,
  proveTree,
  readTreeHash,
  recordHash,
  recordProofNodes,
  subtreeHash,
  subtreeNodes,
  treeHash,
  treeProofNodes,
} from '../../core/merkle.ts';
import {
  bigCheckRecord,
  bigCheckTree,
  leafData,
  leafHashes,
  memoReader,
  naivePath,
  naiveProof,
  naiveTreeHash,
  SyntheticTree,
} from '../helpers/merkle.ts';
import { readSharedJson } from '../helpers/vectors.ts';

type TreeVectors = {
  empty_tree: { root: string };
  leaves: { index: number; data: string; data_hex: string; leaf_hash: string }[];
  roots: { size: number; root: string }[];
};
type InclusionCase = {
  index: number;
  size: number;
  leaf_hash: string;
  root: string;
  proof: string[];
  valid: boolean;
};
type ConsistencyCase = {
  old_size: number;
  new_size: number;
  old_root: string;
  new_root: string;
  proof: string[];
  valid: boolean;
};

const tree = readSharedJson<TreeVectors>('tree.json');
const inclusion = readSharedJson<{ cases: InclusionCase[] }>('inclusion.json').cases;
const consistency = readSharedJson<{ cases: ConsistencyCase[] }>('consistency.json').cases;
const LEAVES = leafHashes(70_000); // the largest size in the vectors
const MEMO = memoReader(LEAVES); // fast proofs for every size up to 70,000
const hex = (h: string): Uint8Array => fromHex(h);

/** Flips one bit of one byte of one hash of a proof, chosen by three random numbers. */
function flipBit(proof: Uint8Array[], i: number, byte: number, bit: number): Uint8Array[] {
  return proof.map((p, j) => {
    if (j !== i % proof.length) return p;
    const q = p.slice();
    q[byte % 32] = (q[byte % 32] as number) ^ (1 << (bit % 8));
    return q;
  });
}

describe('recordHash, nodeHash, treeHash (RFC 6962 §2.1)', () => {
  it('matches the RFC 6962 test vectors of transparency-dev/merkle', () => {
    expect(toHex(recordHash(utf8Encode('L123456')))).toBe(
      '395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56'
    );
    const roots = [
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
      'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
      '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
      'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
      '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
    ];
    const leaves = [
      '',
      '00',
      '10',
      '2021',
      '3031',
      '40414243',
      '5051525354555657',
      '606162636465666768696a6b6c6d6e6f',
    ];
    const hashes = leaves.map((l) => recordHash(fromHex(l)));
    roots.forEach((root, size) => {
      expect(toHex(treeHash(hashes.slice(0, size)))).toBe(root);
    });
  });

  it('hashes leaves as SHA-256(0x00 || data) and nodes as SHA-256(0x01 || left || right)', () => {
    // HashChildren("N123", "N456") of transparency-dev/merkle hashes any byte strings; nodeHash
    // takes 32-byte hashes only, so the formula is checked against SHA-256 directly.
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.uint8Array({ minLength: 64, maxLength: 64 }),
        (data, lr) => {
          expect(recordHash(data)).toEqual(sha256(Uint8Array.of(0), data));
          const [l, r] = [lr.slice(0, 32), lr.slice(32)];
          expect(nodeHash(l, r)).toEqual(sha256(Uint8Array.of(1), l, r));
        }
      )
    );
    const l = recordHash(utf8Encode('N123'));
    expect(() => nodeHash(l, new Uint8Array(31))).toThrow(RangeError);
  });

  it('gives every leaf hash and root of tree.json, including the empty tree', () => {
    expect(toHex(EMPTY_ROOT)).toBe(tree.empty_tree.root);
    expect(toHex(treeHash([]))).toBe(tree.empty_tree.root);
    for (const leaf of tree.leaves) {
      expect(toHex(leafData(leaf.index))).toBe(leaf.data_hex);
      expect(toHex(recordHash(hex(leaf.data_hex)))).toBe(leaf.leaf_hash);
    }
    for (const { size, root } of tree.roots) {
      if (size <= 1024 || size === 70_000) {
        expect(toHex(treeHash(LEAVES.slice(0, size))), `size ${size}`).toBe(root);
      }
      expect(toHex(readTreeHash(size, MEMO)), `size ${size}`).toBe(root);
    }
    expect(tree.roots.some((r) => r.size === 0)).toBe(true);
  });

  it('returns a fresh copy of the empty root', () => {
    const root = treeHash([]);
    root[0] = 0;
    expect(toHex(treeHash([]))).toBe(tree.empty_tree.root);
  });

  it('equals the naive recursive definition', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 600 }), (n) => {
        expect(treeHash(LEAVES.slice(0, n))).toEqual(naiveTreeHash(LEAVES.slice(0, n)));
      })
    );
  });

  it('perfectRoot is the root of any perfect run of concatenated hashes, and leaves them be', () => {
    const all = concatBytes(...LEAVES.slice(0, 512));
    const before = all.slice();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), fc.nat(), (height, start) => {
        const count = 2 ** height;
        const offset = start % (512 - count + 1);
        const expected = naiveTreeHash(LEAVES.slice(offset, offset + count));
        expect(perfectRoot(all, offset, count)).toEqual(expected);
      })
    );
    expect(all).toEqual(before);
    const buffer = Buffer.from(all); // whose slice() is a view, not a copy
    expect(perfectRoot(buffer, 0, 256)).toEqual(naiveTreeHash(LEAVES.slice(0, 256)));
    expect(new Uint8Array(buffer)).toEqual(before);
    expect(() => perfectRoot(all, 0, 3)).toThrow(RangeError);
    expect(() => perfectRoot(all, 511, 2)).toThrow(RangeError);
  });

  it('decomposes [0, n) into one perfect subtree per set bit of n, largest first', () => {
    expect(subtreeNodes(0, 1000)).toEqual(
      [9, 8, 7, 6, 5, 3].map((height) => ({ height, index: Math.floor(1000 / 2 ** height) - 1 }))
    );
    expect(subtreeNodes(0, 2 ** 32 + 5)).toEqual([
      { height: 32, index: 0 },
      { height: 2, index: 2 ** 30 },
      { height: 0, index: 2 ** 32 + 4 },
    ]);
    expect(() => subtreeHash([])).toThrow(RangeError);
  });
});

describe('proveRecord and checkRecord (RFC 6962 §2.1.1, RFC 9162 §2.1.3.2)', () => {
  it('agrees with every case of inclusion.json', () => {
    expect(inclusion.filter((c) => !c.valid).length).toBeGreaterThan(5);
    for (const c of inclusion) {
      const proof = c.proof.map(hex);
      const ok = checkRecord(proof, c.size, hex(c.root), c.index, hex(c.leaf_hash));
      expect(ok, JSON.stringify(c).slice(0, 200)).toBe(c.valid);
      if (c.valid) expect(proveRecord(c.size, c.index, MEMO).map(toHex)).toEqual(c.proof);
    }
  });

  it('proves every leaf of small trees, equal to the naive PATH', () => {
    for (let n = 1; n <= 40; n++) {
      const leaves = LEAVES.slice(0, n);
      const root = treeHash(leaves);
      for (let m = 0; m < n; m++) {
        const proof = proveRecord(n, m, leaves);
        expect(proof).toEqual(naivePath(m, leaves));
        expect(checkRecord(proof, n, root, m, leaves[m] as Uint8Array)).toBe(true);
      }
    }
  });

  it('rejects proofs with a flipped bit, an extra or a missing hash, or another leaf', () => {
    const arbitrary = fc
      .integer({ min: 1, max: 1100 })
      .chain((n) => fc.tuple(fc.constant(n), fc.nat(n - 1), fc.nat(), fc.nat(31), fc.nat(7)));
    fc.assert(
      fc.property(arbitrary, ([n, m, i, byte, bit]) => {
        const leaves = LEAVES.slice(0, n);
        const root = treeHash(leaves);
        const leaf = leaves[m] as Uint8Array;
        const proof = proveRecord(n, m, leaves);
        expect(proof).toEqual(naivePath(m, leaves));
        expect(checkRecord(proof, n, root, m, leaf)).toBe(true);
        const extra = LEAVES[i % LEAVES.length] as Uint8Array;
        expect(checkRecord([...proof, extra], n, root, m, leaf)).toBe(false);
        expect(checkRecord([extra, ...proof], n, root, m, leaf)).toBe(false);
        if (proof.length > 0) {
          expect(checkRecord(flipBit(proof, i, byte, bit), n, root, m, leaf)).toBe(false);
          expect(checkRecord(proof.slice(1), n, root, m, leaf)).toBe(false);
          expect(checkRecord(proof.slice(0, -1), n, root, m, leaf)).toBe(false);
          const other = (m + 1 + (i % (n - 1))) % n;
          expect(checkRecord(proof, n, root, other, leaf)).toBe(false);
          expect(checkRecord(proof, n, root, m, leaves[other] as Uint8Array)).toBe(false);
        }
        expect(checkRecord(proof, n, root, m + n, leaf)).toBe(false);
        expect(checkRecord(proof, n, flipBit([root], 0, byte, bit)[0] as Uint8Array, m, leaf)).toBe(
          false
        );
      })
    );
  });

  it('returns false on hashes of the wrong length, and throws only on misuse', () => {
    const leaves = LEAVES.slice(0, 5);
    const root = treeHash(leaves);
    const proof = proveRecord(5, 2, leaves);
    const leaf = leaves[2] as Uint8Array;
    expect(checkRecord(proof, 5, root.subarray(0, 31), 2, leaf)).toBe(false);
    expect(checkRecord(proof, 5, root, 2, new Uint8Array(33))).toBe(false);
    expect(checkRecord([...proof.slice(0, -1), new Uint8Array(31)], 5, root, 2, leaf)).toBe(false);
    expect(checkRecord([], 0, EMPTY_ROOT, 0, leaf)).toBe(false);
    expect(() => checkRecord(proof, 5.5, root, 2, leaf)).toThrow(TypeError);
    expect(() => checkRecord(proof, 5, root, -1, leaf)).toThrow(RangeError);
    expect(() => checkRecord(proof, 2 ** 53, root, 2, leaf)).toThrow(TypeError);
    expect(() =>
      checkRecord([new Uint16Array(16) as unknown as Uint8Array], 5, root, 2, leaf)
    ).toThrow(TypeError);
    expect(() => proveRecord(5, 5, leaves)).toThrow(RangeError);
    expect(() => proveRecord(6, 2, leaves)).toThrow(RangeError); // a node beyond the leaves
    expect(() => recordProofNodes(NaN, 0)).toThrow(TypeError);
  });
});

describe('proveTree and checkTree (RFC 6962 §2.1.2, RFC 9162 §2.1.4.2)', () => {
  it('agrees with every case of consistency.json', () => {
    expect(consistency.filter((c) => !c.valid).length).toBeGreaterThan(5);
    for (const c of consistency) {
      const proof = c.proof.map(hex);
      const ok = checkTree(proof, c.new_size, hex(c.new_root), c.old_size, hex(c.old_root));
      expect(ok, JSON.stringify(c).slice(0, 200)).toBe(c.valid);
      if (c.valid) expect(proveTree(c.new_size, c.old_size, MEMO).map(toHex)).toEqual(c.proof);
    }
  });

  it('proves every pair of small trees, equal to the naive PROOF', () => {
    for (let n = 1; n <= 33; n++) {
      const newRoot = treeHash(LEAVES.slice(0, n));
      for (let m = 1; m <= n; m++) {
        const proof = proveTree(n, m, LEAVES);
        expect(proof).toEqual(m === n ? [] : naiveProof(m, LEAVES.slice(0, n)));
        expect(checkTree(proof, n, newRoot, m, treeHash(LEAVES.slice(0, m)))).toBe(true);
      }
    }
  });

  it('rejects proofs with a flipped bit, an extra or a missing hash, or swapped roots', () => {
    const arbitrary = fc
      .integer({ min: 2, max: 1100 })
      .chain((n) =>
        fc.tuple(
          fc.constant(n),
          fc.integer({ min: 1, max: n - 1 }),
          fc.nat(),
          fc.nat(31),
          fc.nat(7)
        )
      );
    fc.assert(
      fc.property(arbitrary, ([n, m, i, byte, bit]) => {
        const newRoot = treeHash(LEAVES.slice(0, n));
        const oldRoot = treeHash(LEAVES.slice(0, m));
        const proof = proveTree(n, m, LEAVES);
        expect(proof).toEqual(naiveProof(m, LEAVES.slice(0, n)));
        expect(checkTree(proof, n, newRoot, m, oldRoot)).toBe(true);
        const extra = LEAVES[i % LEAVES.length] as Uint8Array;
        expect(checkTree([...proof, extra], n, newRoot, m, oldRoot)).toBe(false);
        expect(checkTree([extra, ...proof], n, newRoot, m, oldRoot)).toBe(false);
        expect(checkTree(flipBit(proof, i, byte, bit), n, newRoot, m, oldRoot)).toBe(false);
        expect(checkTree(proof.slice(1), n, newRoot, m, oldRoot)).toBe(false);
        expect(checkTree(proof.slice(0, -1), n, newRoot, m, oldRoot)).toBe(false);
        expect(checkTree(proof, n, oldRoot, m, newRoot)).toBe(false);
        expect(checkTree(proof, m, newRoot, n, oldRoot)).toBe(false);
        expect(
          checkTree(proof, n, flipBit([newRoot], 0, byte, bit)[0] as Uint8Array, m, oldRoot)
        ).toBe(false);
        expect(
          checkTree(proof, n, newRoot, m, flipBit([oldRoot], 0, byte, bit)[0] as Uint8Array)
        ).toBe(false);
      })
    );
  });

  it('pins the policy for old size 0: an empty proof and the empty root', () => {
    const root = treeHash(LEAVES.slice(0, 7));
    expect(proveTree(7, 0, LEAVES)).toEqual([]);
    expect(treeProofNodes(7, 0)).toEqual([]);
    expect(checkTree([], 7, root, 0, EMPTY_ROOT)).toBe(true);
    expect(checkTree([], 0, EMPTY_ROOT, 0, EMPTY_ROOT)).toBe(true);
    expect(checkTree([root], 7, root, 0, EMPTY_ROOT)).toBe(false);
    expect(checkTree([], 7, root, 0, new Uint8Array(32))).toBe(false); // Go's TreeHash(0)
    expect(checkTree([], 0, root, 0, EMPTY_ROOT)).toBe(false);
    expect(checkTree([], 7, root, 7, root)).toBe(true);
    expect(checkTree([root], 7, root, 7, root)).toBe(false);
    expect(checkTree([], 7, root, 7, EMPTY_ROOT)).toBe(false);
  });

  it('returns false on impossible sizes and hashes of the wrong length, and throws only on misuse', () => {
    const newRoot = treeHash(LEAVES.slice(0, 9));
    const oldRoot = treeHash(LEAVES.slice(0, 3));
    const proof = proveTree(9, 3, LEAVES);
    expect(checkTree(proof, 9, newRoot, 3, oldRoot)).toBe(true);
    expect(checkTree(proof, 9, newRoot, 10, oldRoot)).toBe(false);
    expect(checkTree(proof, 9, newRoot.subarray(1), 3, oldRoot)).toBe(false);
    expect(checkTree(proof, 9, newRoot, 3, new Uint8Array(33))).toBe(false);
    expect(checkTree([new Uint8Array(0), ...proof.slice(1)], 9, newRoot, 3, oldRoot)).toBe(false);
    expect(checkTree([], 9, newRoot, 3, oldRoot)).toBe(false);
    expect(() => checkTree(proof, 9, newRoot, -3, oldRoot)).toThrow(RangeError);
    expect(() => checkTree(proof, Infinity, newRoot, 3, oldRoot)).toThrow(TypeError);
    expect(() => proveTree(3, 9, LEAVES)).toThrow(RangeError);
  });
});

describe('trees past 2^31 and 2^32 (synthetic, hashed lazily)', () => {
  const SIZES = [
    2 ** 31 - 1,
    2 ** 31,
    2 ** 31 + 1,
    2 ** 32 - 1,
    2 ** 32,
    2 ** 32 + 5,
    2 ** 33 + 3,
    2 ** 53 - 1,
  ];
  // Boundaries around 2^31 and 2^32 make the hashes there depend on the order of children.
  const synthetic = new SyntheticTree([
    2 ** 31 - 3,
    2 ** 31 + 2,
    2 ** 32 - 1,
    2 ** 32 + 3,
    2 ** 40 + 1,
  ]);
  const reader = synthetic.reader();
  const root = (n: number): Uint8Array => synthetic.mth(0, n);
  const bigSize = fc.oneof(
    fc.constantFrom(...SIZES),
    fc.integer({ min: 2 ** 31 - 8, max: 2 ** 31 + 8 }),
    fc.integer({ min: 2 ** 32 - 8, max: 2 ** 32 + 8 }),
    fc.integer({ min: 2, max: Number.MAX_SAFE_INTEGER })
  );
  const nearEdges = (n: number): fc.Arbitrary<number> =>
    fc.oneof(
      fc.nat(n - 1),
      fc.integer({ min: Math.max(0, n - 9), max: n - 1 }),
      fc
        .constantFrom(
          2 ** 31 - 3,
          2 ** 31 - 1,
          2 ** 31,
          2 ** 31 + 2,
          2 ** 32 - 1,
          2 ** 32,
          2 ** 32 + 3
        )
        .map((i) => i % n)
    );

  it('computes roots as the RFC recursion does', () => {
    for (const n of SIZES) expect(readTreeHash(n, reader)).toEqual(root(n));
  });

  it('proves and checks inclusion, agreeing with a BigInt implementation', () => {
    fc.assert(
      fc.property(
        bigSize.chain((n) =>
          fc.tuple(fc.constant(n), nearEdges(n), fc.nat(), fc.nat(31), fc.nat(7))
        ),
        ([n, m, i, byte, bit]) => {
          const proof = proveRecord(n, m, reader);
          const leaf = synthetic.leafHash(m);
          expect(checkRecord(proof, n, root(n), m, leaf)).toBe(true);
          expect(bigCheckRecord(proof, n, root(n), m, leaf)).toBe(true);
          const flipped = flipBit(proof, i, byte, bit);
          expect(checkRecord(flipped, n, root(n), m, leaf)).toBe(false);
          // Other indexes and sizes, often the same leaf hash: both implementations agree.
          for (const [m2, n2] of [
            [m + 2 ** 32, n],
            [m - 2 ** 31, n],
            [m, n + 2 ** 32],
            [m ^ 1, n],
            [m, n - 1],
            [m + 1, n + 1],
          ] as const) {
            if (m2 < 0 || n2 < 1 || !Number.isSafeInteger(n2) || m2 >= n2) continue;
            expect(checkRecord(proof, n2, root(n), m2, leaf)).toBe(
              bigCheckRecord(proof, n2, root(n), m2, leaf)
            );
          }
        }
      ),
      { numRuns: 60 }
    );
  });

  it('proves and checks consistency, agreeing with a BigInt implementation', () => {
    fc.assert(
      fc.property(
        bigSize.chain((n) =>
          fc.tuple(
            fc.constant(n),
            nearEdges(n).map((m) => m + 1)
          )
        ),
        ([n, m]) => {
          const proof = proveTree(n, m, reader);
          expect(checkTree(proof, n, root(n), m, root(m))).toBe(true);
          if (m < n) expect(bigCheckTree(proof, n, root(n), m, root(m))).toBe(true);
          for (const [n2, m2] of [
            [n + 2 ** 32, m],
            [n, m + 2 ** 32],
            [n - 2 ** 31, m],
            [n + 1, m],
            [n, m - 1],
          ] as const) {
            if (m2 < 1 || n2 <= m2 || !Number.isSafeInteger(n2)) continue;
            expect(checkTree(proof, n2, root(n), m2, root(m))).toBe(
              bigCheckTree(proof, n2, root(n), m2, root(m))
            );
          }
        }
      ),
      { numRuns: 60 }
    );
  });
});
