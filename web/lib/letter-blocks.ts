// A letter's Markdown text (docs/PROTOCOL.md §2.1) cut into blocks to show as plain text:
// headings ("#" lines) and paragraphs (runs of lines between blank lines). Nothing is turned
// into HTML: links, emphasis and the rest stay as the author typed them.

/** One block of a letter. */
export type LetterBlock = { readonly kind: 'heading' | 'paragraph'; readonly text: string };

/** The blocks of a canonical letter text. */
export function letterBlocks(text: string): LetterBlock[] {
  const blocks: LetterBlock[] = [];
  for (const chunk of text.split(/\n{2,}/)) {
    const lines = chunk.split('\n').filter((l) => l.trim() !== '');
    let paragraph: string[] = [];
    const flush = (): void => {
      if (paragraph.length > 0) blocks.push({ kind: 'paragraph', text: paragraph.join(' ') });
      paragraph = [];
    };
    for (const line of lines) {
      const heading = /^#{1,6}\s+(.*)$/.exec(line);
      if (heading) {
        flush();
        blocks.push({ kind: 'heading', text: heading[1] ?? '' });
      } else paragraph.push(line.trim());
    }
    flush();
  }
  return blocks;
}
