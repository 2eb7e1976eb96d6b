import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { equalBytes, utf8Decode, utf8Encode } from '../../core/bytes.ts';
import { formatCheckpoint } from '../../core/checkpoint.ts';
import { parseEntry } from '../../core/entry.ts';
import { letterId } from '../../core/letter.ts';
import { checkRecord, EMPTY_ROOT, recordHash } from '../../core/merkle.ts';
import { signNote } from '../../core/note.ts';
import { ed25519Signer, parseSignerKey } from '../../core/note-key.ts';
import { logOrigin } from '../../core/origin.ts';
import { buildEntryIndex } from '../../node/log/entry-index.ts';
import { dataLayout, stagingName, type Layout } from '../../node/log/layout.ts';
import { loadOrCreateLogKey, type LogKey } from '../../node/log/log-key.ts';
import { Log, type CommitStep } from '../../node/log/log.ts';
import { directorySource } from '../../node/log-source.ts';
import { testEntry, testLetter } from '../helpers/entries.ts';
import {
  isConsistent,
  logEntries,
  openLogCheckpoint,
  verifyServedLog,
} from '../helpers/log-checks.ts';
import { toBase64 } from '../../core/bytes.ts';

const letter = testLetter();
const id = letterId(letter);
const STEPS: CommitStep[] = [
  'checked',
  'staged',
  'signed',
  'stored',
  'published',
  'checkpoint',
  'unstaged',
];
let root: string;
let entries: Uint8Array[];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'undersigned-log-'));
  entries = await Promise.all(Array.from({ length: 640 }, (_, i) => testEntry(letter, i)));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let dirs = 0;
type Opened = { layout: Layout; key: LogKey; log: Log };
/** Opens the log in `dir` (a fresh directory by default); `fault` may throw at a commit step. */
async function openLog(dir?: string, fault?: { at?: CommitStep }): Promise<Opened> {
  const layout = dataLayout(dir ?? join(root, `log-${dirs++}`));
  const key = await loadOrCreateLogKey(layout.keyFile, id);
  const onStep = (step: CommitStep): void => {
    if (fault?.at === step) throw new Error(`crash after ${step}`);
  };
  return { layout, key, log: await Log.open({ layout, key, onStep }) };
}

/** Every file under `dir`, relative to it, sorted. */
async function filesUnder(dir: string): Promise<string[]> {
  const all = await readdir(dir, { recursive: true, withFileTypes: true });
  return all
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name).slice(dir.length + 1))
    .sort();
}

describe('a new log', () => {
  it('signs and publishes the empty tree under a new private key named by its origin', async () => {
    const { layout, key, log } = await openLog();
    expect(log.treeSize).toBe(0);
    expect(equalBytes(log.checkpoint.rootHash, EMPTY_ROOT)).toBe(true);
    expect(key.origin).toBe(logOrigin(id, key.publicKey));
    expect(key.vkey.startsWith(`${key.origin}+`)).toBe(true);
    const skey = await readFile(layout.keyFile, 'utf8');
    expect(skey).toMatch(
      /^PRIVATE\+KEY\+undersigned\/[0-9a-f]{64}\/[0-9a-f]{16}\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}\n$/
    );
    expect(skey.startsWith(`PRIVATE+KEY+${key.origin}+`)).toBe(true);
    expect((await stat(layout.keyFile)).mode & 0o777).toBe(0o600);
    expect((await stat(layout.dataDir)).mode & 0o777).toBe(0o700);
    expect(await readFile(layout.checkpointFile, 'utf8')).toBe(log.signed);
    expect(await readFile(layout.stateFile, 'utf8')).toBe(log.signed);
    // Policy: nothing but these; and every file dated 1970, not by its batch.
    expect(await filesUnder(layout.dataDir)).toEqual([
      'keys/log.key',
      'log/checkpoint',
      'state/checkpoint',
      'state/lock',
    ]);
    expect((await stat(layout.checkpointFile)).mtimeMs).toBe(0);
    await log.close();
    const again = await openLog(layout.dataDir);
    expect(again.key.vkey).toBe(key.vkey);
    expect(again.log.signed).toBe(log.signed);
    await again.log.close();
  });

  it('signs checkpoints through node:crypto exactly as the pure path would', async () => {
    const { layout, key, log } = await openLog();
    await log.close();
    const pure = ed25519Signer(parseSignerKey((await readFile(layout.keyFile, 'utf8')).trim()));
    const text = utf8Encode(
      formatCheckpoint({ origin: key.origin, treeSize: 5, rootHash: EMPTY_ROOT, extensions: [] })
    );
    expect(equalBytes(key.signer.sign(text), pure.sign(text))).toBe(true);
    expect(key.signer.keyId).toBe(pure.keyId);
  });

  it('refuses a key of another letter, and a key that others can read', async () => {
    const { layout, log } = await openLog();
    await log.close();
    await expect(loadOrCreateLogKey(layout.keyFile, letterId(testLetter(1)))).toRejectWithCode(
      'BAD_CONFIG'
    );
    await chmod(layout.keyFile, 0o644);
    await expect(loadOrCreateLogKey(layout.keyFile, id)).toRejectWithCode('BAD_CONFIG');
  });

  it('is one process’s: a second open fails until the first closes; a dead owner’s lock is taken over', async () => {
    const { layout, log } = await openLog();
    await expect(openLog(layout.dataDir)).rejects.toThrow(/in use by process/);
    await log.close();
    const second = await openLog(layout.dataDir);
    await second.log.close();
    await writeFile(layout.lockFile, '999999999\n'); // no such process
    const third = await openLog(layout.dataDir);
    await third.log.close();
  });
});

describe('appending', () => {
  it('writes batches across tile boundaries; the directory verifies and each checkpoint extends the last', async () => {
    const { layout, key, log } = await openLog();
    const source = directorySource(layout.logDir);
    const signed = [log.signed];
    let at = 0;
    for (const [i, size] of [1, 254, 1, 300, 44].entries()) {
      // Every other batch comes with its leaf hashes, as the sequencer gives them.
      const batch = entries.slice(at, at + size);
      const leafHashes = i % 2 === 1 ? batch.map((e) => recordHash(e)) : undefined;
      const { start } = await log.append(batch, leafHashes === undefined ? {} : { leafHashes });
      expect(start).toBe(at);
      at += size;
      signed.push(log.signed);
      const proofs = await log.proveRecords([0, at - 1, Math.floor(at / 2)]);
      expect(proofs.checkpoint).toBe(log.signed);
      [0, at - 1, Math.floor(at / 2)].forEach((index, i) => {
        const proof = proofs.proofs[i] ?? [];
        expect(
          checkRecord(
            proof,
            at,
            log.checkpoint.rootHash,
            index,
            recordHash(entries[index] as Uint8Array)
          )
        ).toBe(true);
      });
      expect(
        equalBytes(await log.leafHash(at - 1), recordHash(entries[at - 1] as Uint8Array))
      ).toBe(true);
    }
    const verified = await verifyServedLog(source, key.vkey, letter);
    expect(verified.treeSize).toBe(600);
    expect(verified.tally.count).toBe(600);
    for (const older of signed)
      expect(await isConsistent(source, key.vkey, older, log.signed)).toBe(true);
    expect(await logEntries(source, 600)).toEqual(entries.slice(0, 600).map((e) => toBase64(e)));
    // Partial tiles whose full tile exists are pruned; the staging directory is empty.
    const files = await filesUnder(layout.dataDir);
    expect(files).toContain('log/tile/0/001');
    expect(
      files.filter(
        (f) => f.startsWith('log/tile/0/000.p') || f.startsWith('log/tile/entries/001.p')
      )
    ).toEqual([]);
    expect(files).toContain('log/tile/0/002.p/88');
    expect(files.filter((f) => f.startsWith('state/staging'))).toEqual([]);
    await log.close();
  });

  it('refuses leaf hashes that are not one an entry, and appends nothing', async () => {
    const { log } = await openLog();
    const batch = entries.slice(0, 2);
    await expect(
      log.append(batch, { leafHashes: [recordHash(batch[0] as Uint8Array)] })
    ).rejects.toThrow(RangeError);
    expect(log.treeSize).toBe(0);
    await log.append(batch);
    expect(log.treeSize).toBe(2);
    await log.close();
  });

  it('indexes the log by key and kind when it opens, checking every tile', async () => {
    const { layout, log } = await openLog();
    await log.append(entries.slice(0, 300));
    await log.close();
    const reopened = await openLog(layout.dataDir);
    const index = await buildEntryIndex(reopened.log);
    const entry = parseEntry(entries[299] as Uint8Array);
    expect(index.get(entry.publicKey, 'sign')).toBe(299);
    expect(index.get(entry.publicKey, 'withdraw')).toBeUndefined();
    expect(index.get(new Uint8Array(32), 'sign')).toBeUndefined();
    await reopened.log.close();
  });
});

describe('a crash between any two steps of a commit', () => {
  it.each(STEPS)(
    'after "%s", a restart keeps a log that verifies and extends every checkpoint',
    async (step) => {
      const { layout, key, log } = await openLog(undefined, { at: step });
      const source = directorySource(layout.logDir);
      await log.append(entries.slice(0, 300)).catch(() => undefined); // the fault hits this batch too
      await log.close();
      const first = await openLog(layout.dataDir);
      const before = first.log.signed;
      await first.log.append(entries.slice(300, 301));
      const old = first.log.signed;
      await first.log.close();

      const crashing = await openLog(layout.dataDir, { at: step });
      await expect(crashing.log.append(entries.slice(301, 351))).rejects.toThrow(
        `crash after ${step}`
      );
      await crashing.log.close(); // releases the lock only: nothing else runs after a crash
      await writeFile(join(layout.stagingDir, '.junk.tmp'), 'half a file');
      await writeFile(
        join(layout.stagingDir, stagingName(9999, new Uint8Array(32))),
        'a batch never stored'
      );

      const restarted = await openLog(layout.dataDir);
      const committed = STEPS.indexOf(step) >= STEPS.indexOf('stored');
      const size = openLogCheckpoint(old, key.vkey).treeSize + (committed ? 50 : 0);
      expect(restarted.log.treeSize).toBe(size);
      expect(await readFile(layout.checkpointFile, 'utf8')).toBe(restarted.log.signed);
      expect(await readdir(layout.stagingDir)).toEqual([]);
      await buildEntryIndex(restarted.log);
      expect((await verifyServedLog(source, key.vkey, letter)).treeSize).toBe(size);
      for (const older of [before, old])
        expect(await isConsistent(source, key.vkey, older, restarted.log.signed)).toBe(true);
      await restarted.log.append(entries.slice(400, 410));
      expect(await isConsistent(source, key.vkey, old, restarted.log.signed)).toBe(true);
      expect((await verifyServedLog(source, key.vkey, letter)).treeSize).toBe(size + 10);
      await restarted.log.close();
    }
  );

  it.each(STEPS)('after "%s", recover() in the same process does the same', async (step) => {
    const fault: { at?: CommitStep } = {};
    const { layout, key, log } = await openLog(undefined, fault);
    await log.append(entries.slice(0, 257));
    const old = log.signed;
    fault.at = step;
    await expect(log.append(entries.slice(257, 300))).rejects.toThrow();
    await expect(log.append(entries.slice(257, 300))).rejects.toThrow(/bug: append while failed/);
    delete fault.at;
    await log.recover();
    const committed = STEPS.indexOf(step) >= STEPS.indexOf('stored');
    expect(log.treeSize).toBe(committed ? 300 : 257);
    await log.append(entries.slice(300, 310));
    const source = directorySource(layout.logDir);
    expect(await isConsistent(source, key.vkey, old, log.signed)).toBe(true);
    expect((await verifyServedLog(source, key.vkey, letter)).treeSize).toBe(log.treeSize);
    await log.close();
  });
});

describe('a damaged data directory', () => {
  /** Damages a log of 300 entries, then opens it and builds its index, as a restart does. */
  async function damaged(damage: (layout: Layout) => Promise<void>): Promise<unknown> {
    const { layout, log } = await openLog();
    await log.append(entries.slice(0, 300));
    await log.close();
    await damage(layout);
    try {
      const opened = await openLog(layout.dataDir);
      try {
        await buildEntryIndex(opened.log);
      } finally {
        await opened.log.close();
      }
    } catch (e) {
      return e;
    }
    return undefined;
  }
  const corrupt = { name: 'UndersignedError', code: 'CORRUPT_DATA' };
  const flip = async (path: string, at = 10): Promise<void> => {
    const bytes = new Uint8Array(await readFile(path));
    bytes[at] = (bytes[at] ?? 0) ^ 1;
    await writeFile(path, bytes);
  };

  it('refuses to start on a changed full tile, bundle or partial tile', async () => {
    expect(await damaged((l) => flip(join(l.logDir, 'tile/0/000')))).toMatchObject(corrupt);
    expect(await damaged((l) => flip(join(l.logDir, 'tile/entries/000'), 100))).toMatchObject(
      corrupt
    );
    expect(await damaged((l) => flip(join(l.logDir, 'tile/0/001.p/44')))).toMatchObject(corrupt);
    expect(await damaged((l) => flip(join(l.logDir, 'tile/entries/001.p/44'), 100))).toMatchObject(
      corrupt
    );
    expect(await damaged((l) => rm(join(l.logDir, 'tile/1/000.p/1')))).toMatchObject(corrupt);
  });

  it('refuses a stored checkpoint it did not sign, and tiles without a stored checkpoint', async () => {
    expect(await damaged((l) => flip(l.stateFile, 5))).toMatchObject(corrupt);
    expect(await damaged((l) => rm(l.stateFile))).toMatchObject(corrupt);
  });

  it('refuses a damaged staging file of the stored tree, rather than publish half of it', async () => {
    const { layout, key, log } = await openLog(undefined, { at: 'stored' });
    await expect(log.append(entries.slice(0, 30))).rejects.toThrow();
    await log.close();
    const [name] = await readdir(layout.stagingDir);
    expect(name).toBe(
      stagingName(30, openLogCheckpoint(await readFile(layout.stateFile), key.vkey).rootHash)
    );
    await flip(join(layout.stagingDir, name ?? ''), 70);
    await expect(openLog(layout.dataDir)).rejects.toThrow(
      /staging file|not of its tree|entry bundle/
    );
  });

  it('compare-and-swap: a checkpoint stored by another writer stops the batch before it is published', async () => {
    const { layout, key, log } = await openLog();
    await log.append(entries.slice(0, 10));
    const published = log.signed;
    const alien = signNote(
      formatCheckpoint({
        origin: key.origin,
        treeSize: 10,
        rootHash: new Uint8Array(32),
        extensions: [],
      }),
      [key.signer]
    );
    await writeFile(layout.stateFile, alien);
    await expect(log.append(entries.slice(10, 20))).toRejectWithCode('CORRUPT_DATA');
    expect(await readFile(layout.checkpointFile, 'utf8')).toBe(published);
    expect(existsSync(join(layout.logDir, 'tile/0/000.p/20'))).toBe(false);
    expect(utf8Decode(await readFile(layout.stateFile))).toBe(alien);
    await log.close();
  });
});
