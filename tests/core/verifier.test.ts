import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyLog, type VerifyLogOptions } from '../../core/verifier.ts';
import { newVerifier } from '../../core/note.ts';
import { tilePath } from '../../core/tiles.ts';
import { letterId } from '../../core/letter.ts';
import { UndersignedError } from '../../core/errors.ts';
import { createEd25519Verifier } from '../../core/ed25519-batch.ts';
import { bundleChecker, type BundleChecker } from '../../core/bundle-check.ts';
import { readSharedJson, SHARED_VECTORS } from '../helpers/vectors.ts';
import { testEntry, testLetter } from '../helpers/entries.ts';
import { buildLog, type BuiltLog } from '../helpers/log.ts';

const letter = testLetter(4);
const id = letterId(letter);
let entries: Uint8Array[];
let log: BuiltLog;

beforeAll(async () => {
  entries = [];
  for (let i = 0; i < 300; i++)
    entries.push(await testEntry(letter, i, { affiliation: i % 3 === 0 ? 'Acme' : '' }));
  entries.push(entries[5] as Uint8Array); // an exact repeat
  entries.push(await testEntry(letter, 7, { kind: 'withdraw' }));
  entries.push(await testEntry(letter, 1000, { kind: 'withdraw' })); // never signed
  entries.push(new TextEncoder().encode('not an entry'));
  entries.push(await testEntry(testLetter(5), 2000)); // another letter
  const forged = (await testEntry(letter, 3000)).slice();
  forged[forged.length - 1] = (forged[forged.length - 1] ?? 0) ^ 1;
  entries.push(forged);
  log = buildLog(id, entries);
});

function options(overrides: Partial<VerifyLogOptions> = {}): VerifyLogOptions {
  return {
    checkpoint: log.checkpoint,
    logKeys: [newVerifier(log.vkey)],
    letterId: id,
    stampBits: letter.stampBits,
    readEntryBundle: async (tile) => {
      const data = log.files.get(tilePath(tile));
      if (data === undefined) throw new UndersignedError('NOT_FOUND', tilePath(tile));
      return data;
    },
    ...overrides,
  };
}

describe('verifyLog', () => {
  it('counts a log and lists every rejected entry with its reason', async () => {
    const result = await verifyLog(options());
    expect(result.treeSize).toBe(306);
    expect(result.tally).toMatchObject({ count: 299, signers: 300, withdrawn: 1, repeats: 1 });
    expect(result.tally.byAffiliation.get('Acme')).toBe(100);
    expect(result.tally.byAffiliation.get('')).toBe(199);
    expect(result.rejected.map((r) => [r.index, r.code])).toEqual([
      [303, 'MALFORMED_ENTRY'],
      [304, 'WRONG_LETTER'],
      [305, 'BAD_ENTRY_SIGNATURE'],
    ]);
    expect(result.signedBy).toEqual([log.origin]);
  });
  it('gives the same verdicts with the pure noble path', async () => {
    const fast = await verifyLog(options());
    const noble = await verifyLog(
      options({ ed25519: createEd25519Verifier({ backend: 'noble' }) })
    );
    expect(noble.tally).toEqual(fast.tally);
    expect(noble.rejected).toEqual(fast.rejected);
  });
  it('fails the whole log when a bundle was tampered with', async () => {
    const tampered = new Map(log.files);
    const path = 'tile/entries/000';
    const bytes = (tampered.get(path) as Uint8Array).slice();
    bytes[100] = (bytes[100] ?? 0) ^ 1;
    tampered.set(path, bytes);
    await expect(
      verifyLog(
        options({ readEntryBundle: async (tile) => tampered.get(tilePath(tile)) as Uint8Array })
      )
    ).toRejectWithCode('ROOT_MISMATCH');
  });
  it('fails when a bundle holds fewer entries than the tree size implies', async () => {
    const short = log.files.get('tile/entries/001.p/50') as Uint8Array;
    await expect(
      verifyLog(
        options({
          readEntryBundle: async (tile) =>
            tile.index === 1
              ? short.subarray(0, 100)
              : (log.files.get(tilePath(tile)) as Uint8Array),
        })
      )
    ).toRejectWithCode('MALFORMED_ENTRY_BUNDLE');
  });
  it('refuses a checkpoint not signed by a trusted key', async () => {
    const other = buildLog(id, entries, 'another log');
    await expect(verifyLog(options({ logKeys: [newVerifier(other.vkey)] }))).toRejectWithCode(
      'UNVERIFIED_NOTE'
    );
  });
  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(verifyLog(options({ signal: controller.signal }))).rejects.toThrow('stop');
  });
  it('reports progress up to the tree size', async () => {
    const seen: number[] = [];
    await verifyLog(options({ onProgress: (p) => seen.push(p.entriesVerified) }));
    expect(seen.at(-1)).toBe(306);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });
});

describe('verifyLog with an injected checkBundle', () => {
  const inThread = bundleChecker(createEd25519Verifier());

  it('counts the same when bundles finish out of order, with at most bundlesInFlight at once', async () => {
    // Six bundles, the entries repeated: the tally counts each key once.
    const big = buildLog(
      id,
      Array.from({ length: 5 * 256 + 10 }, (_, i) => entries[i % entries.length] as Uint8Array),
      'big log'
    );
    const bigOptions = (overrides: Partial<VerifyLogOptions>): VerifyLogOptions =>
      options({
        checkpoint: big.checkpoint,
        logKeys: [newVerifier(big.vkey)],
        readEntryBundle: async (tile) => big.files.get(tilePath(tile)) as Uint8Array,
        ...overrides,
      });
    const expected = await verifyLog(bigOptions({}));
    let running = 0;
    let most = 0;
    const delays = [30, 0, 10, 20, 5, 0];
    let n = 0;
    const checkBundle: BundleChecker = async (bytes, bundle, context) => {
      running++;
      most = Math.max(most, running);
      try {
        await new Promise((resolve) => setTimeout(resolve, delays[n++ % delays.length]));
        return await inThread(bytes, bundle, context);
      } finally {
        running--;
      }
    };
    const seen: number[] = [];
    const result = await verifyLog(
      bigOptions({
        checkBundle,
        bundlesInFlight: 3,
        onProgress: (p) => seen.push(p.entriesVerified),
      })
    );
    expect(result.treeSize).toBe(5 * 256 + 10);
    expect(result.tally).toEqual(expected.tally);
    expect(result.rejected).toEqual(expected.rejected);
    expect(result.rejectedTotal).toBe(expected.rejectedTotal);
    expect(most).toBe(3);
    expect(seen).toEqual([256, 512, 768, 1024, 1280, 1290]);
  });

  it("passes on a checker's typed error, and aborts the other checks", async () => {
    const signals: AbortSignal[] = [];
    const checkBundle: BundleChecker = async (bytes, bundle, context) => {
      if (context.signal !== undefined) signals.push(context.signal);
      if (bundle.index === 0) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        throw new UndersignedError('MALFORMED_ENTRY_BUNDLE', 'no');
      }
      return inThread(bytes, bundle, context);
    };
    await expect(verifyLog(options({ checkBundle, bundlesInFlight: 3 }))).toRejectWithCode(
      'MALFORMED_ENTRY_BUNDLE'
    );
    expect(signals.length).toBeGreaterThan(1);
    expect(signals.every((s) => s.aborted)).toBe(true);
  });

  it('refuses an outcome that does not account for every entry', async () => {
    const dropOne: BundleChecker = async (bytes, bundle, context) => {
      const check = await inThread(bytes, bundle, context);
      return { ...check, valid: check.valid.slice(1) };
    };
    await expect(verifyLog(options({ checkBundle: dropOne }))).rejects.toThrow(/^bug: /);
    const twice: BundleChecker = async (bytes, bundle, context) => {
      const check = await inThread(bytes, bundle, context);
      return { ...check, valid: [...check.valid.slice(0, 1), ...check.valid.slice(0, -1)] };
    };
    await expect(verifyLog(options({ checkBundle: twice }))).rejects.toThrow(/^bug: /);
    const short: BundleChecker = async (bytes, bundle, context) => {
      const check = await inThread(bytes, bundle, context);
      return { ...check, leafHashes: check.leafHashes.subarray(32) };
    };
    await expect(verifyLog(options({ checkBundle: short }))).rejects.toThrow(/^bug: /);
  });

  it('fails the root check when a checker gives wrong leaf hashes', async () => {
    const wrong: BundleChecker = async (bytes, bundle, context) => {
      const check = await inThread(bytes, bundle, context);
      const leafHashes = check.leafHashes.slice();
      leafHashes[0] = (leafHashes[0] ?? 0) ^ 1;
      return { ...check, leafHashes };
    };
    await expect(verifyLog(options({ checkBundle: wrong }))).toRejectWithCode('ROOT_MISMATCH');
  });

  it('wants positive integers for the bundles ahead and in flight', async () => {
    await expect(verifyLog(options({ bundlesInFlight: 0 }))).rejects.toThrow(RangeError);
    await expect(verifyLog(options({ bundlesAhead: 1.5 }))).rejects.toThrow(RangeError);
  });
});

describe('the shared sample log', () => {
  it('verifies structurally, its entries rejected as not pledge entries', async () => {
    const sample = readSharedJson<{ vkey: string; cosigner_vkey: string; size: number }>(
      'sample-log-1000.json'
    );
    const dir = join(SHARED_VECTORS, 'sample-log-1000');
    const result = await verifyLog({
      checkpoint: readFileSync(join(dir, 'checkpoint')),
      logKeys: [newVerifier(sample.vkey)],
      witnessKeys: [newVerifier(sample.cosigner_vkey)],
      letterId: id,
      stampBits: 0,
      readEntryBundle: async (tile) => new Uint8Array(readFileSync(join(dir, tilePath(tile)))),
    });
    expect(result.treeSize).toBe(sample.size);
    expect(result.tally.count).toBe(0);
    expect(result.rejectedTotal).toBe(1000);
    expect(new Set(result.rejected.map((r) => r.code))).toEqual(new Set(['MALFORMED_ENTRY']));
    expect(result.signedBy).toEqual(['example.org/pledge-log', 'example.org/witness-1']);
  });
});
