// What the probe says when the credentials are wrong or the role may not see everything.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ClientBag, findingOf, runProbe, uniqueName, withCredentials } from './probe-helpers.ts';

const adminUrl = inject('pgAdminUrl');
const bag = new ClientBag();
const role = uniqueName('probe_nomon');
const rolePassword = `Pw-${Math.random().toString(36).slice(2)}-x`;

beforeAll(async () => {
  const admin = await bag.open(adminUrl);
  await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${rolePassword}'`);
});

afterAll(async () => {
  await bag.closeAll();
  const admin = await bag.open(adminUrl);
  await admin.query(`DROP ROLE IF EXISTS ${role}`);
  await bag.closeAll();
});

describe('postgres probe: credentials and privileges', () => {
  it('classifies a wrong password as auth failed and never shows the password', async () => {
    const secret = 'Wr0ng-Passw0rd-7f3e';
    const findings = await runProbe(withCredentials(adminUrl, 'postgres', secret));

    expect(findings).toHaveLength(1);
    const f = findingOf(findings, 'reachable');
    expect(f.status).toBe('crit');
    expect(f.title).toContain('auth failed');
    expect(f.title).toContain('password authentication failed');
    expect(f.detail).toMatch(/password/i);
    expect(JSON.stringify(findings)).not.toContain(secret);
    expect(JSON.stringify(findings)).not.toContain('127.0.0.1');
  });

  it('classifies a missing database', async () => {
    const findings = await runProbe(withCredentials(adminUrl, 'postgres', new URL(adminUrl).password, 'no_such_db_here'));
    const f = findingOf(findings, 'reachable');
    expect(f.status).toBe('crit');
    expect(f.title).toContain('database missing');
  });

  it('completes without pg_monitor and says that other sessions are hidden', async () => {
    // A superuser session the unprivileged role cannot look into.
    const other = await bag.open(adminUrl, 'someone-else');
    await other.query('BEGIN');
    await other.query('SELECT 1');

    const findings = await runProbe(withCredentials(adminUrl, role, rolePassword));

    expect(findings.map((f) => f.check).sort()).toEqual(
      [
        'blocking_locks', 'cache_hit', 'connections', 'database_size', 'deadlocks', 'idle_in_transaction',
        'long_queries', 'long_transactions', 'reachable', 'replication', 'sequences', 'slow_queries', 'vacuum', 'wraparound',
      ].map((c) => `postgres.${c}`),
    );
    // Every check ran: none failed on a permission error.
    expect(findings.filter((f) => f.title.includes('could not check')).map((f) => f.title)).toEqual([]);

    const reachable = findingOf(findings, 'reachable');
    expect(reachable.status).toBe('ok');
    expect(reachable.title).toContain(`role ${role} lacks pg_monitor`);

    const idle = findingOf(findings, 'idle_in_transaction');
    expect(idle.status).toBe('unknown');
    expect(idle.title).toContain('hidden');
    expect(idle.detail).toContain(`grant pg_monitor to ${role}`);

    const connections = findingOf(findings, 'connections');
    expect(connections.detail).toContain('(hidden)');
    expect(JSON.stringify(findings)).not.toContain(rolePassword);
  });
});
