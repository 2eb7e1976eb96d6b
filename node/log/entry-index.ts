// The dedup index of a log: for each public key, the index of its sign entry and of its withdraw
// entry. Rebuilt from the entry bundles at every start, which also re-checks every tile and
// bundle of the log against the last signed checkpoint (about 40 bytes a key per kind in
// memory; a million entries take some seconds to read and hash).
//
// Policy (the dedup rule, docs/PROTOCOL.md §5, §8.3): a log holds at most one sign entry and
// one withdraw entry per key.
//   - The same entry again (same bytes, so same leaf hash) is not appended: its submitter gets
//     the receipt of the one in the log, so clients can simply retry.
//   - A different entry of the same kind by a key already in the log is refused, DUPLICATE_KEY:
//     it could add nothing to the count (a key signs at most once, a withdrawal is final).
//   - A withdraw entry by a key that signed, and a sign entry by a key that withdrew, are both
//     appended: the counting rule needs both, in either order.
// Another log may hold a different sign entry by the same key than ours: counting does not
// depend on which one.

import { randomFillSync } from 'node:crypto';
import { UndersignedError } from '../../core/errors.ts';
import { equalBytes } from '../../core/bytes.ts';
import { decodeEntryBundle } from '../../core/entry-bundle.ts';
import { parseEntry, type Entry, type EntryKind } from '../../core/entry.ts';
import { KeySet } from '../../core/key-set.ts';
import { recordHash } from '../../core/merkle.ts';
import {
  ENTRY_BUNDLE_LEVEL,
  entryBundlesForSize,
  tilePath,
  TILE_WIDTH,
  type Tile,
} from '../../core/tiles.ts';
import { TileWriter } from '../../core/tile-writer.ts';
import type { Log } from './log.ts';

const PRESENT = 1;
/** Indexes are kept as uint32: a log of more entries than this is refused. */
export const MAX_INDEXED = 2 ** 32;

/** Public key and kind → index of the entry in the log. */
export class EntryIndex {
  readonly #kinds: Record<EntryKind, KeySet>;

  constructor() {
    // A secret salt, so that nobody can grind keys that all land in one probe run (key-set.ts).
    const salt = (): Uint32Array => randomFillSync(new Uint32Array(8));
    this.#kinds = { sign: new KeySet({ salt: salt() }), withdraw: new KeySet({ salt: salt() }) };
  }

  /** The index of the `kind` entry of `publicKey` in the log, if there is one. */
  get(publicKey: Uint8Array, kind: EntryKind): number | undefined {
    const keys = this.#kinds[kind];
    if (!keys.has(publicKey)) return undefined;
    return keys.value(keys.slot(publicKey));
  }

  /** Records the entry at `index`; the first one of a key and kind stays. */
  add(publicKey: Uint8Array, kind: EntryKind, index: number): void {
    if (!Number.isSafeInteger(index) || index < 0 || index >= MAX_INDEXED) {
      throw new RangeError(`"index" expected 0..2^32 - 1, got ${index}`);
    }
    const keys = this.#kinds[kind];
    const slot = keys.slot(publicKey);
    if (keys.flags(slot) & PRESENT) return;
    keys.setFlags(slot, PRESENT);
    keys.setValue(slot, index);
  }
}

/**
 * Reads every entry bundle of the log's last signed tree and indexes its entries, checking on
 * the way the whole log against the checkpoint: the hash tiles are made again from the entries
 * and every full one compared with its file, and the root with the checkpoint's (the partial
 * tiles were checked when the log was opened). Throws CORRUPT_DATA at the first difference.
 */
export async function buildEntryIndex(
  log: Log,
  options: { signal?: AbortSignal } = {}
): Promise<EntryIndex> {
  const { treeSize, rootHash } = log.checkpoint;
  const index = new EntryIndex();
  const writer = new TileWriter();
  for (const bundle of entryBundlesForSize(treeSize)) {
    options.signal?.throwIfAborted();
    const entries = decodeEntryBundle(await readOrCorrupt(log, bundle, options), bundle.width);
    const made = writer.append(entries.map((bytes) => recordHash(bytes)));
    for (const { tile, data } of made) {
      if (tile.width === TILE_WIDTH && !equalBytes(data, await readOrCorrupt(log, tile, options))) {
        throw new UndersignedError(
          'CORRUPT_DATA',
          `${tilePath(tile)} does not match the entries under it`
        );
      }
    }
    entries.forEach((bytes, i) => {
      let entry: Entry;
      try {
        entry = parseEntry(bytes);
      } catch {
        return; // Policy: an entry that does not parse (this node never appends one) is not indexed.
      }
      index.add(entry.publicKey, entry.kind, bundle.index * TILE_WIDTH + i);
    });
  }
  if (!equalBytes(writer.root(), rootHash)) {
    throw new UndersignedError(
      'CORRUPT_DATA',
      'the entry bundles do not hash to the last signed checkpoint'
    );
  }
  return index;
}

async function readOrCorrupt(
  log: Log,
  tile: Tile,
  options: { signal?: AbortSignal }
): Promise<Uint8Array> {
  try {
    const data = await log.tiles.read(tile, options);
    if (tile.level === ENTRY_BUNDLE_LEVEL) decodeEntryBundle(data, tile.width);
    return data;
  } catch (cause) {
    if (options.signal?.aborted) throw options.signal.reason;
    throw new UndersignedError('CORRUPT_DATA', `${tilePath(tile)} is missing or damaged`, {
      cause,
    });
  }
}
