import { describe, expect, it } from 'vitest';
import { letterBlocks } from '../../web/lib/letter-blocks.ts';

describe('letterBlocks', () => {
  it('cuts a letter into headings and paragraphs, keeping markup as text', () => {
    expect(letterBlocks('# We refuse\n\nWe, the\nundersigned.\n\n<b>not html</b>\n')).toEqual([
      { kind: 'heading', text: 'We refuse' },
      { kind: 'paragraph', text: 'We, the undersigned.' },
      { kind: 'paragraph', text: '<b>not html</b>' },
    ]);
  });
});
