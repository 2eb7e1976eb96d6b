// Offline copies (node/car/): export from a directory and from a live mirror, verify with no
// network, seed a mirror, agree with Helia's UnixFS, and refuse every corruption.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CID } from 'multiformats/cid';
import { concatBytes, toBase64 } from '../../core/bytes.ts';
import { isUndersignedError } from '../../core/errors.ts';
import { createLetter, formatLetter, letterId } from '../../core/letter.ts';
import { formatCar, parseCar } from '../../node/car/car.ts';
import { formatLogCar, parseLogCar, type LogCopy } from '../../node/car/log-car.ts';
import { seedFromCar } from '../../node/car/seed.ts';
import { verifyLogCopy } from '../../node/car/verify-copy.ts';
import { getDirectory, putDirectory } from '../../node/p2p/directory.ts';
import { blockCid } from '../../node/p2p/cid.ts';
import { runCli } from '../helpers/cli.ts';
import { testEntry, testLetter } from '../helpers/entries.ts';
import { buildLog, writeLog, type BuiltLog } from '../helpers/log.ts';
import { startMirrorProcess, submit, type MirrorProcess } from '../helpers/mirror-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'undersigned-car-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
const letter = testLetter();
const letterBytes = formatLetter(letter);
const letterFile = join(dir, 'letter.txt');
const logDir = join(dir, 'log');
const carFile = join(dir, 'log.car');
let entries: Uint8Array[];
let log: BuiltLog;
let copy: LogCopy;

/** The copy of a built log, as export makes it. */
function copyOf(built: BuiltLog, letterFile = letterBytes): LogCopy {
  const tiles = new Map([...built.files].filter(([path]) => path.startsWith('tile/')));
  const checkpoint = built.files.get('checkpoint') ?? new Uint8Array();
  return { checkpoint, letter: letterFile, vkey: built.vkey, tiles };
}

beforeAll(async () => {
  // 300 entries: two entry bundles (one partial) and partial tiles at levels 0 and 1.
  entries = await Promise.all(Array.from({ length: 300 }, (_, i) => testEntry(letter, i)));
  log = buildLog(letterId(letter), entries);
  writeLog(log, logDir);
  writeFileSync(letterFile, letterBytes);
  copy = copyOf(log);
}, 30_000);

describe('undersigned export and verify FILE.car', () => {
  it('exports a directory log and verifies the copy offline, with the same count', async () => {
    const exported = await runCli([
      'export',
      '--from',
      logDir,
      '--vkey',
      log.vkey,
      '--letter',
      letterFile,
      '--out',
      carFile,
    ]);
    expect(exported.stderr).not.toMatch(/warning|error/i);
    expect(exported.status).toBe(0);
    const root = /^root\s+(\S+)$/m.exec(exported.stdout)?.[1];
    expect(root).toBe(formatLogCar(copy).root.toString());
    // Canonical: the CLI's bytes are the bytes of the copy built in memory.
    expect(readFileSync(carFile)).toEqual(Buffer.from(formatLogCar(copy).car));

    const verified = await runCli(['verify', carFile, '--json']);
    expect(verified.status).toBe(0);
    expect(verified.stderr).toMatch(/trusting the log key stored in/);
    const json = JSON.parse(verified.stdout) as { count: number; treeSize: number };
    expect(json).toMatchObject({ count: 300, treeSize: 300 });
  });

  it('refuses a key that did not sign, and a letter that is not the copy’s (exit 3)', async () => {
    const other = buildLog(new Uint8Array(32), [], 'another log');
    const otherLetter = join(dir, 'other-letter.txt');
    writeFileSync(otherLetter, formatLetter(createLetter({ title: 'Other', text: 'x\n' })));
    const [wrongKey, wrongLetter] = await Promise.all([
      runCli(['verify', carFile, '--vkey', other.vkey]),
      runCli(['verify', carFile, '--letter', otherLetter]),
    ]);
    expect(wrongKey.status).toBe(3);
    expect(wrongKey.stderr).toMatch(/UNVERIFIED_NOTE/);
    expect(wrongLetter.status).toBe(3);
    expect(wrongLetter.stderr).toMatch(/WRONG_LETTER/);
  });

  it('needs exactly one of --from and a CAR file (exit 2)', async () => {
    expect((await runCli(['verify', carFile, '--from', logDir])).status).toBe(2);
  });

  it('gives the same bytes for the same log, whatever the order of its files', () => {
    const reversed = { ...copy, tiles: new Map([...copy.tiles].reverse()) };
    expect(formatLogCar(reversed).car).toEqual(formatLogCar(copy).car);
  });
});

describe('the directory', () => {
  it('has the CID Helia gives the same files, and Helia lists it', async () => {
    const { car, root } = formatLogCar(copy);
    const blocks = new Map(parseCar(car).blocks.map((b) => [b.cid.toString(), b.bytes]));
    const store = memoryBlocks(blocks);
    const files = [...parseLogCar(car).copy.tiles, ['checkpoint', copy.checkpoint]] as const;
    const entriesOf = [
      ...files.map(([path, bytes]) => ({ path, cid: blockCid(bytes) })),
      { path: 'letter', cid: blockCid(copy.letter) },
      { path: 'vkey', cid: blockCid(new TextEncoder().encode(`${copy.vkey}\n`)) },
    ];
    const helia = await putDirectory(memoryBlocks(new Map(blocks)), entriesOf);
    expect(helia.toString()).toBe(root.toString());
    const listed = await getDirectory(store, root);
    expect(listed.map((e) => e.path).sort()).toEqual(entriesOf.map((e) => e.path).sort());
  });
});

describe('a corrupted copy', () => {
  const car = (): Uint8Array => formatLogCar(copy).car;
  const sections = (): { root: CID; blocks: { cid: CID; bytes: Uint8Array }[] } => {
    const parsed = parseCar(car());
    return { root: parsed.root, blocks: [...parsed.blocks] };
  };
  const mangled: [string, () => Uint8Array, RegExp][] = [
    ['truncated', () => car().slice(0, car().length - 1), /truncated/],
    ['cut after the header', () => car().slice(0, 59), /holds no|missing/],
    ['a flipped byte in a block', () => flip(car(), car().length - 10), /does not hash/],
    ['a flipped byte in the header', () => flip(car(), 3), /header/],
    [
      'the root of a file',
      () => {
        const s = sections();
        return formatCar(s.blocks[1]?.cid ?? s.root, s.blocks); // the checkpoint's block
      },
      /root directory is not a dag-pb block/,
    ],
    [
      'the root of a subdirectory',
      () => {
        const s = sections();
        return formatCar(s.blocks[3]?.cid ?? s.root, s.blocks); // tile/
      },
      /holds no "checkpoint"/,
    ],
    [
      'a root not in the car',
      () => formatCar(blockCid(new Uint8Array([1])), sections().blocks),
      /root directory/,
    ],
    [
      'a missing block',
      () => {
        const s = sections();
        return formatCar(
          s.root,
          s.blocks.filter((_, i) => i !== 5)
        );
      },
      /missing from the car/,
    ],
    [
      'a block whose bytes do not hash to its cid',
      () => {
        const s = sections();
        const b = s.blocks[5];
        if (b === undefined) throw new Error('no block 5');
        return replaceBytes(car(), b.bytes, flip(b.bytes, 0));
      },
      /does not hash to its cid/,
    ],
    [
      'a block twice',
      () => {
        const s = sections();
        return formatCar(s.root, [...s.blocks, ...s.blocks.slice(5, 6)]);
      },
      /appears twice/,
    ],
    [
      'an extra block',
      () => {
        const s = sections();
        const extra = new Uint8Array([7]);
        return formatCar(s.root, [...s.blocks, { cid: blockCid(extra), bytes: extra }]);
      },
      /not the canonical car/,
    ],
    [
      'blocks out of order',
      () => {
        const s = sections();
        return formatCar(s.root, [...s.blocks.slice(0, 4), ...s.blocks.slice(4).reverse()]);
      },
      /not the canonical car/,
    ],
    ['trailing bytes', () => concatBytes(car(), new Uint8Array([0])), /bad length|truncated/],
  ];
  it.each(mangled)('refuses %s with MALFORMED_CAR', (_, make, message) => {
    expect(() => parseLogCar(make())).toThrowCode('MALFORMED_CAR');
    expect(() => parseLogCar(make())).toThrow(message);
  });

  it('refuses every one-byte change of a small copy', async () => {
    const small = buildLog(letterId(letter), entries.slice(0, 3), 'small');
    const bytes = formatLogCar(copyOf(small)).car;
    for (let i = 0; i < bytes.length; i++) {
      let error: unknown;
      try {
        parseLogCar(flip(bytes, i));
      } catch (e) {
        error = e;
      }
      expect(isUndersignedError(error, 'MALFORMED_CAR'), `byte ${i}`).toBe(true);
    }
  });

  it('refuses a canonical copy whose hash tile does not match its entries', async () => {
    const tiles = new Map(copy.tiles);
    tiles.set('tile/0/000', flip(tiles.get('tile/0/000') ?? new Uint8Array(), 0));
    const bad = parseLogCar(formatLogCar({ ...copy, tiles }).car).copy;
    await expect(verifyLogCopy(bad)).toRejectWithCode('MALFORMED_TILE');
  });

  it('refuses a copy without one of its tiles, or with an entry changed', async () => {
    const tiles = new Map(copy.tiles);
    tiles.delete('tile/1/000.p/1');
    await expect(verifyLogCopy({ ...copy, tiles })).toRejectWithCode('MALFORMED_CAR');
    const changed = new Map(copy.tiles);
    changed.set('tile/entries/000', flip(changed.get('tile/entries/000') ?? new Uint8Array(), 40));
    await expect(verifyLogCopy({ ...copy, tiles: changed })).toRejectWithCode('ROOT_MISMATCH');
  });

  it('exits 3 with MALFORMED_CAR from the CLI', async () => {
    const file = join(dir, 'bad.car');
    writeFileSync(file, flip(car(), car().length - 10));
    const r = await runCli(['verify', file]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/MALFORMED_CAR: block \d+ does not hash to its cid/);
  });
});

describe('seedFromCar', () => {
  it('gives the verified checkpoint, every entry in order and the log files', async () => {
    const seed = await seedFromCar(carFile, { letter: letterBytes, vkeys: [log.vkey] });
    expect(seed.checkpoint).toBe(log.checkpoint);
    expect(seed.origin).toBe(log.origin);
    expect(seed.treeSize).toBe(300);
    expect(seed.vkey).toBe(log.vkey);
    expect(seed.letter).toEqual(letterBytes);
    expect(seed.root.toString()).toBe(formatLogCar(copy).root.toString());
    const seen: Uint8Array[] = [];
    for await (const entry of seed.entries()) seen.push(entry);
    expect(seen).toEqual(entries);
    for (const [path, bytes] of log.files) expect(seed.files.get(path)).toEqual(bytes);
    expect(seed.verification.tally.count).toBe(300);
  });

  it('refuses a copy of another letter, a missing file and a corrupted copy', async () => {
    const other = formatLetter(createLetter({ title: 'Other', text: 'x\n' }));
    await expect(seedFromCar(carFile, { letter: other })).toRejectWithCode('WRONG_LETTER');
    await expect(seedFromCar(join(dir, 'nothing.car'))).toRejectWithCode('NOT_FOUND');
    const bad = join(dir, 'seed-bad.car');
    writeFileSync(bad, readFileSync(carFile).subarray(0, 1000));
    await expect(seedFromCar(bad)).toRejectWithCode('MALFORMED_CAR');
  });

  it('refuses a log whose origin does not name its letter', async () => {
    const foreign = buildLog(new Uint8Array(32), entries.slice(0, 2), 'foreign');
    const file = join(dir, 'foreign.car');
    writeFileSync(file, formatLogCar(copyOf(foreign)).car);
    // The entries do not sign the letter that origin names, and the origin names another one.
    await expect(seedFromCar(file)).toRejectWithCode('WRONG_ORIGIN');
  });
});

describe('export from a live mirror', () => {
  let mirror: MirrorProcess;
  beforeAll(async () => {
    mirror = await startMirrorProcess({ letterFile, dataDir: join(dir, 'data'), batchMs: 20 });
  }, 30_000);
  afterAll(async () => {
    await mirror.stop();
  });

  it('copies the mirror’s log with its key and letter, and the copy verifies offline', async () => {
    for (const entry of entries.slice(0, 5)) {
      const answer = await submit(mirror.url, JSON.stringify({ entry: toBase64(entry) }));
      expect(answer.status).toBe(200);
    }
    const file = join(dir, 'mirror.car');
    const exported = await runCli(['export', '--from', mirror.url, '--out', file]);
    expect(exported.status).toBe(0);
    expect(exported.stderr).toMatch(/trusting the log key that .* reports/);
    const verified = await runCli(['verify', '--car', file, '--vkey', mirror.vkey, '--json']);
    expect(verified.status).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ count: 5, treeSize: 5 });
    const seed = await seedFromCar(file, { letter: letterBytes });
    expect(seed.origin).toBe(mirror.origin);
  }, 30_000);
});

function flip(bytes: Uint8Array, i: number): Uint8Array {
  const out = bytes.slice();
  out[i] = (out[i] ?? 0) ^ 0x01;
  return out;
}

function replaceBytes(haystack: Uint8Array, from: Uint8Array, to: Uint8Array): Uint8Array {
  const text = Buffer.from(haystack);
  const at = text.indexOf(Buffer.from(from));
  const out = haystack.slice();
  out.set(to, at);
  return out;
}

/** A minimal in-memory blockstore for @helia/unixfs. */
function memoryBlocks(map: Map<string, Uint8Array>): Parameters<typeof putDirectory>[0] {
  return {
    has: (cid: CID) => Promise.resolve(map.has(cid.toString())),
    put: (cid: CID, bytes: Uint8Array) => {
      map.set(cid.toString(), bytes);
      return Promise.resolve(cid);
    },
    get: async function* (cid: CID) {
      const bytes = map.get(cid.toString());
      if (bytes === undefined)
        throw Object.assign(new Error('not found'), { name: 'NotFoundError' });
      yield await Promise.resolve(bytes);
    },
  };
}
