// Every shipped runbook as Slack and the terminal show it: converted without error, each sentence
// the source wraps over two lines shown on one line, code blocks whole and closed, and within
// Slack's limits.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderTerminal } from '../../src/cli/render-terminal.ts';
import { UNLIMITED_BUDGET, type Budget } from '../../src/message/budget.ts';
import { allCheckIds } from '../../src/probes/probe-registry.ts';
import { loadRunbooks } from '../../src/runbooks/load-runbooks.ts';
import { runbookMessage } from '../../src/runbooks/runbook-message.ts';
import { encodeIntent } from '../../src/slack/encode-intent.ts';
import { renderMessage } from '../../src/slack/render-message.ts';
import { MAX_BLOCKS, MAX_MESSAGE_TEXT, MAX_SECTION_TEXT, SLACK_BUDGET } from '../../src/slack/slack-budget.ts';

const RUNBOOKS = loadRunbooks(path.resolve(import.meta.dirname, '../../runbooks'), allCheckIds()).all;
/** Slack's limits per section, with every section shown: the whole runbook in Slack's syntax. */
const ALL_SECTIONS: Budget = { ...SLACK_BUDGET, maxBlocks: Infinity, maxMessageText: Infinity };

type SlackBlock = { type: string; text?: { text: string }; elements?: Array<{ text: string }> };
const textOf = (b: SlackBlock) => b.text?.text ?? b.elements?.map((e) => e.text).join(' ') ?? '';
const slackSections = (budget: Budget, rb: (typeof RUNBOOKS)[number]) =>
  (renderMessage(runbookMessage(rb, { budget }), encodeIntent).blocks as SlackBlock[]).filter((b) => b.type === 'section').map(textOf);

/**
 * Where the source wraps a sentence: the last word of a line and the first of the next, for lines
 * of prose (not code, table rows, headings, or the start of a list item). Words with markup in
 * them are left out, so the pair reads the same in every rendering.
 */
function wrappedPairs(body: string): Array<[string, string]> {
  const lines = body.split('\n');
  const pairs: Array<[string, string]> = [];
  let fence = false;
  const prose = (l: string) => l.trim() !== '' && !/^\s*(```|\||#)/.test(l);
  lines.forEach((l, i) => {
    if (/^\s*```/.test(l)) fence = !fence;
    const next = lines[i + 1];
    if (fence || next === undefined || !prose(l) || !prose(next) || /^\s*([-*+]|\d+\.)\s/.test(next)) return;
    const last = l.trim().split(/\s+/).at(-1)!;
    const first = next.trim().split(/\s+/)[0]!;
    if (!/[`*_[\]()<>&|\\]/.test(last + first)) pairs.push([last, first]);
  });
  return pairs;
}

describe('the shipped runbooks as shown', () => {
  it('has runbooks with wrapped sentences to check', () => {
    expect(RUNBOOKS.length).toBeGreaterThanOrEqual(11);
    expect(RUNBOOKS.flatMap((rb) => wrappedPairs(rb.body)).length).toBeGreaterThan(200);
  });

  it.each(RUNBOOKS.map((rb) => [rb.id, rb] as const))('%s: every wrapped sentence is one line in Slack and in the terminal', (_id, rb) => {
    const terminal = renderTerminal(runbookMessage(rb, { budget: UNLIMITED_BUDGET }), { color: false });
    const slack = slackSections(ALL_SECTIONS, rb).join('\n');
    for (const [last, first] of wrappedPairs(rb.body)) {
      expect(terminal, `${last} ⏎ ${first}`).toContain(`${last} ${first}`);
      expect(slack, `${last} ⏎ ${first}`).toContain(`${last} ${first}`);
      expect(terminal).not.toContain(`${last}\n${first}`);
      expect(slack).not.toContain(`${last}\n${first}`);
    }
  });

  it.each(RUNBOOKS.map((rb) => [rb.id, rb] as const))('%s: code blocks are kept line for line, in closed fences within sections that fit', (_id, rb) => {
    const sections = slackSections(ALL_SECTIONS, rb);
    for (const s of sections) {
      expect(s.length).toBeLessThanOrEqual(MAX_SECTION_TEXT);
      // Nothing was cut by the renderer: the producer's sections fit as they are.
      expect(s.endsWith('…')).toBe(false);
      expect((s.match(/```/g)?.length ?? 0) % 2, s).toBe(0);
    }
    const terminal = renderTerminal(runbookMessage(rb, { budget: UNLIMITED_BUDGET }), { color: false }).split('\n');
    const fenced = [...rb.body.matchAll(/^```[^\n]*\n([\s\S]*?)\n```$/gm)].map((m) => m[1]!);
    expect(fenced.length).toBeGreaterThan(0);
    for (const block of fenced) {
      // In the terminal, the block's lines one after another, verbatim.
      const lines = block.split('\n');
      const found = terminal.some((_, at) => lines.every((l, j) => terminal[at + j] === l));
      expect(found, block).toBe(true);
    }
  });

  it.each(RUNBOOKS.map((rb) => [rb.id, rb] as const))("%s: fits Slack's message limits", (_id, rb) => {
    const blocks = renderMessage(runbookMessage(rb, { budget: SLACK_BUDGET }), encodeIntent).blocks as SlackBlock[];
    expect(blocks.length).toBeLessThanOrEqual(MAX_BLOCKS);
    expect(blocks.map(textOf).join('').length).toBeLessThanOrEqual(MAX_MESSAGE_TEXT);
  });
});
