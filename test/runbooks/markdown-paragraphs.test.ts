// Markdown as the neutral message's paragraphs: what each construct becomes, and the same text as
// Slack's mrkdwn for a markdown block.
import { describe, expect, it } from 'vitest';
import { markdownParagraphs } from '../../src/message/markdown-paragraphs.ts';
import { code, em, line, link, strong, text, type Paragraph } from '../../src/message/message.ts';

const paragraphs = (md: string): Paragraph[] => markdownParagraphs(md).flatMap((p) => p.paragraphs);

describe('markdown as paragraphs', () => {
  it('joins the lines of a paragraph, keeps a hard break, and reads emphasis, code and links', () => {
    expect(paragraphs('The **slow `query`** log,\nwrapped *here*  \nthen [docs](https://d.example/x?a=1&b=2) and <https://d.example>.')).toEqual([
      line('The ', strong('slow '), code('query'), text(' log, wrapped '), em('here')),
      line('then ', link('https://d.example/x?a=1&b=2', 'docs'), ' and ', link('https://d.example'), '.'),
    ]);
  });

  it('marks headings, keeps code verbatim, takes html and escapes as text, and leaves out HTML comments', () => {
    const parts = markdownParagraphs('# Fix <now>\n\n<!-- a note for editors -->\n\n```sql\n  SELECT 1;\n\n-- a & b\n```\n\nkill \\*all\\* <pid><!-- inline note -->');
    expect(parts.map((p) => p.heading)).toEqual([true, false, false]);
    expect(parts.flatMap((p) => p.paragraphs)).toEqual([line(strong('Fix <now>')), { type: 'code', lines: ['  SELECT 1;', '', '-- a & b'] }, line('kill *all* <pid>')]);
  });

  it('writes numbered and nested lists with their numbers, bullets and indentation', () => {
    const md = ['3. first', '   continued', '   - nested', '     - deeper', '4. second', '', '   more of the second', '', '- top', '  1. inner', '- [x] done'].join('\n');
    expect(paragraphs(md)).toEqual([
      line('3. first continued'),
      line('   ◦ nested'),
      line('     ▪ deeper'),
      line('4. second'),
      line('   more of the second'),
      { type: 'list', items: [[text('top')]] },
      line('  1. inner'),
      { type: 'list', items: [[text('[x] done')]] },
    ]);
  });

  it('reads character references in text and links, not in code', () => {
    expect(paragraphs('R&amp;D &lt;team&gt; &#39;x&#39; `a &amp;&amp; b` [q&amp;a](https://d.example/?a=1&amp;b=2)')).toEqual([
      line("R&D <team> 'x' ", code('a &amp;&amp; b'), ' ', link('https://d.example/?a=1&b=2', 'q&a')),
    ]);
  });

  it('quotes a blockquote', () => {
    expect(paragraphs('> a\n> b')).toEqual([line('> a b')]);
  });

  it('writes a table as aligned columns, or a wide one row by row', () => {
    expect(paragraphs('| a | long header |\n|--:|---|\n| `x` | **y** |')).toEqual([{ type: 'code', lines: ['a | long header', '--+------------', 'x | y'] }]);
    const wide = `| name | what |\n|---|---|\n| one | ${'word '.repeat(25)}|\n| two | short |`;
    expect(paragraphs(wide)).toEqual([{ type: 'code', lines: ['name: one', `what: ${'word '.repeat(25).trim()}`, '', 'name: two', 'what: short'] }]);
  });
});
