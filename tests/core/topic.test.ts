import { describe, expect, it } from 'vitest';
import { letterTopic } from '../../core/topic.ts';

describe('the gossip topic of a letter (§8.1)', () => {
  it('is undersigned/1/ and the letter ID in lowercase hex', () => {
    expect(letterTopic('ab'.repeat(32))).toBe(`undersigned/1/${'ab'.repeat(32)}`);
  });

  it('refuses anything but a letter ID in lowercase hex', () => {
    expect(() => letterTopic('AB'.repeat(32))).toThrow(RangeError);
    expect(() => letterTopic('ab'.repeat(31))).toThrow(RangeError);
    expect(() => letterTopic(`${'ab'.repeat(32)}/x`)).toThrow(RangeError);
  });
});
