import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Tally } from '../../core/tally.ts';
import { KeySet } from '../../core/key-set.ts';

const key = (i: number): Uint8Array => {
  const k = new Uint8Array(32);
  new DataView(k.buffer).setUint32(0, i);
  k[31] = i % 251;
  return k;
};

describe('Tally', () => {
  it('counts distinct signing keys minus withdrawn ones, with a breakdown', () => {
    const t = new Tally();
    t.addSign(key(1), 'Acme');
    t.addSign(key(2), 'Acme');
    t.addSign(key(3), '');
    t.addSign(key(1), 'Acme'); // a repeat
    t.addWithdraw(key(2));
    t.addWithdraw(key(9)); // never signed: changes nothing
    const r = t.result();
    expect(r.count).toBe(2);
    expect(r.signers).toBe(3);
    expect(r.withdrawn).toBe(1);
    expect(r.repeats).toBe(1);
    expect([...r.byAffiliation]).toEqual([
      ['', 1],
      ['Acme', 1],
    ]);
  });
  it('gives a key with two affiliations the smaller one, in any order', () => {
    for (const order of [
      ['Zeta', 'Alpha'],
      ['Alpha', 'Zeta'],
    ]) {
      const t = new Tally();
      for (const a of order) t.addSign(key(1), a);
      expect([...t.result().byAffiliation]).toEqual([['Alpha', 1]]);
    }
  });
  it('does not depend on the order of entries (withdraw before sign too)', () => {
    const op = fc.record({
      key: fc.nat({ max: 30 }),
      withdraw: fc.boolean(),
      affiliation: fc.constantFrom('', 'A', 'B', 'Ç'),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), fc.func(fc.integer()), (ops, rank) => {
        const run = (list: typeof ops): unknown => {
          const t = new Tally();
          for (const o of list) {
            if (o.withdraw) t.addWithdraw(key(o.key));
            else t.addSign(key(o.key), o.affiliation);
          }
          const r = t.result();
          return { ...r, byAffiliation: [...r.byAffiliation] };
        };
        const shuffled = [...ops].sort((a, b) => rank(a.key, b.key) - rank(b.key, a.key));
        expect(run(shuffled)).toEqual(run(ops));
      })
    );
  });
});

describe('KeySet', () => {
  it('agrees with a Set of hex strings through growth', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 5000 }), { maxLength: 3000 }), (ids) => {
        const set = new KeySet();
        const reference = new Set<number>();
        for (const id of ids) {
          set.slot(key(id));
          reference.add(id);
        }
        expect(set.size).toBe(reference.size);
        for (const id of reference) expect(set.has(key(id))).toBe(true);
        expect(set.has(key(5001))).toBe(false);
      }),
      { numRuns: 20 }
    );
  });
  it('keeps flags and values through growth', () => {
    const set = new KeySet();
    for (let i = 0; i < 5000; i++) set.setValue(set.slot(key(i)), i);
    for (let i = 0; i < 5000; i++) expect(set.value(set.slot(key(i)))).toBe(i);
  });
});
