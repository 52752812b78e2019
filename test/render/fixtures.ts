// Fixed reports for the renderer tests; startedAt and durationMs are fixed so output is stable.
import type { Finding, Report } from '../../src/report.ts';
import { buildReport, sortFindings, worstStatus } from '../../src/report.ts';

const STARTED_AT = '2025-03-14T09:26:53.000Z';

function report(target: string, findings: Finding[], durationMs = 142): Report {
  return {
    target,
    kind: 'postgres',
    status: worstStatus(findings.map((f) => f.status)),
    startedAt: STARTED_AT,
    durationMs,
    findings: sortFindings(findings),
  };
}

const OK_CHECKS = ['connections', 'cache_hit', 'replication_lag', 'long_transactions', 'locks', 'bloat', 'vacuum', 'wraparound'];

function okFindings(names: string[]): Finding[] {
  return names.map((n) => ({ check: `postgres.${n}`, status: 'ok', title: `${n} fine` }));
}

export const allOk: Report = report('db-main', okFindings(OK_CHECKS), 87);

/** Deliberately not sorted: the renderers must sort. */
export const mixed: Report = {
  ...report('db-main', []),
  status: 'crit',
  findings: [
    { check: 'postgres.cache_hit', status: 'ok', title: 'Cache hit ratio 99.2%' },
    {
      check: 'postgres.slow_queries',
      status: 'warn',
      title: '3 queries slower than 5 s on average',
      detail: [
        '  mean ms  calls  query',
        ' 12,410.2     41  SELECT * FROM orders WHERE customer_id = $1 ORDER BY created_at',
        '  7,002.9    210  UPDATE stock SET qty = qty - $1 WHERE sku = $2',
        '  5,133.0     12  SELECT count(*) FROM events',
      ].join('\n'),
      remedies: [{ action: 'postgres.explain', label: 'Explain the slowest', params: { queryid: '-4512398223' } }],
      runbook: 'postgres-slow-queries',
    },
    { check: 'postgres.replication_lag', status: 'unknown', title: 'Replication lag unknown: no replicas visible', detail: 'pg_stat_replication is empty' },
    { check: 'postgres.locks', status: 'ok', title: 'No blocked queries' },
    {
      check: 'postgres.connections',
      status: 'crit',
      title: 'Connections 182/200 (91%)',
      detail: ['state                count', 'idle in transaction     97', 'active                  61', 'idle                    24'].join('\n'),
      metrics: { used: 182, max: 200 },
      remedies: [
        { action: 'postgres.terminate_idle', label: 'Terminate idle in transaction > 10 min', params: { olderThanMinutes: 10 } },
        { action: 'postgres.cancel_query', label: 'Cancel pid 4242', params: { pid: 4242 } },
        { action: 'postgres.cancel_query', label: 'Cancel pid 4243', params: { pid: 4243 } },
      ],
      runbook: 'postgres-connection-exhaustion',
    },
    { check: 'postgres.long_transactions', status: 'warn', title: 'Oldest transaction open for 42 min' },
  ],
};

/** 80 bad findings, the first with a 10,000-character detail, plus 30 ok checks. */
export const huge: Report = (() => {
  const findings: Finding[] = [];
  const longDetail = Array.from({ length: 100 }, (_, i) => `line ${String(i).padStart(3, '0')} ${'x'.repeat(91)}`).join('\n');
  findings.push({
    check: 'postgres.slow_queries',
    status: 'crit',
    title: `A very long title ${'that goes on '.repeat(40)}`,
    detail: `${'y'.repeat(400)}\n${longDetail}`.slice(0, 10_000),
    remedies: [
      ...Array.from({ length: 7 }, (_, i) => ({
        action: `postgres.cancel_query`,
        label: `Cancel the query of process ${i} which has been running for a very long time indeed`,
        params: { pid: 1000 + i },
      })),
    ],
    runbook: 'postgres-slow-queries',
  });
  findings.push({
    check: 'postgres.giant_param',
    status: 'crit',
    title: 'A remedy whose value cannot fit a button',
    remedies: [
      { action: 'postgres.kill', label: 'Kill with a giant parameter', params: { query: 'q'.repeat(3000) } },
      { action: 'postgres.kill', label: 'Kill with a small parameter', params: { pid: 7 } },
    ],
  });
  for (let i = 0; i < 78; i++) {
    const status = i % 3 === 0 ? 'crit' : i % 3 === 1 ? 'warn' : 'unknown';
    findings.push({
      check: `postgres.check_${String(i).padStart(2, '0')}`,
      status,
      title: `Finding ${i} is ${status}`,
      detail: Array.from({ length: 6 }, (_, j) => `detail ${i}.${j}: ${'z'.repeat(60)}`).join('\n'),
      remedies: [{ action: 'postgres.reset', label: `Reset ${i}`, params: { n: i } }],
      runbook: 'postgres-locks',
    });
  }
  findings.push(...okFindings(Array.from({ length: 30 }, (_, i) => `ok_check_with_a_longish_name_${i}`)));
  return report('db-main', findings, 4321);
})();

/** Text with Slack's control characters and code fences. */
export const special: Report = report('db <prod> & "friends"', [
  {
    check: 'postgres.slow_queries',
    status: 'crit',
    title: 'Query <!channel> & co is slow > 5 s',
    detail: "SELECT * FROM t WHERE a < 5 AND b > 3 AND c <> 'x' && d\n```\nSELECT '<@U123>' -- `inline`",
    remedies: [{ action: 'postgres.cancel_query', label: 'Cancel <pid> & retry', params: { pid: 1, note: '<&>' } }],
    runbook: 'postgres-slow-queries',
  },
  { check: 'postgres.locks', status: 'warn', title: 'Locks: a <-> b', detail: 'lock & key' },
  { check: 'postgres.a<b>&c', status: 'ok', title: 'ok' },
]);

/**
 * One culprit blamed by three checks, as the report holds it after merging: the root cause first
 * with its one button, its victims as effects, a fix longer than a detail line, and the server named.
 */
export const rootCause: Report = {
  ...buildReport('db-main', 'postgres', new Date(STARTED_AT), [
    { check: 'postgres.cache_hit', status: 'ok', title: 'Cache hit ratio 99.2%' },
    {
      check: 'postgres.slow_queries',
      status: 'warn',
      title: '1 statement slower than 1 s on average since the previous run',
      detail: '  mean ms  calls  query\n  1,204.0      3  SELECT * FROM invoices WHERE customer_id = $1',
      fix: 'run `EXPLAIN (ANALYZE, BUFFERS)` on the statement off-peak and add the index its plan asks for; `pg_stat_statements_reset()` only after the fix, so the next run judges fresh calls',
    },
    {
      check: 'postgres.blocking_locks',
      status: 'crit',
      rootCause: true,
      title: 'billing-worker pid 23238, idle in transaction 2 min, blocks 1 api session',
      detail: "last statement: UPDATE accounts SET balance = balance - $1 WHERE id = $2",
      effects: ['pid 23301 (api) waits 1 min 50 s: UPDATE accounts SET balance = balance + $1 WHERE id = $2'],
      remedies: [{ action: 'postgres.terminate_backend', label: 'Terminate pid 23238', params: { pid: 23238 } }],
      fix: 'end the transaction in billing-worker (commit or roll back); terminating pid 23238 rolls back its open work and frees the lock, and the waiting sessions go on',
      runbook: 'postgres-locks',
    },
  ], 'db.internal:5432/billing'),
  startedAt: STARTED_AT,
  durationMs: 142,
};

/** A target the bot's own configuration leaves unusable: never the system's status. */
export const configProblem: Report = {
  ...buildReport('cache', 'redis', new Date(STARTED_AT), [
    {
      check: 'redis.config',
      status: 'crit',
      config: true,
      title: 'targets.cache.url: environment variable CACHE_URL is not set',
      fix: 'set CACHE_URL in the bot\'s environment, or write `${CACHE_URL:-redis://localhost:6379}` to give a default; `chatops config check` lists every problem',
    },
  ]),
  startedAt: STARTED_AT,
  durationMs: 1,
};

export const FIXTURES = { 'all-ok': allOk, mixed, huge, special, 'root-cause': rootCause, 'config-problem': configProblem } as const;
