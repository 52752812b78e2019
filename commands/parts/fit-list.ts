// A long list (audit rows, timeline events) as list sections that fit the transport's budget: as
// many sections as the text needs, then a line saying how many items were left out.
import type { Budget } from '../../src/message/budget.ts';
import { context, plainText, type Block, type Line, type Paragraph, type Span } from '../../src/message/message.ts';

/** Room kept for the blocks around the list (a header line, a closing note). */
const RESERVED_BLOCKS = 3;
const RESERVED_TEXT = 500;

/**
 * `lead` (a title line, if any) then `items` as list sections (or as plain lines, `as: 'lines'`);
 * `notShown(n)` words the items that did not fit.
 */
export function fitList(lead: Line | undefined, items: readonly Line[], budget: Budget, notShown: (n: number) => string, as: 'list' | 'lines' = 'list'): Block[] {
  const blocks: Block[] = [];
  let section: Line[] = [];
  let sectionSize = lead ? measureLine(lead, budget) + 1 : 0;
  let total = sectionSize;
  const flush = () => {
    const paragraphs: Paragraph[] = as === 'lines' ? section.map((spans) => ({ type: 'line', spans })) : section.length ? [{ type: 'list', items: section }] : [];
    if (lead && blocks.length === 0) paragraphs.unshift({ type: 'line', spans: lead });
    if (paragraphs.length) blocks.push({ type: 'section', paragraphs });
    section = [];
    sectionSize = 0;
  };
  for (const [i, item] of items.entries()) {
    // "• " and the line break around each item.
    const size = measureLine(item, budget) + 3;
    const sectionsAfter = blocks.length + 1 + (sectionSize + size > budget.maxSectionText ? 1 : 0);
    if (total + size > budget.maxMessageText - RESERVED_TEXT || sectionsAfter > budget.maxBlocks - RESERVED_BLOCKS) {
      flush();
      blocks.push(context(notShown(items.length - i)));
      return blocks;
    }
    if ((section.length || blocks.length === 0) && sectionSize + size > budget.maxSectionText) flush();
    section.push(item);
    sectionSize += size;
    total += size;
  }
  flush();
  return blocks;
}

/** The length a line takes once rendered: its words, plus what mentions, dates, links and emphasis add. */
export function measureLine(line: Line, budget: Budget): number {
  return budget.measure(plainText(line)) + line.reduce((n, s) => n + markup(s, budget), 0);
}

function markup(span: Span, budget: Budget): number {
  if (!Number.isFinite(budget.maxMessageText)) return 0;
  switch (span.type) {
    case 'text':
      return span.style ? 2 : 0;
    case 'command':
      return 2;
    case 'icon':
      return 30;
    case 'user':
    case 'group':
    case 'channel':
    case 'broadcast':
      return 12;
    case 'date':
      return 50;
    case 'link':
      return span.text === undefined ? 2 : span.url.length + 3;
  }
}
