// How findings weigh on causes (triageFromReports, with the project's runbooks): a confirming crit
// over a confirming warn over a warn below what the runbook asks over the words alone; ok
// findings against; a candidate whose every check came back ok ruled out; a runbook the words did
// not pick added only on a crit, and below the ones they did; a report's findings alone (Explain)
// at full weight. And runTriage's budget: only the needed checks run, once per target, and the
// model's words arrive within the budget or not at all, never changing the causes.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.ts';
import { silentLogger } from '../../src/logger.ts';
import { allCheckIds } from '../../src/probes/probe-registry.ts';
import { buildReport, type Finding } from '../../src/report.ts';
import { loadRunbooks } from '../../src/runbooks/load-runbooks.ts';
import { planTriage, runTriage } from '../../src/triage/run-triage.ts';
import { triageFromReports } from '../../src/triage/triage-from-reports.ts';
import type { RankedRunbook } from '../../src/triage/triage-result.ts';
import { triageStatus } from '../../src/triage/triage-status.ts';
import { confidenceWords } from '../../src/triage/confidence-words.ts';
import { FakeHttpServer } from '../probes/http/fake-http-services.ts';

const runbooks = loadRunbooks(path.resolve(import.meta.dirname, '../../runbooks'), allCheckIds());
const DB = 'main-db';

function weigh(findings: Finding[], candidates: RankedRunbook[], unasked: 'crit' | 'all' = 'crit') {
  return triageFromReports({ symptom: 's', candidates, reports: [buildReport(DB, 'postgres', new Date(), findings)], runbooks, unasked, durationMs: 0 });
}

const exhaustion: RankedRunbook = { runbook: 'postgres-connection-exhaustion', score: 0.6, matched: [] };
const locks: RankedRunbook = { runbook: 'postgres-locks', score: 0.5, matched: [] };

describe('confidence from the evidence', () => {
  it('a confirming crit weighs more than a confirming warn, both above 0.7 and "likely"; the words alone stay at 0.4 at most, "not confirmed"', () => {
    const crit = weigh([{ check: 'postgres.connections', status: 'crit', title: 'Connections 17/17' }], [exhaustion]).causes[0]!;
    const warn = weigh([{ check: 'postgres.connections', status: 'warn', title: 'Connections 15/17' }], [exhaustion]).causes[0]!;
    const words = weigh([{ check: 'postgres.connections', status: 'unknown', title: 'Connections: could not check' }], [{ ...exhaustion, score: 1 }]).causes[0]!;
    expect(crit.confidence).toBeGreaterThan(warn.confidence);
    expect(warn.confidence).toBeGreaterThan(0.7);
    expect([confidenceWords(crit), confidenceWords(warn)]).toEqual(['likely', 'likely']);
    expect(words).toMatchObject({ confirmed: false });
    expect(words.confidence).toBeLessThanOrEqual(0.4);
    expect(confidenceWords(words)).toBe('not confirmed');
  });

  it('ok findings of its evidence on the confirming target lower a confirmed cause', () => {
    const alone = weigh([{ check: 'postgres.blocking_locks', status: 'warn', title: 'pid 1 blocks 2' }], [locks]).causes[0]!;
    const withOk = weigh([{ check: 'postgres.blocking_locks', status: 'warn', title: 'pid 1 blocks 2' }, { check: 'postgres.deadlocks', status: 'ok', title: 'No deadlocks' }, { check: 'postgres.long_transactions', status: 'ok', title: 'None' }], [locks]).causes[0]!;
    expect(withOk.confidence).toBeLessThan(alone.confidence);
    expect(withOk.evidence.filter((e) => e.supports === false).map((e) => e.check).sort()).toEqual(['postgres.deadlocks', 'postgres.long_transactions']);
  });

  it('a candidate whose every check came back ok is ruled out; ok beside unknown only lowers the words', () => {
    const ruled = weigh([{ check: 'postgres.connections', status: 'ok', title: 'Connections 3/17' }, { check: 'postgres.idle_in_transaction', status: 'ok', title: 'None' }], [exhaustion]);
    expect(ruled.causes).toEqual([]);
    expect(ruled.ruledOut.map((r) => r.runbook)).toEqual(['postgres-connection-exhaustion']);
    const mixed = weigh([{ check: 'postgres.connections', status: 'ok', title: 'Connections 3/17' }, { check: 'postgres.idle_in_transaction', status: 'unknown', title: 'could not check' }], [exhaustion]);
    expect(mixed.causes[0]!.confidence).toBeLessThan(0.4 * exhaustion.score);
    expect(mixed.ruledOut).toEqual([]);
    expect(triageStatus(mixed)).toBe('ok');
  });

  it('a root cause speaks for the checks it took in', () => {
    const result = weigh([{ check: 'postgres.blocking_locks', status: 'warn', title: 'pid 1 idle in transaction blocks 2', rootCause: true, merged: ['postgres.idle_in_transaction'] }], [exhaustion]);
    expect(result.causes[0]).toMatchObject({ runbook: 'postgres-connection-exhaustion', confirmed: true });
  });

  it('a runbook the words did not pick is added on a crit only, below the confirmed candidates; a report\'s findings alone add every confirmed one at full weight', () => {
    const findings: Finding[] = [{ check: 'postgres.connections', status: 'crit', title: 'Connections 17/17' }, { check: 'postgres.blocking_locks', status: 'warn', title: 'pid 1 blocks 2' }];
    const typed = weigh(findings, [locks]);
    expect(typed.causes.map((c) => c.runbook)).toEqual(['postgres-locks', 'postgres-connection-exhaustion']);
    expect(typed.causes[1]!.confidence).toBeLessThan(typed.causes[0]!.confidence);
    expect(confidenceWords(typed.causes[1]!)).toBe('possible');
    const warnOnly = weigh([{ check: 'postgres.connections', status: 'warn', title: 'Connections 15/17' }], [locks]);
    expect(warnOnly.causes.map((c) => c.runbook)).toEqual(['postgres-locks']);
    const explained = weigh(findings, [], 'all');
    expect(explained.causes.map((c) => c.runbook)).toEqual(['postgres-connection-exhaustion', 'postgres-locks']);
    expect(explained.causes.every((c) => c.confidence > 0.7)).toBe(true);
  });

  it('the next step: the confirming finding\'s button, else its fix, else the runbook\'s first manual step, else the runbook', () => {
    const button = weigh([{ check: 'postgres.connections', status: 'crit', title: 'Connections 17/17', remedies: [{ action: 'postgres.terminate_backend', label: 'Terminate pid 7', params: { pid: 7 } }] }], [exhaustion]).causes[0]!;
    expect(button.next).toBe('press "Terminate pid 7" (postgres.terminate_backend on main-db)');
    expect(button.remedies).toEqual([{ action: 'postgres.terminate_backend', label: 'Terminate pid 7', params: { pid: 7 }, target: DB }]);
    const fix = weigh([{ check: 'postgres.connections', status: 'crit', title: 'Connections 17/17', fix: 'put a pooler in front' }], [exhaustion]).causes[0]!;
    expect(fix.next).toBe('put a pooler in front');
    const guess = weigh([], [exhaustion]).causes[0]!;
    const manual = runbooks.byId.get('postgres-connection-exhaustion')!.manual[0];
    expect(guess.next).toBe(manual ?? 'read /runbook postgres-connection-exhaustion');
  });
});

describe('runTriage', () => {
  let api: FakeHttpServer;
  beforeAll(async () => {
    api = await FakeHttpServer.start({ '/health': { status: 503, body: 'down' } });
  });
  afterAll(async () => {
    await api?.close();
  });
  const config = () => parseConfig({ targets: { 'shop-api': { kind: 'http', url: `${api.url}/health`, timeoutMs: 5000 }, 'other-api': { kind: 'http', url: `${api.url}/health`, timeoutMs: 5000 }, cache: { kind: 'redis', url: 'redis://127.0.0.1:1' } } }, 't.yml', {});

  it('plans each target once with only the checks its kind is asked for, the best candidates\' targets first, within the cap', () => {
    const targets = config().targets;
    const plan = planTriage([{ runbook: 'http-health-endpoint', score: 1, matched: [] }, { runbook: 'redis-memory-pressure', score: 0.5, matched: [] }], runbooks, targets, 2);
    expect(plan.runs.map((r) => r.target.name)).toEqual(['shop-api', 'other-api']);
    expect([...plan.runs[0]!.checks].sort()).toEqual([...new Set(runbooks.byId.get('http-health-endpoint')!.evidence.filter((e) => e.check.startsWith('http.')).map((e) => e.check.split('.')[1]!))].sort());
    expect(plan.notChecked).toEqual([{ runbook: 'redis-memory-pressure', title: runbooks.byId.get('redis-memory-pressure')!.title, reason: 'its targets were not run: at most 2 targets are checked for one symptom, and the likelier causes took them' }]);
  });

  it('a model that never answers: the answer comes within the budget, saying so, with the same causes', async () => {
    const targets = config().targets;
    const without = (await runTriage('users see 503 errors', { targets, runbooks, log: silentLogger() })).result;
    const { result } = await runTriage('users see 503 errors', { targets, runbooks, log: silentLogger(), budgetMs: 10_000, narrate: () => new Promise(() => undefined) });
    expect(result.narration).toMatchObject({ ok: false, reason: expect.stringMatching(/^no answer within \d+\.\d s$/) });
    expect(result.causes.map((c) => [c.runbook, c.confidence])).toEqual(without.causes.map((c) => [c.runbook, c.confidence]));
  });

  it('a model that throws or rewrites what it is given changes nothing: its words or its failure are all it adds', async () => {
    const targets = config().targets;
    const failing = (await runTriage('users see 503 errors', { targets, runbooks, log: silentLogger(), narrate: async () => { throw new Error('model server said 500'); } })).result;
    expect(failing.narration).toEqual({ ok: false, reason: 'model server said 500' });
    const meddling = (await runTriage('users see 503 errors', {
      targets, runbooks, log: silentLogger(),
      narrate: async (r) => {
        r.causes.reverse();
        for (const c of r.causes) c.confidence = 1;
        return { ok: true, text: 'It is DNS.', model: 'nonsense-1' };
      },
    })).result;
    expect(meddling.narration).toEqual({ ok: true, text: 'It is DNS.', model: 'nonsense-1' });
    expect(meddling.causes[0]!.runbook).toBe('http-health-endpoint');
    expect(meddling.causes.every((c) => c.confidence < 1)).toBe(true);
  });
});
