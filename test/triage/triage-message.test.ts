// The /triage answer in both transports (golden files in test/render/golden): causes with their
// confidence in words, evidence and buttons; nothing confirmed said plainly with what was ruled
// out and what could not be checked; the model's words labelled as generated, or why there are
// none; and a report's Explain answer. `UPDATE_GOLDEN=1 npx vitest run test/triage/triage-message.test.ts` rewrites them.
import { describe, expect, it } from 'vitest';
import { plainText } from '../../src/message/message.ts';
import { SLACK_BUDGET } from '../../src/slack/slack-budget.ts';
import { triageMessage } from '../../src/triage/triage-message.ts';
import type { TriageResult } from '../../src/triage/triage-result.ts';
import { expectGoldenBoth } from '../render/render-both.ts';

const CONFIRMED: TriageResult = {
  symptom: 'too many clients already',
  causes: [
    {
      runbook: 'postgres-connection-exhaustion',
      title: 'PostgreSQL connection slots running out',
      confidence: 0.96,
      confirmed: true,
      evidence: [
        { target: 'main-db', check: 'postgres.connections', status: 'crit', title: 'Connections 17/17 (100%)', supports: true },
        { target: 'main-db', check: 'postgres.idle_in_transaction', status: 'warn', title: 'pid 4242 (api) idle in transaction for 14 min', supports: true },
        { target: 'replica-db', check: 'postgres.connections', status: 'ok', title: 'Connections 12/100 (12%)', supports: false },
      ],
      next: 'press "Terminate pid 4242" (postgres.terminate_backend on main-db)',
      remedies: [{ action: 'postgres.terminate_backend', label: 'Terminate pid 4242', params: { pid: 4242 }, target: 'main-db' } as never],
    },
    {
      runbook: 'postgres-slow-queries',
      title: 'PostgreSQL slow and long-running queries',
      confidence: 0.3,
      confirmed: false,
      evidence: [
        { target: 'main-db', check: 'postgres.slow_queries', status: 'unknown', title: 'Slow queries: could not check (pg_stat_statements is not installed)' },
        { target: 'main-db', check: 'postgres.long_queries', status: 'ok', title: 'No statement running longer than 120 s', supports: false },
      ],
      next: 'read /runbook postgres-slow-queries',
    },
  ],
  ruledOut: [{ runbook: 'redis-connection-problems', title: 'Redis refusing or dropping connections', evidence: [{ target: 'cache', check: 'redis.reachable', status: 'ok', title: 'Reachable', supports: false }] }],
  durationMs: 1234,
  narration: { ok: true, model: 'gpt-4o-mini', text: 'The database has no free connection slots: every one is taken, one of them by a session idle in a transaction for 14 minutes.\n\nTerminating that session frees a slot; a pooler keeps it from happening again.' },
};

const NOTHING: TriageResult = {
  symptom: 'the API is slow',
  causes: [
    {
      runbook: 'http-health-endpoint',
      title: 'Health endpoint failing, slow, or its certificate expiring',
      confidence: 0.14,
      confirmed: false,
      evidence: [
        { target: 'shop-api', check: 'http.latency', status: 'ok', title: 'Latency 120 ms', supports: false },
        { target: 'shop-api', check: 'http.certificate', status: 'unknown', title: 'Certificate: could not check (plain http)' },
      ],
      next: 'read /runbook http-health-endpoint',
    },
  ],
  ruledOut: [
    { runbook: 'postgres-slow-queries', title: 'PostgreSQL slow and long-running queries', evidence: [{ target: 'main-db', check: 'postgres.slow_queries', status: 'ok', title: 'Mean 3 ms', supports: false }, { target: 'main-db', check: 'postgres.long_queries', status: 'ok', title: 'None running long', supports: false }] },
  ],
  notChecked: [{ runbook: 'third-party-api-limits', title: 'A third-party API is rate limiting us, out of quota, or refusing our key', reason: 'no stripe, openai or sendgrid target configured' }],
  durationMs: 850,
  narration: { ok: false, reason: 'no answer within 8.0 s' },
};

const EXPLAIN: TriageResult = {
  symptom: 'the findings of shop-api',
  causes: [
    {
      runbook: 'http-health-endpoint',
      title: 'Health endpoint failing, slow, or its certificate expiring',
      confidence: 0.9,
      confirmed: true,
      evidence: [{ target: 'shop-api', check: 'http.status', status: 'crit', title: 'HTTP 503 Service Unavailable, expected 2xx', supports: true }],
      next: 'the service reports itself unavailable: read what the body says and check its dependencies.',
    },
  ],
  ruledOut: [],
  durationMs: 0,
};

describe('the /triage answer', () => {
  it('confirmed causes first: confidence in words, evidence, the remedy and Runbook buttons, the labelled narration', () => {
    expectGoldenBoth('triage-confirmed', (budget) => triageMessage(CONFIRMED, { budget, checked: ['main-db', 'replica-db', 'cache'] }));
  });

  it('nothing confirmed: said plainly, with what was ruled out, what was not checked and why the model is silent', () => {
    expectGoldenBoth('triage-nothing-confirmed', (budget) => triageMessage(NOTHING, { budget, checked: ['shop-api', 'main-db'] }));
  });

  it('a report\'s Explain answer', () => {
    expectGoldenBoth('triage-explain', (budget) => triageMessage(EXPLAIN, { budget, about: 'Explain: shop-api' }));
  });

  it('the notification names the top confirmed cause, or that nothing is confirmed', () => {
    expect(plainText(triageMessage(CONFIRMED, { budget: SLACK_BUDGET }).notification)).toBe(' 96% likely: PostgreSQL connection slots running out');
    expect(plainText(triageMessage(NOTHING, { budget: SLACK_BUDGET }).notification)).toBe(' Nothing confirmed for "the API is slow"');
  });

  it('words no runbook matches: says so and how to find one, instead of "nothing confirmed"', () => {
    const text = JSON.stringify(triageMessage({ symptom: 'xyzzy plugh', causes: [], ruledOut: [], durationMs: 3 }, { budget: SLACK_BUDGET, checked: [] }));
    expect(text).toContain('No runbook matches these words');
    expect(text).toContain('"name":"runbook","args":"search <words>"');
    expect(text).not.toContain('Nothing confirmed');
  });

  it('fits Slack with 40 causes of 40 findings each, and says how many are left out', () => {
    const many: TriageResult = {
      ...CONFIRMED,
      causes: Array.from({ length: 40 }, (_, i) => ({ ...CONFIRMED.causes[0]!, runbook: `r${i}`, evidence: Array.from({ length: 40 }, (_, j) => ({ ...CONFIRMED.causes[0]!.evidence[0]!, title: `finding ${j} ${'x'.repeat(400)}` })) })),
    };
    const message = triageMessage(many, { budget: SLACK_BUDGET });
    expect(message.blocks.length).toBeLessThanOrEqual(SLACK_BUDGET.maxBlocks);
    const texts = JSON.stringify(message);
    expect(texts).toContain('35 less likely causes not shown');
    expect(texts).toContain('35 more findings');
  });
});
