// The Explain button of a report (reportMessage with `explain`): only under a report with a warn or
// crit finding of the system (not the bot's own configuration), carrying the findings worst first
// and the ok checks, as many as Slack's button value holds; read back by the interaction registry
// as the same intent; written in a terminal as what it would do.
import { describe, expect, it } from 'vitest';
import { renderTerminal } from '../../src/cli/render-terminal.ts';
import { UNLIMITED_BUDGET } from '../../src/message/budget.ts';
import type { TriageExplainIntent } from '../../src/message/intent.ts';
import type { Message } from '../../src/message/message.ts';
import { buildReport, type Finding } from '../../src/report.ts';
import { reportMessage } from '../../src/render/report-message.ts';
import type { RunbookIndex } from '../../src/runbooks/load-runbooks.ts';
import { BOT_INTERACTIONS } from '../../src/slack/interactions/bot-interactions.ts';
import { SLACK_BUDGET } from '../../src/slack/slack-budget.ts';

const context = { runbooks: { all: [], byId: new Map(), byCheck: new Map() } as RunbookIndex };

function explainOf(message: Message): TriageExplainIntent | undefined {
  const button = message.blocks.flatMap((b) => (b.type === 'actions' ? b.buttons : [])).find((b) => b.intent?.intent === 'triage.explain');
  return button?.intent as TriageExplainIntent | undefined;
}

describe('the Explain button of a report', () => {
  it('is offered under a report with a warn or crit finding, never under an ok one or one whose only trouble is the bot\'s configuration', () => {
    const ok = buildReport('main-db', 'postgres', new Date(), [{ check: 'postgres.connections', status: 'ok', title: 'Connections 3/100' }]);
    const config = buildReport('main-db', 'postgres', new Date(), [{ check: 'postgres.config', status: 'unknown', config: true, title: 'Bot configuration: DB_URL is not set' }]);
    const warn = buildReport('main-db', 'postgres', new Date(), [{ check: 'postgres.connections', status: 'warn', title: 'Connections 85/100' }, { check: 'postgres.deadlocks', status: 'ok', title: 'No deadlocks' }]);
    expect(explainOf(reportMessage(ok, { budget: SLACK_BUDGET, explain: true }))).toBeUndefined();
    expect(explainOf(reportMessage(config, { budget: SLACK_BUDGET, explain: true }))).toBeUndefined();
    expect(explainOf(reportMessage(warn, { budget: SLACK_BUDGET }))).toBeUndefined();
    expect(explainOf(reportMessage(warn, { budget: SLACK_BUDGET, explain: true }))).toEqual({
      intent: 'triage.explain',
      report: { target: 'main-db', kind: 'postgres', findings: [{ check: 'postgres.connections', status: 'warn', title: 'Connections 85/100' }], ok: ['postgres.deadlocks'] },
    });
  });

  it('carries the worst findings first and as many as Slack\'s button value holds; the registry reads it back as the same intent', () => {
    const findings: Finding[] = [
      ...Array.from({ length: 60 }, (_, i): Finding => ({ check: `k8s.crashloop`, status: 'warn', title: `deployment shop/api-${i}: 1 of 3 pods crashlooping, exit code 1 ${'x'.repeat(60)}` })),
      { check: 'k8s.oomkilled', status: 'crit', title: 'deployment shop/worker: OOMKilled 3 times in 10 min', rootCause: true, merged: ['k8s.restarts'] },
      { check: 'k8s.nodes', status: 'ok', title: 'Nodes ready' },
    ];
    const report = buildReport('prod', 'k8s', new Date(), findings);
    const intent = explainOf(reportMessage(report, { budget: SLACK_BUDGET, explain: true }))!;
    expect(intent.report.findings[0]).toEqual({ check: 'k8s.oomkilled', status: 'crit', title: 'deployment shop/worker: OOMKilled 3 times in 10 min', merged: ['k8s.restarts'] });
    expect(intent.report.findings.length).toBeGreaterThan(3);
    expect(intent.report.findings.length).toBeLessThan(61);
    expect(SLACK_BUDGET.fitsButton!(intent)).toBe(true);

    const { actionId, value } = BOT_INTERACTIONS.encode(intent);
    expect(actionId).toBe('triage:explain');
    expect(BOT_INTERACTIONS.decode(actionId, value, context)).toEqual({ ok: true, intent });
    expect(BOT_INTERACTIONS.ttlMs(actionId)).toBe(24 * 3600_000);
  });

  it('writes a title\'s <, > and & as JSON escapes in the value, and reads them back', () => {
    const report = buildReport('shop', 'http', new Date(), [{ check: 'http.status', status: 'crit', title: 'HTTP 500: <!channel> <https://evil.example|login> & more' }]);
    const intent = explainOf(reportMessage(report, { budget: SLACK_BUDGET, explain: true }))!;
    const { actionId, value } = BOT_INTERACTIONS.encode(intent);
    expect(value).not.toMatch(/[<>&]/);
    expect(BOT_INTERACTIONS.decode(actionId, value, context)).toEqual({ ok: true, intent });
  });

  it('refuses values of the wrong shape, naming what is wrong', () => {
    const decode = (raw: unknown) => BOT_INTERACTIONS.decode('triage:explain', typeof raw === 'string' ? raw : JSON.stringify(raw), context);
    expect(decode('not json')).toEqual({ ok: false, problem: 'This Explain button is not valid: its value is not JSON: run /diag again' });
    expect(decode({ report: { target: 'x', kind: 'k8s', findings: [] } })).toEqual({ ok: false, problem: 'This Explain button is not valid: it carries no report ({target, kind, findings, ok}): run /diag again' });
    expect(decode({ report: { target: 'x', kind: 'k8s', findings: [{ check: 'k8s.crashloop', status: 'crit', title: 'x', merged: [1] }], ok: [] } })).toEqual({ ok: false, problem: 'This Explain button is not valid: a finding\'s merged checks are not a list of check ids: run /diag again' });
    expect(decode({ report: { target: 'x', kind: 'k8s', findings: [], ok: [''] } })).toEqual({ ok: false, problem: 'This Explain button is not valid: the ok checks are not a list of check ids: run /diag again' });
  });

  it('is written in a terminal as what it would do', () => {
    const report = buildReport('main-db', 'postgres', new Date(), [{ check: 'postgres.connections', status: 'crit', title: 'Connections 100/100' }]);
    expect(renderTerminal(reportMessage(report, { budget: UNLIMITED_BUDGET, explain: true }), { color: false })).toContain('button: Explain (explains the findings of main-db)');
  });
});
