// `/diag all` rendering: golden files for a mixed run, and Slack's limits for a very large one.
import { describe, expect, it } from 'vitest';
import { renderTerminal } from '../../src/cli/render-terminal.ts';
import { UNLIMITED_BUDGET } from '../../src/message/budget.ts';
import { summaryMessage } from '../../src/render/summary-message.ts';
import { buildReport, type ReportSet, type Status } from '../../src/report.ts';
import { encodeIntent } from '../../src/slack/encode-intent.ts';
import { renderMessage } from '../../src/slack/render-message.ts';
import { MAX_BLOCKS, MAX_HEADER_TEXT, MAX_MESSAGE_TEXT, MAX_SECTION_TEXT, SLACK_BUDGET } from '../../src/slack/slack-budget.ts';
import { allOk, configProblem, mixed } from './fixtures.ts';
import { expectGolden } from './golden.ts';
import { expectGoldenBoth } from './render-both.ts';

const renderSummaryBlocks = (s: ReportSet) => renderMessage(summaryMessage(s, { budget: SLACK_BUDGET, details: 'thread' }), encodeIntent);

const started = '2026-11-22T03:00:00.000Z';

function set(reports: ReportSet['reports'], status: Status): ReportSet {
  return { status, startedAt: started, durationMs: 2140, reports };
}

const timedOut = { ...buildReport('legacy-api', 'http', new Date(started), [{ check: 'http.probe', status: 'crit', title: 'Probe timed out after 12.0 s' }]), durationMs: 12_004, startedAt: started };
const mixedSet = set([mixed, timedOut, { ...allOk, target: 'cache' }, { ...allOk, target: 'reports-db' }], 'crit');

type Block = { type: string; text?: { text: string }; elements?: Array<{ text: string }> };
const textOf = (b: Block) => b.text?.text ?? b.elements?.map((e) => e.text).join(' ') ?? '';

describe('/diag all summary', () => {
  it("golden: under Slack's budget, the reports in the thread, in Block Kit and in the terminal", () => {
    expectGoldenBoth('summary-mixed', (budget) => summaryMessage(mixedSet, { budget, details: 'thread' }));
  });

  it('golden: with no budget, each report that needs attention after the summary (the CLI)', () => {
    expectGolden('summary-mixed-cli.txt', renderTerminal(summaryMessage(mixedSet, { budget: UNLIMITED_BUDGET, details: 'inline' }), { color: false }));
  });

  it("golden: a target the bot's configuration leaves unusable is said apart, not counted as needing attention", () => {
    const withConfig = set([mixed, { ...configProblem, startedAt: started }, { ...allOk, target: 'reports-db' }], 'crit');
    expectGoldenBoth('summary-config', (budget) => summaryMessage(withConfig, { budget, details: 'thread' }));
    const blocks = renderSummaryBlocks(withConfig).blocks as Block[];
    const all = blocks.map(textOf).join('\n');
    expect(textOf(blocks[0]!)).toContain('1 of 2 targets need attention');
    expect(all).toContain('bot configuration: 1 problem');
    expect(all).toContain('cache: targets.cache.url: environment variable CACHE_URL is not set');
    expect(all).not.toMatch(/cache \(redis\)/);
  });

  it('lists bad targets worst first with their worst finding, and folds the ok ones', () => {
    const blocks = renderSummaryBlocks(mixedSet).blocks as Block[];
    const sections = blocks.filter((b) => b.type === 'section').map(textOf).join('\n');
    expect(sections.indexOf('legacy-api')).toBeGreaterThan(-1);
    expect(sections).toContain('Probe timed out after 12.0 s');
    expect(blocks.map(textOf).join('\n')).toContain('2 ok: cache, reports-db');
  });

  it('stays within Slack limits with 300 failing targets', () => {
    const many = Array.from({ length: 300 }, (_, i) => ({
      ...buildReport(`target-${i}-${'x'.repeat(50)}`, 'http', new Date(started), [
        { check: 'http.status', status: (i % 2 ? 'crit' : 'warn') as Status, title: `HTTP 503 from https://example.com/${'p'.repeat(400)}` },
      ]),
      startedAt: started,
    }));
    const message = renderSummaryBlocks(set(many, 'crit'));
    const blocks = message.blocks as Block[];
    expect(blocks.length).toBeLessThanOrEqual(MAX_BLOCKS);
    expect(textOf(blocks[0]!).length).toBeLessThanOrEqual(MAX_HEADER_TEXT);
    for (const b of blocks) expect(textOf(b).length).toBeLessThanOrEqual(MAX_SECTION_TEXT);
    expect(blocks.map(textOf).join('').length).toBeLessThanOrEqual(MAX_MESSAGE_TEXT);
    const shown = blocks.filter((b) => b.type === 'section').map(textOf).join('\n').split('\n').length;
    expect(blocks.map(textOf).join('\n')).toContain(`${300 - shown} more targets not shown`);
  });
});
