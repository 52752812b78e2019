// What the bot's own configuration gets wrong is not the server's health: a host name that does
// not resolve is a configuration finding (unknown) naming the host, with a fix; a report names
// the server without credentials.
import { afterAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../../src/report.ts';
import { postgresKind } from '../../../src/probes/postgres/postgres-kind.ts';
import { probePools } from '../../../src/probes/postgres/probe-pools.ts';
import { findingOf, runProbe } from './probe-helpers.ts';

const endpoint = (url: string) => postgresKind.describeEndpoint!({ name: 'db', kind: 'postgres', url, thresholds: {}, timeoutMs: 5_000 });

describe('postgres probe: the bot configuration', () => {
  afterAll(async () => {
    await probePools.closeAll();
  });

  it('names a host that does not resolve as a configuration problem, not an outage', async () => {
    const url = 'postgres://app:S3cret-pw@db-primary.no-such-zone.invalid:5432/app';
    const findings = await runProbe(url, { name: 'billing-db' });

    expect(findings).toHaveLength(1);
    const f = findingOf(findings, 'reachable');
    expect(f.status).toBe('unknown');
    expect(f.config).toBe(true);
    expect(f.title).toBe('Host name db-primary.no-such-zone.invalid does not resolve (ENOTFOUND)');
    expect(f.fix).toContain('targets.billing-db.url');
    expect(f.fix).toContain('getent hosts db-primary.no-such-zone.invalid');
    expect(JSON.stringify(findings)).not.toContain('S3cret-pw');
    const report = buildReport('billing-db', 'postgres', new Date(), findings, endpoint(url));
    expect(report.status).toBe('unknown');
    expect(report.endpoint).toBe('db-primary.no-such-zone.invalid:5432/app');
  });

  it('keeps a refused connection an outage (crit)', async () => {
    // Port 1 on the loopback: nothing listens there.
    const findings = await runProbe('postgres://app:pw@127.0.0.1:1/app');
    const f = findingOf(findings, 'reachable');
    expect(f.status).toBe('crit');
    expect(f.config).toBeUndefined();
    expect(f.title).toContain('refused');
    expect(f.fix).toMatch(/listen/);
  });

  it('describes the endpoint as host:port/db, never with the user or the password, and never throws', () => {
    expect(endpoint('postgres://app:S3cret@db.internal:6432/billing?sslmode=require')).toBe('db.internal:6432/billing');
    expect(endpoint('postgresql://db.internal/app')).toBe('db.internal:5432/app');
    expect(endpoint('postgres://app@%2Fvar%2Frun%2Fpostgresql/app')).toBe('/var/run/postgresql:5432/app');
    expect(endpoint('postgres:///app?host=/var/run/postgresql&port=5433')).toBe('/var/run/postgresql:5433/app');
    expect(endpoint('/var/run/postgresql app')).toBe('/var/run/postgresql:5432/app');
    expect(endpoint('socket:/var/run/postgresql?db=app')).toBe('/var/run/postgresql:5432/app');
    expect(endpoint('not a url at all')).toBe('(unreadable URL)');
    expect(endpoint('postgres://[::1')).toBe('(unreadable URL)');
  });
});
