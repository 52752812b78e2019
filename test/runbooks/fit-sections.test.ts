// Packing a runbook's paragraphs into sections: generated markdown full of what Slack escapes, cut
// for small and real section sizes. Every section as Block Kit fits (the size is an upper bound of
// what the renderer writes), code fences are closed, and nothing is lost or reordered.
import { describe, expect, it } from 'vitest';
import { markdownParagraphs } from '../../src/message/markdown-paragraphs.ts';
import { plainText, type Paragraph } from '../../src/message/message.ts';
import { fitSections } from '../../src/runbooks/fit-sections.ts';
import { encodeIntent } from '../../src/slack/encode-intent.ts';
import { renderMessage } from '../../src/slack/render-message.ts';
import { SLACK_BUDGET } from '../../src/slack/slack-budget.ts';

function generator(seed: number) {
  let state = seed;
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  // A code line (a table row too) is never longer than the smallest section here (a longer one is cut, with "…").
  const WORDS = ['lock', 'a&b', '<pid>', 'x>y', 'wait', 'vacuum', '`SELECT 1`', '**now**', '_slow_', 'pg_stat_activity', '&amp;', 'table.', 'done;', '[docs](https://d.example/a?b=1&c=<2>)'];
  const words = (n: number, from = WORDS) => Array.from({ length: n }, () => pick(from)).join(' ');
  const wrapped = (n: number) => words(n).replace(/((?:\S+ ){7})/g, '$1\n').trim();
  const block = (): string =>
    pick([
      () => `## ${words(3)}`,
      () => wrapped(5 + Math.floor(random() * 120)),
      () => ['```', ...Array.from({ length: 1 + Math.floor(random() * 40) }, () => words(6, WORDS.slice(0, -1)).replace(/`/g, '``')), '```'].join('\n'),
      () => Array.from({ length: 1 + Math.floor(random() * 8) }, (_, i) => `${pick(['-', `${i + 1}.`])} ${wrapped(3 + Math.floor(random() * 30))}\n  - ${words(4)}`).join('\n'),
      () => `| a | b |\n|---|---|\n${Array.from({ length: 1 + Math.floor(random() * 5) }, () => `| ${words(2, WORDS.slice(0, -1))} | ${words(3, WORDS.slice(0, -1))} |`).join('\n')}`,
    ])();
  return () => Array.from({ length: 5 + Math.floor(random() * 30) }, block).join('\n\n');
}

/** The words of paragraphs in order, whatever their layout (a list item too long for a list is a line with its bullet). */
const wordsOf = (ps: readonly Paragraph[]) =>
  ps
    .flatMap((p) => (p.type === 'line' ? [plainText(p.spans)] : p.type === 'code' ? p.lines : p.items.map((item) => `• ${plainText(item)}`)))
    .join(' ')
    .split(/\s+/)
    .filter(Boolean);

describe('fitting a runbook into sections', () => {
  it.each([120, 400, 3000])('sections of at most %i characters as Slack counts them, closed, with every word kept in order', (max) => {
    const budget = { ...SLACK_BUDGET, maxSectionText: max };
    const next = generator(max);
    for (let run = 0; run < 20; run += 1) {
      const parts = markdownParagraphs(next());
      const sections = fitSections(parts, max, budget.measure);
      for (const section of sections) {
        const [block] = renderMessage({ notification: [], blocks: [{ type: 'section', paragraphs: section.paragraphs }] }, encodeIntent).blocks as Array<{ text: { text: string } }>;
        const written = block!.text.text;
        expect(written.length, written).toBeLessThanOrEqual(section.size);
        expect(section.size).toBeLessThanOrEqual(max);
        expect((written.match(/```/g)?.length ?? 0) % 2, written).toBe(0);
      }
      expect(wordsOf(sections.flatMap((s) => s.paragraphs))).toEqual(wordsOf(parts.flatMap((p) => p.paragraphs)));
    }
  });
});
