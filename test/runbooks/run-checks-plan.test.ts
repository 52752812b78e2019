// What a Run checks press runs, worked out from a runbook's evidence and the configured targets, and
// what it says: the runbook with its button, the summary above the reports, "nothing to run"
// (golden files in Block Kit and in the terminal).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Target } from '../../src/config/config.ts';
import { plainText, type Message } from '../../src/message/message.ts';
import { allCheckIds } from '../../src/probes/probe-registry.ts';
import { buildReportSet } from '../../src/report.ts';
import { loadRunbooks } from '../../src/runbooks/load-runbooks.ts';
import { MAX_RUNBOOK_CHECK_TARGETS, runbookCheckPlan, runChecksOffer } from '../../src/runbooks/runbook-check-plan.ts';
import { runbookChecksNothingMessage, runbookChecksProgressMessage, runbookChecksSummaryMessage } from '../../src/runbooks/runbook-checks-message.ts';
import { runbookMessage } from '../../src/runbooks/runbook-message.ts';
import type { Runbook } from '../../src/runbooks/runbook.ts';
import { expectGoldenBoth } from '../render/render-both.ts';
import { allOk, configProblem, mixed, rootCause } from '../render/fixtures.ts';

/** The plain words of a message. */
const words = (m: Message) => m.blocks.flatMap((b) => (b.type === 'section' ? b.paragraphs : [])).map((p) => (p.type === 'line' ? plainText(p.spans) : '')).join('\n');

const SHIPPED = loadRunbooks(path.resolve(import.meta.dirname, '../../runbooks'), allCheckIds());
const target = (name: string, kind: string, extra: Partial<Target> = {}): Target => ({ name, kind, thresholds: {}, timeoutMs: 3000, ...extra });

const runbook: Runbook = {
  id: 'postgres-locks',
  title: 'PostgreSQL lock contention',
  summary: 'Queries wait on locks held by another session.',
  severityHint: 'warn',
  symptoms: ['Requests hang, then time out'],
  checks: ['postgres.blocking_locks', 'postgres.long_transactions'],
  remedies: [],
  evidence: [
    { check: 'postgres.blocking_locks', confirms: 'warn' },
    { check: 'postgres.long_transactions', confirms: 'warn' },
    { check: 'postgres.reachable', confirms: 'crit' },
    { check: 'prometheus.query', confirms: 'warn' },
    { check: 'k8s.log_patterns', confirms: 'warn' },
  ],
  manual: [],
  body: '## Confirm\n\nLook at `pg_locks`.',
  file: 'runbooks/postgres-locks.md',
};

describe('the plan of a press', () => {
  it('groups the evidence by kind: the session\'s own check kept, prometheus.query as the query check, a check only /diag logs answers left out', () => {
    const plan = runbookCheckPlan(runbook, [target('db', 'postgres'), target('prom', 'prometheus'), target('prod', 'k8s')]);
    expect(Object.fromEntries([...plan.checks].map(([k, v]) => [k, [...v]]))).toEqual({ postgres: ['blocking_locks', 'long_transactions', 'reachable'], prometheus: ['query'] });
    // The k8s target is of no kind the runbook can check: not run, not counted as skipped.
    expect(plan.targets.map((t) => t.name)).toEqual(['db', 'prom']);
    expect(plan.skipped).toEqual([]);
  });

  it(`runs at most ${MAX_RUNBOOK_CHECK_TARGETS} targets in config order, and names those left out: over the limit, or a configuration that cannot be used`, () => {
    const targets = [target('broken', 'postgres', { configProblem: 'targets.broken.url: environment variable DB_URL is not set' }), ...Array.from({ length: 10 }, (_, i) => target(`db${i + 1}`, 'postgres')), target('cache', 'redis')];
    const plan = runbookCheckPlan(runbook, targets);
    expect(plan.targets.map((t) => t.name)).toEqual(['db1', 'db2', 'db3', 'db4', 'db5', 'db6', 'db7', 'db8']);
    expect(plan.skipped).toEqual([{ target: 'broken', reason: 'config' }, { target: 'db9', reason: 'limit' }, { target: 'db10', reason: 'limit' }]);
  });

  it('offers the button only where a press has something to run, naming the checks of the kinds that have a target', () => {
    expect(runChecksOffer(runbook, [target('cache', 'redis')])).toBeUndefined();
    expect(runChecksOffer(runbook, [target('db', 'postgres', { configProblem: 'x' })])).toBeUndefined();
    expect(runChecksOffer(runbook, [target('db', 'postgres')])).toEqual({ checks: ['postgres.blocking_locks', 'postgres.long_transactions', 'postgres.reachable'], targets: ['db'] });
  });

  it('every shipped runbook with evidence checks can be offered on a target of each of its kinds', () => {
    for (const rb of SHIPPED.all) {
      const kinds = [...new Set(rb.evidence.map((e) => e.check.split('.')[0]!))];
      const offer = runChecksOffer(rb, kinds.map((k) => target(`t-${k}`, k)));
      if (rb.evidence.length === 0) expect(offer, rb.id).toBeUndefined();
      else expect(offer?.checks.length, rb.id).toBeGreaterThan(0);
    }
  });
});

describe('the messages of a press', () => {
  const plan = runbookCheckPlan(runbook, [target('db-main', 'postgres'), target('db-replica', 'postgres', { configProblem: 'x' }), ...Array.from({ length: 8 }, (_, i) => target(`db${i + 1}`, 'postgres'))]);

  it('golden: the runbook with its Run checks button, the checks and the targets named', () => {
    expectGoldenBoth('runbook-run-checks', (budget) => runbookMessage(runbook, { budget, runChecks: runChecksOffer(runbook, [target('db-main', 'postgres'), target('db-replica', 'postgres')])! }));
  });

  it('golden: the summary above the reports, worst first, with the targets not run', () => {
    const set = buildReportSet(new Date('2026-12-01T12:00:00Z'), [allOk, mixed, rootCause, configProblem]);
    const fixed = { ...set, startedAt: '2026-12-01T12:00:00.000Z', durationMs: 1234 };
    expectGoldenBoth('runbook-checks-summary', (budget) => runbookChecksSummaryMessage(runbook, fixed, plan, 'U0BOB', budget));
    expectGoldenBoth('runbook-checks-progress', (budget) => runbookChecksProgressMessage(runbook, plan, 'U0BOB', budget));
  });

  it('golden: nothing to run, and why', () => {
    expectGoldenBoth('runbook-checks-nothing', () => runbookChecksNothingMessage(runbook, runbookCheckPlan(runbook, []), 'chatops.yml'));
    const broken = runbookCheckPlan(runbook, [target('db', 'postgres', { configProblem: 'x' })]);
    expect(words(runbookChecksNothingMessage(runbook, broken, 'chatops.yml'))).toContain('No target of kind postgres or prometheus can be used: db has a configuration problem');
    const none = runbookCheckPlan({ evidence: [{ check: 'k8s.log_patterns', confirms: 'warn' }] }, [target('prod', 'k8s')]);
    expect(words(runbookChecksNothingMessage(runbook, none, 'chatops.yml'))).toContain('Runbook postgres-locks has no checks a probe runs.');
  });
});
