// Keys kept on this device, in IndexedDB, one per letter, with the receipts of their entries.
// Only a signer who chose "keep it on this device" has a record here; "forget" and "backup"
// leave nothing. Durability: the browser may delete site data (Safari after 7 days without a
// visit), so a kept key is a convenience, not a safe; the encrypted backup is the safe.
//
// What it reveals on a seized or shared device: that someone here signed this letter, and with
// which key (so which entry is theirs, name and affiliation included).

import type { SignerKey } from './keys.ts';

const DB_NAME = 'undersigned';
const STORE = 'keys';

/** A kept key and what came with it. */
export type KeptKey = {
  readonly letterId: string;
  readonly publicKey: Uint8Array;
  readonly privateKey: CryptoKey;
  /** Receipts (docs/PROTOCOL.md §9) of this key's entries, newest last. */
  readonly receipts: readonly string[];
  /** Whether this key withdrew its signature. */
  readonly withdrawn: boolean;
};

function open(factory: IDBFactory): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore(STORE, { keyPath: 'letterId' });
    };
    request.onsuccess = () => {
      resolve(request.result);
    };
    request.onerror = () => {
      reject(request.error ?? new Error('IndexedDB failed'));
    };
  });
}

async function run<T>(
  factory: IDBFactory,
  mode: IDBTransactionMode,
  work: (store: IDBObjectStore) => IDBRequest
): Promise<T> {
  const db = await open(factory);
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = work(tx.objectStore(STORE));
      tx.oncomplete = () => {
        resolve(request.result as T);
      };
      tx.onerror = () => {
        reject(tx.error ?? new Error('IndexedDB failed'));
      };
    });
  } finally {
    db.close();
  }
}

/** Keys kept on this device. */
export class KeyStore {
  readonly #factory: IDBFactory;

  constructor(factory: IDBFactory = indexedDB) {
    this.#factory = factory;
  }

  /** The key kept for `letterId`, if any. */
  async get(letterId: string): Promise<KeptKey | undefined> {
    return run<KeptKey | undefined>(this.#factory, 'readonly', (s) => s.get(letterId));
  }

  /** Keeps `key` for `letterId` (replacing any), with its receipts. */
  async keep(
    letterId: string,
    key: SignerKey,
    receipts: readonly string[],
    withdrawn = false
  ): Promise<void> {
    const record: KeptKey = {
      letterId,
      publicKey: key.publicKey,
      privateKey: key.privateKey,
      receipts: [...receipts],
      withdrawn,
    };
    await run(this.#factory, 'readwrite', (s) => s.put(record));
  }

  /** Adds receipts to the key kept for `letterId`, and marks it withdrawn if so. */
  async addReceipts(
    letterId: string,
    receipts: readonly string[],
    withdrawn: boolean
  ): Promise<void> {
    const kept = await this.get(letterId);
    if (kept === undefined) return;
    await this.keep(letterId, kept, [...kept.receipts, ...receipts], kept.withdrawn || withdrawn);
  }

  /** Deletes the key kept for `letterId` and its receipts. */
  async forget(letterId: string): Promise<void> {
    await run(this.#factory, 'readwrite', (s) => s.delete(letterId));
  }
}
