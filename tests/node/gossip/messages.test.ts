import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { concatBytes, utf8Encode } from '../../../core/bytes.ts';
import { isUndersignedError } from '../../../core/errors.ts';
import { letterId } from '../../../core/letter.ts';
import {
  formatCheckpointMessage,
  formatCosignatureMessage,
  formatEntryMessage,
  parseGossipMessage,
} from '../../../node/gossip/messages.ts';
import { buildLog } from '../../helpers/log.ts';
import { testEntry, testLetter } from '../../helpers/entries.ts';

const letter = testLetter();
const log = buildLog(letterId(letter), [], 'messages test');
const cid = 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi';
const checkpoint = formatCheckpointMessage({
  vkey: log.vkey,
  cid,
  urls: ['http://127.0.0.1:8470/', 'https://mirror.example/'],
  note: log.checkpoint,
});

/** Throws nothing but UndersignedError (MALFORMED_MESSAGE or a note parse error). */
function parsesOrThrowsTyped(data: Uint8Array): boolean {
  try {
    parseGossipMessage(data);
    return true;
  } catch (e) {
    return isUndersignedError(e);
  }
}

describe('gossip messages (PROTOCOL §8.2)', () => {
  it('round-trip each type', async () => {
    const entry = await testEntry(letter, 1);
    expect(parseGossipMessage(formatEntryMessage(entry))).toEqual({ type: 'entry', entry });
    const parsed = parseGossipMessage(checkpoint);
    expect(parsed).toMatchObject({
      type: 'checkpoint',
      vkey: log.vkey,
      cid,
      urls: ['http://127.0.0.1:8470/', 'https://mirror.example/'],
      note: log.checkpoint,
    });
    const noCid = parseGossipMessage(
      formatCheckpointMessage({ vkey: log.vkey, urls: [], note: log.checkpoint })
    );
    expect(noCid).toMatchObject({ type: 'checkpoint', cid: undefined, urls: [] });
    const cosig = parseGossipMessage(
      formatCosignatureMessage({ vkey: log.vkey, note: log.checkpoint })
    );
    expect(cosig).toMatchObject({ type: 'cosignature', vkey: log.vkey, note: log.checkpoint });
  });

  it('ignores unknown types and refuses malformed known ones', () => {
    expect(parseGossipMessage(Uint8Array.of(0x7f, 1, 2))).toEqual({ type: 'unknown' });
    const text = (t: string): Uint8Array => concatBytes(Uint8Array.of(0x02), utf8Encode(t));
    const bad = [
      Uint8Array.of(),
      Uint8Array.of(0x01),
      concatBytes(Uint8Array.of(0x01), new Uint8Array(1025)),
      text(`undersigned/checkpoint/v2\nvkey ${log.vkey}\n\n${log.checkpoint}`),
      text(`undersigned/checkpoint/v1\nvkey nonsense\n\n${log.checkpoint}`),
      text(`undersigned/checkpoint/v1\nvkey ${log.vkey}\nurl ftp://x/\n\n${log.checkpoint}`),
      text(`undersigned/checkpoint/v1\nvkey ${log.vkey}\nurl http://x/?q\n\n${log.checkpoint}`),
      text(`undersigned/checkpoint/v1\nvkey ${log.vkey}\ncid Qm123\n\n${log.checkpoint}`),
      text(
        `undersigned/checkpoint/v1\nvkey ${log.vkey}\nurl http://x/\ncid ${cid}\n\n${log.checkpoint}`
      ),
      text(`undersigned/checkpoint/v1\nvkey ${log.vkey}\n\nnot a note`),
      text(
        `undersigned/checkpoint/v1\nvkey ${log.vkey}\n${'url http://x/\n'.repeat(9)}\n${log.checkpoint}`
      ),
      concatBytes(
        Uint8Array.of(0x03),
        utf8Encode(`undersigned/cosignature/v1\nvkey ${log.vkey}\nx\n\n${log.checkpoint}`)
      ),
      concatBytes(Uint8Array.of(0x02), Uint8Array.of(0xff, 0xfe)),
    ];
    for (const data of bad) {
      expect(() => parseGossipMessage(data)).toThrow();
      expect(parsesOrThrowsTyped(data)).toBe(true);
    }
  });

  it('every byte changed and every prefix of a checkpoint message parses or throws a typed error', () => {
    for (let i = 0; i < checkpoint.length; i++) {
      expect(parsesOrThrowsTyped(checkpoint.subarray(0, i))).toBe(true);
      const changed = checkpoint.slice();
      changed[i] = (changed[i] as number) ^ 0x41;
      expect(parsesOrThrowsTyped(changed)).toBe(true);
    }
  });

  it('any input parses or throws UndersignedError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (data) => parsesOrThrowsTyped(data)));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.string({ maxLength: 300 }), (type, t) =>
        parsesOrThrowsTyped(concatBytes(Uint8Array.of(type), utf8Encode(t)))
      )
    );
  });
});
