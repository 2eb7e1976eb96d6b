// The worked examples in docs/PROTOCOL.md §10, recomputed from the inputs the document states.
// If the document and the code disagree, this fails and prints the value the code gives.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLetter, formatLetter, letterId } from '../../core/letter.ts';
import { createEntry, seedSigner } from '../../core/signer.ts';
import { parseEntry } from '../../core/entry.ts';
import { sha256 } from '../../core/hash.ts';
import { STAMP_CONTEXT } from '../../core/stamp.ts';
import { toHex, utf8Encode } from '../../core/bytes.ts';
import { buildLog } from '../helpers/log.ts';

const doc = readFileSync(new URL('../../docs/PROTOCOL.md', import.meta.url), 'utf8');

function example(name: string): string {
  const match = new RegExp('```\\w+ example=' + name + '\\n([\\s\\S]*?)```').exec(doc);
  if (!match) throw new Error(`docs/PROTOCOL.md has no example=${name} block`);
  return (match[1] ?? '').trim();
}

/** Hex as the document wraps it: 64 digits a line. */
function wrapHex(bytes: Uint8Array): string {
  return (toHex(bytes).match(/.{1,64}/g) ?? []).join('\n');
}

describe('docs/PROTOCOL.md §10 worked examples', async () => {
  const letter = createLetter({
    title: 'We will not build it',
    text: 'We, the undersigned, refuse.\n',
    stampBits: 8,
  });
  const signer = seedSigner(sha256(utf8Encode('undersigned example signer')));
  const entry = await createEntry(letter, signer, {
    name: 'Ada',
    affiliation: 'Analytical Engines',
  });
  const log = buildLog(letterId(letter), [entry], 'undersigned example log');

  it.each([
    ['letter-file', () => wrapHex(formatLetter(letter))],
    ['letter-id', () => toHex(letterId(letter))],
    ['entry-public-key', () => toHex(signer.publicKey)],
    ['entry', () => wrapHex(entry)],
    ['entry-stamp-hash', () => toHex(sha256(STAMP_CONTEXT, parseEntry(entry).body))],
    ['log-vkey', () => `${log.origin}\n${log.vkey}`],
    ['log-checkpoint', () => log.checkpoint.trim()],
    ['entry-bundle', () => wrapHex(log.files.get('tile/entries/000.p/1') as Uint8Array)],
  ])('%s', (name, compute) => {
    expect(example(name), `example=${name} should read:\n${compute()}\n`).toBe(compute());
  });
});
