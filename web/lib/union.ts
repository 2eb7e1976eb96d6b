// The count over several logs (docs/PROTOCOL.md §5): a log can omit entries but cannot forge
// one, so the client counts the union of the valid entries of every log that verified. The
// counting rule depends only on the set of entries, so feeding every log's valid entries into
// one Tally gives the count of the union, whatever the order and however many logs repeat them.
//
// The log verifier (core/verifier.ts) hands each entry bundle to a BundleChecker, whose outcome
// lists the bundle's valid entries; a wrapper around the checker keeps them in a compact form
// (about 40 bytes each), to be added to the union only if the whole log verifies.

import type { BundleChecker } from '../../core/bundle-check.ts';
import type { EntryKind } from '../../core/entry.ts';
import { Tally } from '../../core/tally.ts';

const KIND_SIGN = 0x01;
const KIND_WITHDRAW = 0x02;

/** The valid entries of one log: key, kind and affiliation of each, nothing else. */
export class ValidEntries {
  #keys = new Uint8Array(32 * 1024);
  #kinds = new Uint8Array(1024);
  #affiliationIds = new Int32Array(1024);
  readonly #affiliations: string[] = [];
  readonly #affiliationIndex = new Map<string, number>();
  #size = 0;

  /** How many valid entries were kept. */
  get size(): number {
    return this.#size;
  }

  /** Keeps one valid entry: its key, kind and affiliation ('' in a withdraw entry). */
  add(publicKey: Uint8Array, kind: EntryKind, affiliation: string): void {
    if (this.#size === this.#kinds.length) this.#grow();
    this.#keys.set(publicKey, this.#size * 32);
    this.#kinds[this.#size] = kind === 'sign' ? KIND_SIGN : KIND_WITHDRAW;
    this.#affiliationIds[this.#size] = this.#affiliationId(affiliation);
    this.#size++;
  }

  /** Adds every kept entry to `tally`. */
  addTo(tally: Tally): void {
    for (let i = 0; i < this.#size; i++) {
      const key = this.#keys.subarray(i * 32, i * 32 + 32);
      if (this.#kinds[i] === KIND_SIGN)
        tally.addSign(key, this.#affiliations[this.#affiliationIds[i] ?? 0] ?? '');
      else tally.addWithdraw(key);
    }
  }

  #affiliationId(affiliation: string): number {
    let id = this.#affiliationIndex.get(affiliation);
    if (id === undefined) {
      id = this.#affiliations.length;
      this.#affiliations.push(affiliation);
      this.#affiliationIndex.set(affiliation, id);
    }
    return id;
  }

  #grow(): void {
    const capacity = this.#kinds.length * 2;
    const keys = new Uint8Array(capacity * 32);
    keys.set(this.#keys);
    this.#keys = keys;
    const kinds = new Uint8Array(capacity);
    kinds.set(this.#kinds);
    this.#kinds = kinds;
    const ids = new Int32Array(capacity);
    ids.set(this.#affiliationIds);
    this.#affiliationIds = ids;
  }
}

/** `base`, keeping in `into` every valid entry of the bundles it checks. */
export function collectingChecker(base: BundleChecker, into: ValidEntries): BundleChecker {
  return async (bytes, bundle, context) => {
    const check = await base(bytes, bundle, context);
    for (const entry of check.valid) into.add(entry.publicKey, entry.kind, entry.affiliation);
    return check;
  };
}

/** The tally of the union of several logs' valid entries. */
export function unionTally(logs: readonly ValidEntries[]): Tally {
  const tally = new Tally();
  for (const log of logs) log.addTo(tally);
  return tally;
}
