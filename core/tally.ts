// The counting rule (docs/PROTOCOL.md §5), independent of the order of entries so that logs
// holding the same entries in different orders give the same count:
//
//   count = |keys with a valid sign entry| − |those keys that also have a valid withdraw entry|
//
// A key with several valid sign entries counts once; its affiliation is the smallest of their
// affiliations in UTF-8 byte order (the empty affiliation, "none given", sorts first).
// Memory grows with distinct keys (about 40 bytes each), not with entries.

import { KeySet } from './key-set.ts';
import { compareBytes, utf8Encode } from './bytes.ts';

export type TallyResult = {
  /** Distinct keys that signed and did not withdraw. */
  readonly count: number;
  /** Count per affiliation; '' holds signers who gave none. */
  readonly byAffiliation: ReadonlyMap<string, number>;
  /** Distinct keys with a valid sign entry, withdrawn or not. */
  readonly signers: number;
  /** Distinct signing keys that withdrew. */
  readonly withdrawn: number;
  /** Valid entries that repeat a key's sign or withdraw entry and so add nothing. */
  readonly repeats: number;
};

const SIGNED = 1;
const WITHDRAWN = 2;

export class Tally {
  readonly #keys = new KeySet();
  readonly #affiliations: string[] = [''];
  readonly #affiliationIds = new Map<string, number>([['', 0]]);
  #repeats = 0;

  /** Adds a valid sign entry. */
  addSign(publicKey: Uint8Array, affiliation: string): void {
    const slot = this.#keys.slot(publicKey);
    const id = this.#affiliationId(affiliation);
    const flags = this.#keys.flags(slot);
    if (flags & SIGNED) {
      this.#repeats++;
      const current = this.#affiliations[this.#keys.value(slot)] ?? '';
      if (compareBytes(utf8Encode(affiliation), utf8Encode(current)) < 0)
        this.#keys.setValue(slot, id);
      return;
    }
    this.#keys.setFlags(slot, flags | SIGNED);
    this.#keys.setValue(slot, id);
  }

  /** Adds a valid withdraw entry. */
  addWithdraw(publicKey: Uint8Array): void {
    const slot = this.#keys.slot(publicKey);
    const flags = this.#keys.flags(slot);
    if (flags & WITHDRAWN) this.#repeats++;
    else this.#keys.setFlags(slot, flags | WITHDRAWN);
  }

  /** The count and its breakdown so far. */
  result(): TallyResult {
    let count = 0;
    let signers = 0;
    let withdrawn = 0;
    const perId = new Map<number, number>();
    this.#keys.forEach((flags, value) => {
      if (!(flags & SIGNED)) return;
      signers++;
      if (flags & WITHDRAWN) {
        withdrawn++;
        return;
      }
      count++;
      perId.set(value, (perId.get(value) ?? 0) + 1);
    });
    // Largest first, ties in UTF-8 byte order: the same for every order of entries.
    const rows = [...perId].map(([id, n]) => [this.#affiliations[id] ?? '', n] as const);
    rows.sort((a, b) => b[1] - a[1] || compareBytes(utf8Encode(a[0]), utf8Encode(b[0])));
    const byAffiliation = new Map<string, number>(rows);
    return { count, byAffiliation, signers, withdrawn, repeats: this.#repeats };
  }

  #affiliationId(affiliation: string): number {
    let id = this.#affiliationIds.get(affiliation);
    if (id === undefined) {
      id = this.#affiliations.length;
      this.#affiliations.push(affiliation);
      this.#affiliationIds.set(affiliation, id);
    }
    return id;
  }
}
