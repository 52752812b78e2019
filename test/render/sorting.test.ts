import { describe, expect, it } from 'vitest';
import { renderTerminal } from '../../src/cli/render-terminal.ts';
import { UNLIMITED_BUDGET } from '../../src/message/budget.ts';
import { toDisplayReport } from '../../src/render/display-report.ts';
import { reportMessage } from '../../src/render/report-message.ts';
import type { Report } from '../../src/report.ts';
import { encodeIntent } from '../../src/slack/encode-intent.ts';
import { renderMessage } from '../../src/slack/render-message.ts';
import { SLACK_BUDGET } from '../../src/slack/slack-budget.ts';
import { allOk, mixed } from './fixtures.ts';

const renderReportBlocks = (report: Report) => renderMessage(reportMessage(report, { budget: SLACK_BUDGET }), encodeIntent);
const renderReportText = (report: Report, options: { color: boolean }) => renderTerminal(reportMessage(report, { budget: UNLIMITED_BUDGET }), options);

describe('order and folding', () => {
  it('puts crit before warn before unknown, and folds ok into one line', () => {
    const d = toDisplayReport(mixed);
    expect(d.findings.map((f) => f.status)).toEqual(['crit', 'warn', 'warn', 'unknown']);
    // Within a status the probe's order holds.
    expect(d.findings.map((f) => f.check)).toEqual([
      'postgres.connections', 'postgres.slow_queries', 'postgres.long_transactions', 'postgres.replication_lag',
    ]);
    expect(d.okLine).toBe('2 checks ok: cache_hit, locks');
    expect(d.counts).toEqual({ crit: 1, warn: 2, unknown: 1, ok: 2 });
    expect(d.omittedFindings).toBe(0);
    expect(d.omittedLine).toBeUndefined();
  });

  it('shows the same order in Slack and in the terminal', () => {
    const blocks = renderReportBlocks(mixed).blocks as Array<{ type: string; text?: { text: string }; elements?: Array<{ text: string }> }>;
    const emojis = blocks.filter((b) => b.type === 'section').map((b) => b.text!.text.split(' ')[0]);
    expect(emojis).toEqual(['*:red_circle:', '*:large_orange_circle:', '*:large_orange_circle:', '*:white_circle:']);
    const last = blocks.at(-1)!;
    expect(last.type).toBe('context');
    expect(last.elements![0]!.text).toBe(':large_green_circle: 2 checks ok: cache_hit, locks');

    const text = renderReportText(mixed, { color: false }).replace(/ +/g, ' ');
    const order = ['[CRIT] Connections', '[WARN] 3 queries', '[WARN] Oldest', '[UNKNOWN] Replication', '2 checks ok'].map((s) => text.indexOf(s));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('renders an all-ok report as a header and one folded line', () => {
    const { text, blocks } = renderReportBlocks(allOk);
    expect(text).toBe(':large_green_circle: db-main (postgres): OK (8 ok)');
    expect(blocks.map((b) => (b as { type: string }).type)).toEqual(['header', 'context', 'context']);
    expect(toDisplayReport(allOk).okLine).toBe(
      '8 checks ok: connections, cache_hit, replication_lag, long_transactions, locks, bloat, vacuum, wraparound',
    );
  });

  it('colours the terminal only when asked', () => {
    const plain = renderReportText(mixed, { color: false });
    const coloured = renderReportText(mixed, { color: true });
    expect(plain).not.toContain('\u001b[');
    expect(coloured).toContain('\u001b[1;31m[CRIT]');
    expect(coloured).toContain('\u001b[1;33m[WARN]');
    expect(coloured).toContain('\u001b[1;90m[UNKNOWN]');
    expect(coloured).toContain('\u001b[32m[OK]\u001b[0m');
    expect(coloured).toContain('\u001b[2m2 checks ok');
    // eslint-disable-next-line no-control-regex
    expect(coloured.replace(/\u001b\[[\d;]*m/g, '')).toBe(plain);
  });
});
