// Evidence that a log lied (docs/PROTOCOL.md §6.4, §7 step 6): two checkpoints signed by one
// log key that are not consistent, with the failing proof. Kept for good under
// <data>/evidence/<hex SHA-256 of origin>-<n>.json and listed in /info; a log with evidence is
// never cosigned again.

import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { utf8Encode } from '../../core/bytes.ts';
import { writeFileDurably } from '../log/disk.ts';
import { followName } from '../follow/follow-store.ts';

/** Two inconsistent checkpoints of one log. */
export type Evidence = {
  readonly origin: string;
  /** The two signed checkpoint notes, as received. */
  readonly checkpoints: readonly [string, string];
  readonly reason: string;
  /** The consistency proof (base64 hashes) that failed, when there was one. */
  readonly proof: readonly string[];
};

/** The evidence a mirror holds, on disk and in memory. */
export class EvidenceStore {
  readonly #dir: string;
  readonly #all: Evidence[] = [];

  private constructor(dir: string) {
    this.#dir = dir;
  }

  /** Opens <data>/evidence/, loading what is there. */
  static async open(dir: string): Promise<EvidenceStore> {
    const store = new EvidenceStore(dir);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    for (const name of (await readdir(dir)).filter((n) => n.endsWith('.json')).sort()) {
      store.#all.push(JSON.parse(await readFile(join(dir, name), 'utf8')) as Evidence);
    }
    return store;
  }

  /** Whether `origin` was caught lying. */
  has(origin: string): boolean {
    return this.#all.some((e) => e.origin === origin);
  }

  list(): readonly Evidence[] {
    return this.#all;
  }

  /** Keeps `evidence` durably. */
  async record(evidence: Evidence): Promise<void> {
    const n = this.#all.filter((e) => e.origin === evidence.origin).length;
    this.#all.push(evidence);
    const file = join(this.#dir, `${followName(evidence.origin)}-${n}.json`);
    await writeFileDurably(file, utf8Encode(`${JSON.stringify(evidence, null, 2)}\n`));
  }
}
