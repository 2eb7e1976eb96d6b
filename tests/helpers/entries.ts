import { createLetter, type Letter } from '../../core/letter.ts';
import { createEntry, seedSigner, type CreateEntryOptions } from '../../core/signer.ts';
import { sha256 } from '../../core/hash.ts';
import { utf8Encode } from '../../core/bytes.ts';

/** A small letter for tests; `stampBits` low so that stamps are quick. */
export function testLetter(stampBits = 0): Letter {
  return createLetter({
    title: 'A test letter',
    text: 'We, the undersigned, test.\n',
    stampBits,
  });
}

/** A deterministic seed for test signer number `i`. */
export function testSeed(i: number): Uint8Array {
  return sha256(utf8Encode(`undersigned test signer ${i}`));
}

/** A signed entry by test signer `i`. */
export function testEntry(
  letter: Letter,
  i: number,
  options: CreateEntryOptions = {}
): Promise<Uint8Array> {
  return createEntry(letter, seedSigner(testSeed(i)), options);
}
