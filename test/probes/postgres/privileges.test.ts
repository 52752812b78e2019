// What the probe says with each kind of access: a superuser sees everything, a role without
// pg_monitor sees its own sessions only, wrong credentials see nothing.
import { afterEach, expect, it } from 'vitest';
import { probePools } from '../../../src/probes/postgres/probe-pools.ts';
import { ClientBag, findingOf, runProbe, uniqueName, withCredentials } from './probe-helpers.ts';
import { describeOnEachServer } from './servers-under-test.ts';

const ALL_CHECKS = [
  'backups', 'bloat', 'blocking_locks', 'cache_hit', 'checkpoints', 'connections', 'database_size', 'deadlocks', 'idle_in_transaction',
  'indexes', 'long_queries', 'long_transactions', 'reachable', 'replication', 'sequences', 'slow_queries', 'vacuum', 'wraparound',
].map((c) => `postgres.${c}`);

describeOnEachServer('credentials and privileges', { app: { pgStatStatements: true } }, (pg) => {
  const bag = new ClientBag();

  afterEach(async () => {
    await bag.closeAll();
  });

  it('runs every check as a superuser on a healthy database without an SQL error', async () => {
    const major = Math.floor(pg.versionNum / 10000);
    expect(String(major)).toBe(pg.label);

    const findings = await runProbe(pg.url('app'));

    expect(findings.map((f) => f.check).sort()).toEqual(ALL_CHECKS);
    expect(findings.filter((f) => f.status === 'unknown').map((f) => `${f.check}: ${f.title}`)).toEqual([]);
    const reachable = findingOf(findings, 'reachable');
    expect(reachable.title).toMatch(new RegExp(`^Reachable: PostgreSQL ${major}\\.`));
    expect(reachable.metrics?.server_version_num).toBe(pg.versionNum);
    expect(findingOf(findings, 'slow_queries').status).toBe('ok');
    // superuser_reserved_connections is 3; reserved_connections (16+; none on 13) is 0.
    const connections = findingOf(findings, 'connections').metrics!;
    expect(connections.usable).toBe(Number(connections.max_connections) - 3);
  });

  it('runs every check under a pg_monitor role on a healthy database: none unknown, none blind', async () => {
    const role = uniqueName('probe_mon');
    const password = `Pw-${Math.random().toString(36).slice(2)}-m`;
    const admin = await bag.open(pg.adminUrl);
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    await admin.query(`GRANT pg_monitor TO ${role}`);
    try {
      // Another role's open transaction, which pg_monitor must see (it stays under the thresholds).
      const other = await bag.open(pg.url('app'), 'someone-else');
      await other.query('BEGIN');
      await other.query('SELECT 1');

      const findings = await runProbe(withCredentials(pg.url('app'), role, password));

      expect(findings.map((f) => f.check).sort()).toEqual(ALL_CHECKS);
      expect(findings.filter((f) => f.status === 'unknown').map((f) => `${f.check}: ${f.title}`)).toEqual([]);
      expect(findingOf(findings, 'reachable').title).not.toContain('lacks pg_monitor');
      expect(JSON.stringify(findings)).not.toMatch(/hidden/);
      expect(findingOf(findings, 'long_transactions').title).toMatch(/^Oldest transaction /);
    } finally {
      await probePools.closeAll();
      await bag.closeAll();
      const cleanup = await bag.open(pg.adminUrl);
      await cleanup.query(`DROP ROLE IF EXISTS ${role}`);
    }
  });

  it('a wrong password is the bot configuration (unknown, never crit), and the password is never shown', async () => {
    const secret = 'Wr0ng-Passw0rd-7f3e';
    const findings = await runProbe(withCredentials(pg.adminUrl, 'postgres', secret));

    expect(findings).toHaveLength(1);
    const f = findingOf(findings, 'reachable');
    expect(f.status).toBe('unknown');
    expect(f.config).toBe(true);
    expect(f.title).toContain("The server refuses the bot's login");
    expect(f.title).toContain('password authentication failed');
    expect(f.fix).toMatch(/password/i);
    expect(JSON.stringify(findings)).not.toContain(secret);
    expect(JSON.stringify(findings)).not.toContain('127.0.0.1');
  });

  it('classifies a missing database', async () => {
    const findings = await runProbe(withCredentials(pg.adminUrl, 'postgres', new URL(pg.adminUrl).password, 'no_such_db_here'));
    const f = findingOf(findings, 'reachable');
    expect(f.status).toBe('crit');
    expect(f.title).toContain('database missing');
  });

  it('completes without pg_monitor and says that other sessions are hidden', async () => {
    const role = uniqueName('probe_nomon');
    const password = `Pw-${Math.random().toString(36).slice(2)}-x`;
    const admin = await bag.open(pg.adminUrl);
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    try {
      // A superuser session the unprivileged role cannot look into.
      const other = await bag.open(pg.url('app'), 'someone-else');
      await other.query('BEGIN');
      await other.query('SELECT 1');

      const findings = await runProbe(withCredentials(pg.url('app'), role, password));

      expect(findings.map((f) => f.check).sort()).toEqual(ALL_CHECKS);
      // Every check ran: none failed on a permission error.
      expect(findings.filter((f) => f.title.includes('could not check')).map((f) => f.title)).toEqual([]);

      const reachable = findingOf(findings, 'reachable');
      expect(reachable.status).toBe('ok');
      expect(reachable.title).toContain(`role ${role} lacks pg_monitor`);

      const idle = findingOf(findings, 'idle_in_transaction');
      expect(idle.status).toBe('unknown');
      expect(idle.title).toContain('hidden');
      expect(idle.detail).toContain(`grant pg_monitor to ${role}`);

      expect(findingOf(findings, 'connections').detail).toContain('(hidden)');
      expect(JSON.stringify(findings)).not.toContain(password);
    } finally {
      // The probe's warm connections log in as the role.
      await probePools.closeAll();
      await bag.closeAll();
      const cleanup = await bag.open(pg.adminUrl);
      await cleanup.query(`DROP ROLE IF EXISTS ${role}`);
    }
  });
});
