// A compact set of 32-byte public keys, each with a few flag bits and a 32-bit value: open
// addressing over flat typed arrays, about 40 bytes a key, so a million signers fit in ~64 MB
// where a Map of hex strings would take several times that.
//
// Keys are chosen by signers, so the slot hash is keyed with a salt the caller may pass (from
// a secure random source) to keep anyone from grinding keys that all land in one probe run.

const KEY_SIZE = 32;
const WORDS = KEY_SIZE / 4;
const DEFAULT_SALT = Uint32Array.of(
  0x9e3779b1,
  0x85ebca77,
  0xc2b2ae3d,
  0x27d4eb2f,
  0x165667b1,
  0xd3a2646c,
  0xfd7046c5,
  0xb55a4f09
);

export class KeySet {
  #capacity: number;
  #size = 0;
  #keys: Uint8Array;
  #used: Uint8Array;
  #flags: Uint8Array;
  #values: Uint32Array;
  readonly #salt: Uint32Array;

  constructor(options: { salt?: Uint32Array; initialCapacity?: number } = {}) {
    this.#salt = options.salt ?? DEFAULT_SALT;
    if (this.#salt.length !== WORDS) throw new RangeError(`"salt" expected ${WORDS} words`);
    this.#capacity = 1024;
    while (this.#capacity < (options.initialCapacity ?? 0) * 2) this.#capacity *= 2;
    this.#keys = new Uint8Array(this.#capacity * KEY_SIZE);
    this.#used = new Uint8Array(this.#capacity);
    this.#flags = new Uint8Array(this.#capacity);
    this.#values = new Uint32Array(this.#capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** The slot of `key`, inserting it with flags 0 and value 0 if it is new. */
  slot(key: Uint8Array): number {
    if (key.length !== KEY_SIZE)
      throw new RangeError(`"key" expected ${KEY_SIZE} bytes, got ${key.length}`);
    if ((this.#size + 1) * 4 > this.#capacity * 3) this.#grow();
    let i = this.#hash(key) & (this.#capacity - 1);
    for (;;) {
      if (this.#used[i] === 0) {
        this.#used[i] = 1;
        this.#keys.set(key, i * KEY_SIZE);
        this.#size++;
        return i;
      }
      if (this.#keyAt(i, key)) return i;
      i = (i + 1) & (this.#capacity - 1);
    }
  }

  /** Whether `key` is in the set. */
  has(key: Uint8Array): boolean {
    if (key.length !== KEY_SIZE) return false;
    let i = this.#hash(key) & (this.#capacity - 1);
    while (this.#used[i] === 1) {
      if (this.#keyAt(i, key)) return true;
      i = (i + 1) & (this.#capacity - 1);
    }
    return false;
  }

  flags(slot: number): number {
    return this.#flags[slot] ?? 0;
  }

  setFlags(slot: number, flags: number): void {
    this.#flags[slot] = flags;
  }

  value(slot: number): number {
    return this.#values[slot] ?? 0;
  }

  setValue(slot: number, value: number): void {
    this.#values[slot] = value;
  }

  /** Calls `visit(flags, value, key)` for every key, in no particular order. */
  forEach(visit: (flags: number, value: number, key: Uint8Array) => void): void {
    for (let i = 0; i < this.#capacity; i++) {
      if (this.#used[i] === 1) {
        visit(
          this.#flags[i] ?? 0,
          this.#values[i] ?? 0,
          this.#keys.subarray(i * KEY_SIZE, (i + 1) * KEY_SIZE)
        );
      }
    }
  }

  #keyAt(slot: number, key: Uint8Array): boolean {
    const base = slot * KEY_SIZE;
    for (let j = 0; j < KEY_SIZE; j++) if (this.#keys[base + j] !== key[j]) return false;
    return true;
  }

  #hash(key: Uint8Array): number {
    let h = 0;
    for (let w = 0; w < WORDS; w++) {
      const o = w * 4;
      const word =
        ((key[o] ?? 0) |
          ((key[o + 1] ?? 0) << 8) |
          ((key[o + 2] ?? 0) << 16) |
          ((key[o + 3] ?? 0) << 24)) >>>
        0;
      h =
        Math.imul(h ^ Math.imul(word ^ (this.#salt[w] ?? 0), 0x85ebca6b), 0xc2b2ae35) ^ (h >>> 15);
    }
    return (h ^ (h >>> 16)) >>> 0;
  }

  #grow(): void {
    const old = {
      keys: this.#keys,
      used: this.#used,
      flags: this.#flags,
      values: this.#values,
      capacity: this.#capacity,
    };
    this.#capacity *= 2;
    this.#keys = new Uint8Array(this.#capacity * KEY_SIZE);
    this.#used = new Uint8Array(this.#capacity);
    this.#flags = new Uint8Array(this.#capacity);
    this.#values = new Uint32Array(this.#capacity);
    this.#size = 0;
    for (let i = 0; i < old.capacity; i++) {
      if (old.used[i] !== 1) continue;
      const slot = this.slot(old.keys.subarray(i * KEY_SIZE, (i + 1) * KEY_SIZE));
      this.#flags[slot] = old.flags[i] ?? 0;
      this.#values[slot] = old.values[i] ?? 0;
    }
  }
}
