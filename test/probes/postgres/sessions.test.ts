// Faults in sessions, induced for real on each server: a transaction left idle, a lock that blocks
// a query, a long statement.
import { afterEach, expect, it } from 'vitest';
import { ClientBag, findingOf, pidOf, runProbe, sleep, uniqueName, waitFor } from './probe-helpers.ts';
import { describeOnEachServer } from './servers-under-test.ts';

describeOnEachServer('sessions', { sessions: {} }, (pg) => {
  const bag = new ClientBag();

  afterEach(async () => {
    await bag.closeAll();
  });

  it('reports a session idle in transaction with its pid and a terminate button', async () => {
    const url = pg.url('sessions');
    const idle = await bag.open(url, 'idle-app');
    const pid = await pidOf(idle);
    await idle.query('BEGIN');
    await idle.query('SELECT 1');
    // The server counts from the end of the statement, before the client has its answer.
    // Thresholds are seconds; half a second keeps the test short.
    await sleep(600);

    const findings = await runProbe(url, {
      thresholds: { idle_in_transaction: { warn: 0.5, crit: 600 }, long_transactions: { warn: 0.5, crit: 600 } },
    });

    const f = findingOf(findings, 'idle_in_transaction');
    expect(f.status).toBe('warn');
    expect(f.detail).toContain(`pid ${pid}`);
    expect(f.detail).toContain('app idle-app');
    expect(f.remedies).toContainEqual({ action: 'postgres.terminate_backend', label: `Terminate pid ${pid}`, params: { pid } });
    expect(f.runbook).toBeUndefined();

    const tx = findingOf(findings, 'long_transactions');
    expect(tx.status).toBe('warn');
    expect(tx.detail).toContain(`pid ${pid}`);
    expect(tx.remedies?.some((r) => r.action === 'postgres.terminate_backend' && r.params.pid === pid)).toBe(true);
  });

  // Before 14 pg_locks has no waitstart: the probe measures the wait from the statement's start.
  it('names the blocker of a query waiting on a lock and offers to terminate it', async () => {
    const url = pg.url('sessions');
    const table = uniqueName('probe_lock');
    const admin = await bag.open(url);
    await admin.query(`CREATE TABLE ${table} (id serial primary key, v text)`);
    try {
      const holder = await bag.open(url, 'lock-holder');
      const waiter = await bag.open(url, 'lock-waiter');
      const holderPid = await pidOf(holder);
      const waiterPid = await pidOf(waiter);
      await holder.query('BEGIN');
      await holder.query(`LOCK TABLE ${table}`);
      const blockedQuery = waiter.query(`SELECT count(*) FROM ${table}`).catch(() => undefined);
      await waitFor(
        async () => (await admin.query('SELECT 1 FROM pg_locks WHERE pid = $1 AND NOT granted', [waiterPid])).rowCount,
        10_000,
        'the waiter to queue on the lock',
      );

      const started = Date.now();
      const findings = await runProbe(url);
      const elapsed = Date.now() - started;

      // The server is shared with other files: pick this chain's root cause by its pid.
      const f = findings.find((x) => x.check === 'postgres.blocking_locks' && x.metrics?.root_blocker_pid === holderPid)!;
      expect(f).toBeDefined();
      expect(f.status).toBe('warn');
      expect(f.rootCause).toBe(true);
      expect(f.title).toMatch(new RegExp(`^lock-holder pid ${holderPid}, idle in transaction .*, blocks 1 lock-waiter session$`));
      expect(f.effects).toEqual([expect.stringMatching(new RegExp(`^pid ${waiterPid} \\(lock-waiter\\) waits .*: SELECT count\\(\\*\\) FROM ${table}$`))]);
      expect(f.detail).toContain(`pid ${waiterPid} waits for AccessShareLock on table ${table}`);
      expect(f.metrics?.root_blocker_pid).toBe(holderPid);
      // Idle in transaction: nothing to cancel, terminating ends the chain.
      expect(f.remedies).toEqual([{ action: 'postgres.terminate_backend', label: `Terminate pid ${holderPid}`, params: { pid: holderPid } }]);
      // The exclusive lock must not stall the other checks (database_size skips locked tables).
      expect(findingOf(findings, 'database_size').status).toBe('ok');
      expect(findings.filter((x) => x.title.includes('could not check')).map((x) => x.title)).toEqual([]);
      expect(elapsed).toBeLessThan(4_000);

      await holder.query('ROLLBACK');
      await blockedQuery;
    } finally {
      // The holder's lock would block the DROP: end every session first.
      await bag.closeAll();
      const cleanup = await bag.open(url);
      await cleanup.query(`DROP TABLE IF EXISTS ${table}`);
    }
  });

  it('reports a long running statement with a cancel button', async () => {
    const url = pg.url('sessions');
    const busy = await bag.open(url, 'slow-report');
    const pid = await pidOf(busy);
    const running = busy.query('SELECT pg_sleep(10)').catch(() => undefined);
    const admin = await bag.open(url);
    await waitFor(
      async () => (await admin.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND state = 'active' AND now() - query_start > interval '0.6 s'", [pid])).rowCount,
      10_000,
      'the statement to run for a while',
    );

    const findings = await runProbe(url, { thresholds: { long_queries: { warn: 0.5, crit: 600 } } });

    const f = findingOf(findings, 'long_queries');
    expect(f.status).toBe('warn');
    expect(f.detail).toContain(`pid ${pid}`);
    expect(f.detail).toContain('SELECT pg_sleep(?)');
    expect(f.remedies).toContainEqual({ action: 'postgres.cancel_query', label: `Cancel pid ${pid}`, params: { pid } });

    await admin.query('SELECT pg_cancel_backend($1)', [pid]);
    await running;
  });
});
