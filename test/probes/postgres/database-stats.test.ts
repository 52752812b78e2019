// Statistics-based checks, each in a database of its own on the shared test server so that other
// test files' statements and tables do not leak in: slow statements, dead rows, missing extension.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ClientBag, findingOf, runProbe, uniqueName, waitFor, withDatabase } from './probe-helpers.ts';

const adminUrl = inject('pgAdminUrl');
const bag = new ClientBag();
const withExtension = uniqueName('probe_stats');
const withoutExtension = uniqueName('probe_noext');

beforeAll(async () => {
  const admin = await bag.open(adminUrl);
  await admin.query(`CREATE DATABASE ${withExtension}`);
  await admin.query(`CREATE DATABASE ${withoutExtension}`);
  const db = await bag.open(withDatabase(adminUrl, withExtension));
  await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
});

afterAll(async () => {
  await bag.closeAll();
  const admin = await bag.open(adminUrl);
  await admin.query(`DROP DATABASE IF EXISTS ${withExtension} WITH (FORCE)`);
  await admin.query(`DROP DATABASE IF EXISTS ${withoutExtension} WITH (FORCE)`);
  await bag.closeAll();
});

describe('postgres probe: statistics', () => {
  it('reports a slow statement from pg_stat_statements, with literals masked', async () => {
    const url = withDatabase(adminUrl, withExtension);
    const app = await bag.open(url, 'reporting');
    for (let i = 0; i < 3; i++) await app.query("SELECT pg_sleep(0.2), 'secret-literal' AS note");

    const findings = await runProbe(url, { thresholds: { slow_queries: { warn: 150, crit: 60_000 } } });

    const f = findingOf(findings, 'slow_queries');
    expect(f.status).toBe('warn');
    expect(f.title).toMatch(/averages \d+ ms over 3 calls/);
    expect(f.detail).toContain('SELECT pg_sleep($1), $2 AS note');
    expect(f.detail).not.toContain('secret-literal');
    expect(f.metrics?.max_mean_ms).toBeGreaterThanOrEqual(150);
  });

  it('reports a table full of dead rows that is not vacuumed, with a VACUUM button', async () => {
    const url = withDatabase(adminUrl, withExtension);
    const db = await bag.open(url);
    await db.query('CREATE TABLE churn (id int, payload text) WITH (autovacuum_enabled = false)');
    await db.query("INSERT INTO churn SELECT g, 'x' FROM generate_series(1, 20000) g");
    await db.query('DELETE FROM churn');
    // Statistics reach the shared view when the backend flushes them (PG15+: at most once a second).
    await db.query('SELECT pg_stat_force_next_flush()');
    await db.query('SELECT 1');

    const f = await waitFor(
      async () => {
        const x = findingOf(await runProbe(url), 'vacuum');
        return x.status !== 'ok' ? x : undefined;
      },
      15_000,
      'dead rows to show in pg_stat_user_tables',
    );
    expect(f.status).toBe('warn');
    expect(f.title).toContain('public.churn');
    expect(f.title).toContain('20,000 dead rows');
    expect(f.detail).toContain('autovacuum disabled');
    expect(f.remedies).toContainEqual({
      action: 'postgres.vacuum_analyze',
      label: 'VACUUM ANALYZE public.churn',
      params: { database: withExtension, schema: 'public', table: 'churn' },
    });
  });

  it('says how to enable pg_stat_statements when the extension is missing in the database', async () => {
    const findings = await runProbe(withDatabase(adminUrl, withoutExtension));
    const f = findingOf(findings, 'slow_queries');
    expect(f.status).toBe('unknown');
    expect(f.title).toContain('CREATE EXTENSION pg_stat_statements');
    expect(f.title).toContain(withoutExtension);
    expect(findingOf(findings, 'reachable').status).toBe('ok');
  });
});
