// The last verified checkpoint of each log, kept on this device (docs/PROTOCOL.md §7 step 6), so
// that every newer checkpoint must be consistent with it: a log that shows this reader one tree
// today and an incompatible one tomorrow is caught. Two inconsistent signed checkpoints of one
// log are kept as evidence.
//
// Policy: localStorage (a few hundred bytes per log). What it reveals on a seized device: that
// this browser verified these logs of this letter, not whether its user signed.

import { openCheckpoint, type Checkpoint } from '../../core/checkpoint.ts';
import { newVerifier } from '../../core/note.ts';
import type { KeyValueStore } from './mirrors.ts';

const PREFIX = 'undersigned/checkpoint/';
const EVIDENCE_PREFIX = 'undersigned/evidence/';

/** A remembered checkpoint: the signed note and the checkpoint it holds. */
export type Remembered = { readonly note: string; readonly checkpoint: Checkpoint };

/** Remembered checkpoints, one per log origin. */
export class CheckpointMemory {
  readonly #store: KeyValueStore;

  constructor(store: KeyValueStore) {
    this.#store = store;
  }

  /** The remembered checkpoint of `origin`, re-opened with `vkey`; undefined if none or unreadable. */
  get(origin: string, vkey: string): Remembered | undefined {
    const note = this.#store.getItem(PREFIX + origin);
    if (note === null) return undefined;
    try {
      const { checkpoint } = openCheckpoint(note, [newVerifier(vkey)]);
      return checkpoint.origin === origin ? { note, checkpoint } : undefined;
    } catch {
      return undefined;
    }
  }

  /** Remembers `note` as the latest verified checkpoint of its log (if larger than the last). */
  remember(origin: string, vkey: string, note: string, checkpoint: Checkpoint): void {
    const last = this.get(origin, vkey);
    if (last !== undefined && last.checkpoint.treeSize > checkpoint.treeSize) return;
    this.#store.setItem(PREFIX + origin, note);
  }

  /** Keeps two signed checkpoints of `origin` that contradict each other. */
  keepEvidence(origin: string, notes: readonly [string, string]): void {
    this.#store.setItem(EVIDENCE_PREFIX + origin, JSON.stringify(notes));
  }

  /** The evidence kept against `origin`, if any. */
  evidence(origin: string): readonly string[] | undefined {
    const text = this.#store.getItem(EVIDENCE_PREFIX + origin);
    if (text === null) return undefined;
    try {
      const value: unknown = JSON.parse(text);
      return Array.isArray(value)
        ? value.filter((v): v is string => typeof v === 'string')
        : undefined;
    } catch {
      return undefined;
    }
  }
}

/** A store that keeps nothing, for browsers where localStorage is unavailable. */
export function memoryStore(): KeyValueStore {
  const map = new Map<string, string>();
  return {
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => {
      map.set(key, value);
    },
    removeItem: (key) => {
      map.delete(key);
    },
  };
}
