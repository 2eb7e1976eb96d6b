import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { toHex } from '../../core/bytes.ts';
import { isUndersignedError } from '../../core/errors.ts';
import { EMPTY_ROOT, subtreeNodes, treeHash } from '../../core/merkle.ts';
import { formatFrontier, parseFrontier, TreeBuilder, type Frontier } from '../../core/tree.ts';
import { leafHashes, SyntheticTree } from '../helpers/merkle.ts';
import { readSharedJson } from '../helpers/vectors.ts';

const roots = readSharedJson<{ roots: { size: number; root: string }[] }>('tree.json').roots;
const LEAVES = leafHashes(70_000);

function builderOf(n: number): TreeBuilder {
  const builder = new TreeBuilder();
  for (const h of LEAVES.slice(0, n)) builder.append(h);
  return builder;
}

describe('TreeBuilder', () => {
  it('gives every root of tree.json while appending, from the empty tree on', () => {
    const want = new Map(roots.map((r) => [r.size, r.root]));
    const builder = new TreeBuilder();
    expect(builder.root()).toEqual(EMPTY_ROOT);
    let checked = 0;
    for (let i = 0; i <= 70_000; i++) {
      const root = want.get(builder.size);
      if (root !== undefined) {
        expect(toHex(builder.root()), `size ${builder.size}`).toBe(root);
        checked++;
      }
      if (i < 70_000) builder.append(LEAVES[i] as Uint8Array);
    }
    expect(checked).toBe(roots.length);
  });

  it('equals treeHash at every size, and appending does not disturb earlier roots', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 600 }), (n) => {
        const builder = builderOf(n);
        const root = builder.root();
        expect(root).toEqual(treeHash(LEAVES.slice(0, n)));
        root.fill(0); // the root is a copy
        expect(builder.root()).toEqual(treeHash(LEAVES.slice(0, n)));
        builder.append(LEAVES[n] as Uint8Array);
        expect(builder.root()).toEqual(treeHash(LEAVES.slice(0, n + 1)));
      })
    );
  });

  it('resumes from a saved frontier, directly or through its encoding', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1500 }),
        fc.integer({ min: 0, max: 300 }),
        (n, more) => {
          const frontier = builderOf(n).frontier();
          expect(frontier.size).toBe(n);
          expect(frontier.hashes).toHaveLength(subtreeNodes(0, n).length);
          const direct = new TreeBuilder(frontier);
          const decoded = new TreeBuilder(parseFrontier(formatFrontier(frontier)));
          for (const h of LEAVES.slice(n, n + more)) {
            direct.append(h);
            decoded.append(h);
          }
          const root = treeHash(LEAVES.slice(0, n + more));
          expect(direct.size).toBe(n + more);
          expect(direct.root()).toEqual(root);
          expect(decoded.root()).toEqual(root);
        }
      )
    );
  });

  it('continues trees past 2^31, 2^32 and up to 2^53 - 1 from a frontier', () => {
    const synthetic = new SyntheticTree([2 ** 31 + 1, 2 ** 32 - 2, 2 ** 32 + 6, 2 ** 52 + 3]);
    const sizes = [
      2 ** 31 - 1,
      2 ** 31,
      2 ** 32 - 3,
      2 ** 32 - 1,
      2 ** 32,
      2 ** 32 + 5,
      2 ** 53 - 20,
    ];
    for (const n of sizes) {
      const hashes = subtreeNodes(0, n).map((node) => synthetic.node(node));
      const builder = new TreeBuilder({ size: n, hashes });
      expect(builder.root()).toEqual(synthetic.mth(0, n));
      for (let i = n; i < n + 19; i++) {
        builder.append(synthetic.leafHash(i));
        expect(builder.size).toBe(i + 1);
        expect(builder.root()).toEqual(synthetic.mth(0, i + 1));
      }
      const frontier = builder.frontier();
      expect(parseFrontier(formatFrontier(frontier))).toEqual(frontier);
    }
    const full = new TreeBuilder({
      size: 2 ** 53 - 1,
      hashes: Array.from({ length: 53 }, () => EMPTY_ROOT),
    });
    expect(() => {
      full.append(EMPTY_ROOT);
    }).toThrow(RangeError);
  });

  it('refuses misuse: wrong hash lengths, frontiers of the wrong shape', () => {
    const builder = new TreeBuilder();
    expect(() => {
      builder.append(new Uint8Array(31));
    }).toThrow(RangeError);
    expect(() => {
      builder.append([] as unknown as Uint8Array);
    }).toThrow(RangeError);
    expect(builder.size).toBe(0);
    const h = new Uint8Array(32);
    expect(() => new TreeBuilder({ size: 3, hashes: [h] })).toThrow(RangeError);
    expect(() => new TreeBuilder({ size: 3, hashes: [h, new Uint8Array(31)] })).toThrow(RangeError);
    expect(() => new TreeBuilder({ size: -1, hashes: [] })).toThrow(RangeError);
    expect(() => new TreeBuilder({ size: 1.5, hashes: [h] })).toThrow(TypeError);
    expect(() => formatFrontier({ size: 2, hashes: [] })).toThrow(RangeError);
    expect(new TreeBuilder({ size: 0, hashes: [] }).root()).toEqual(EMPTY_ROOT);
  });
});

describe('formatFrontier and parseFrontier', () => {
  it('encodes the size as uint64 big-endian, then the hashes', () => {
    const frontier = builderOf(5).frontier();
    const bytes = formatFrontier(frontier);
    expect(toHex(bytes.subarray(0, 8))).toBe('0000000000000005');
    expect(bytes.subarray(8)).toEqual(
      new Uint8Array([...(frontier.hashes[0] ?? []), ...(frontier.hashes[1] ?? [])])
    );
    expect(toHex(formatFrontier({ size: 0, hashes: [] }))).toBe('0000000000000000');
    const big: Frontier = { size: 2 ** 32 + 1, hashes: [EMPTY_ROOT, EMPTY_ROOT] };
    expect(toHex(formatFrontier(big).subarray(0, 8))).toBe('0000000100000001');
  });

  it('refuses sizes past 2^53 - 1, short and long encodings', () => {
    const bytes = formatFrontier(builderOf(5).frontier());
    expect(() => parseFrontier(bytes.subarray(0, 7))).toThrowCode('MALFORMED_FRONTIER');
    expect(() => parseFrontier(bytes.subarray(0, bytes.length - 1))).toThrowCode(
      'MALFORMED_FRONTIER'
    );
    expect(() => parseFrontier(new Uint8Array([...bytes, 0]))).toThrowCode('MALFORMED_FRONTIER');
    const huge = new Uint8Array(8 + 32);
    huge.set([0x00, 0x20, 0, 0, 0, 0, 0, 0]); // 2^53, one set bit
    expect(() => parseFrontier(huge)).toThrowCode('MALFORMED_FRONTIER');
    huge.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect(() => parseFrontier(huge)).toThrowCode('MALFORMED_FRONTIER');
  });

  it('parses any bytes or throws MALFORMED_FRONTIER, and round-trips what it parses', () => {
    const valid = fc
      .integer({ min: 0, max: 3000 })
      .map((n) => formatFrontier(builderOf(n).frontier()));
    const mangled = fc.tuple(valid, fc.nat(), fc.nat(255)).map(([b, i, v]) => {
      const c = b.slice();
      c[i % c.length] = v;
      return c;
    });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), valid, mangled), (bytes) => {
        try {
          const frontier = parseFrontier(bytes);
          expect(formatFrontier(frontier)).toEqual(bytes);
        } catch (e) {
          expect(isUndersignedError(e, 'MALFORMED_FRONTIER')).toBe(true);
        }
      })
    );
  });
});
