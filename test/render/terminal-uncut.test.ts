// The terminal has no budget: the CLI shows a whole report, however large, and never sends its
// reader elsewhere for the rest.
import { describe, expect, it } from 'vitest';
import { renderTerminal } from '../../src/cli/render-terminal.ts';
import { UNLIMITED_BUDGET } from '../../src/message/budget.ts';
import { reportMessage } from '../../src/render/report-message.ts';
import { summaryMessage } from '../../src/render/summary-message.ts';
import { buildReport, type Status } from '../../src/report.ts';
import { huge } from './fixtures.ts';

describe('the huge report in the terminal', () => {
  const text = renderTerminal(reportMessage(huge, { budget: UNLIMITED_BUDGET, runbookUrl: (id) => `https://runbooks.example.com/${id}` }), { color: false });
  const lines = text.split('\n');

  it('shows every finding that is not ok, with its whole title', () => {
    for (const f of huge.findings.filter((f) => f.status !== 'ok')) expect(lines.some((l) => l.endsWith(f.title.replace(/\s+/g, ' ').trim())), f.check).toBe(true);
    expect(lines.filter((l) => /^\[(CRIT|WARN|UNKNOWN)\] /.test(l))).toHaveLength(1 + 80);
  });

  it('shows every detail line, uncut', () => {
    for (const detailLine of huge.findings[0]!.detail!.split('\n')) expect(lines).toContain(`          ${detailLine}`);
    expect(text).toContain('detail 77.5: ');
  });

  it('shows every remedy, the one too large for a Slack button included', () => {
    for (let i = 0; i < 7; i++) expect(text).toContain(`(postgres.cancel_query pid=${1000 + i})`);
    expect(text).toContain('action: Kill with a giant parameter (postgres.kill query=');
    expect(text).toContain('action: Kill with a small parameter (postgres.kill pid=7)');
  });

  it('folds all 30 ok checks and leaves nothing out', () => {
    const ok = lines.find((l) => l.includes('30 checks ok'))!;
    for (let i = 0; i < 30; i++) expect(ok).toContain(`ok_check_with_a_longish_name_${i}`);
    expect(text).not.toMatch(/not shown|more lines|use the CLI/);
  });
});

describe('/diag all in the terminal', () => {
  it('lists all 300 failing targets with their whole names and titles', () => {
    const started = new Date('2026-11-22T03:00:00.000Z');
    const reports = Array.from({ length: 300 }, (_, i) => buildReport(`target-${i}-${'x'.repeat(50)}`, 'http', started, [
      { check: 'http.status', status: (i % 2 ? 'crit' : 'warn') as Status, title: `HTTP 503 from https://example.com/${'p'.repeat(400)}` },
    ]));
    const text = renderTerminal(summaryMessage({ status: 'crit', startedAt: started.toISOString(), durationMs: 5, reports }, { budget: UNLIMITED_BUDGET }), { color: false });
    for (let i = 0; i < 300; i++) expect(text).toContain(`target-${i}-${'x'.repeat(50)} (http): HTTP 503 from https://example.com/${'p'.repeat(400)} [`);
    expect(text).not.toContain('not shown');
  });
});
