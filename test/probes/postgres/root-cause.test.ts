// The incident a user met on PostgreSQL 15, induced for real on each server, probed as a superuser
// and as a role with pg_monitor (what the README recommends): a worker idle in a transaction holds
// a row lock, an API session waits behind it, a report job sleeps, a statement was slow long ago,
// and a sequence is nearly used up. The report opens with one root cause, offers one button for
// it, lists the waiter as its effect, and offers no button on the victim.
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type pg from 'pg';
import { buildReport, type Finding } from '../../../src/report.ts';
import { postgresKind } from '../../../src/probes/postgres/postgres-kind.ts';
import { forgetSequenceLists } from '../../../src/probes/postgres/checks/sequences.ts';
import { probePools } from '../../../src/probes/postgres/probe-pools.ts';
import { ClientBag, findingOf, pidOf, runProbe, sleep, uniqueName, waitFor, withCredentials } from './probe-helpers.ts';
import { describeOnEachServer, OWN_SERVERS } from './servers-under-test.ts';

/** Seconds, so that the scenario judges in a second what the defaults judge in minutes. */
const THRESHOLDS = {
  idle_in_transaction: { warn: 0.5, crit: 600 },
  blocking_locks: { warn: 0.5, crit: 1 },
  long_queries: { warn: 0.5, crit: 600 },
};

describeOnEachServer('root cause of a lock chain', { incident: { pgStatStatements: true } }, (pg) => {
  const bag = new ClientBag();
  const monitor = { role: uniqueName('probe_mon'), password: `Pw-${Math.random().toString(36).slice(2)}-m` };
  let worker: pg.Client;
  let workerPid: number;
  let apiPid: number;
  let reportPid: number;
  let blocked: Promise<unknown>;
  let sleeping: Promise<unknown>;
  const monitorUrl = () => withCredentials(pg.url('incident'), monitor.role, monitor.password);

  beforeAll(async () => {
    const url = pg.url('incident');
    const admin = await bag.open(pg.adminUrl);
    await admin.query(`CREATE ROLE ${monitor.role} LOGIN PASSWORD '${monitor.password}'`);
    await admin.query(`GRANT pg_monitor TO ${monitor.role}`);
    const db = await bag.open(url);
    await db.query('CREATE TABLE accounts (id serial PRIMARY KEY, balance int NOT NULL)');
    await db.query('INSERT INTO accounts (balance) SELECT 0 FROM generate_series(1, 10)');
    await db.query("SELECT setval('accounts_id_seq', 2061584302)"); // 96% of 2^31-1
    forgetSequenceLists();

    worker = await bag.open(url, 'billing-worker');
    workerPid = await pidOf(worker);
    await worker.query('BEGIN');
    await worker.query('UPDATE accounts SET balance = balance - 5 WHERE id = 1');
    const api = await bag.open(url, 'api');
    apiPid = await pidOf(api);
    blocked = api.query('UPDATE accounts SET balance = balance + 1 WHERE id = 1').catch(() => undefined);
    const report = await bag.open(url, 'report-job');
    reportPid = await pidOf(report);
    sleeping = report.query('SELECT pg_sleep(60)').catch(() => undefined);
    await waitFor(
      async () => (await db.query('SELECT 1 FROM pg_locks WHERE pid = $1 AND NOT granted', [apiPid])).rowCount,
      10_000,
      'the API session to queue on the row lock',
    );
    // Past every scenario threshold: the wait is critical (1 s), the rest warnings.
    await sleep(1_200);
  });

  afterAll(async () => {
    await probePools.closeAll();
    await bag.closeAll();
    await Promise.all([blocked, sleeping]);
    const admin = await bag.open(pg.adminUrl);
    await admin.query(`DROP ROLE IF EXISTS ${monitor.role}`);
    await bag.closeAll();
  });

  for (const as of ['superuser', 'pg_monitor'] as const) {
    it(`as ${as}: one root cause with one button, the waiter as its effect, no button on the victim`, async () => {
      const findings = await runProbe(as === 'superuser' ? pg.url('incident') : monitorUrl(), { thresholds: THRESHOLDS });
      const report = buildReport('db', 'postgres', new Date(), findings, postgresKind.describeEndpoint!({ name: 'db', kind: 'postgres', url: pg.url('incident'), thresholds: {}, timeoutMs: 5_000 }));

      const roots = report.findings.filter((f) => f.rootCause);
      expect(roots).toHaveLength(1);
      const root = roots[0]!;
      expect(report.findings[0]).toBe(root);
      expect(root.check).toBe('postgres.blocking_locks');
      expect(root.status).toBe('crit');
      expect(root.title).toMatch(new RegExp(`^billing-worker pid ${workerPid}, idle in transaction \\d+ s, blocks 1 api session$`));
      expect(root.remedies).toEqual([{ action: 'postgres.terminate_backend', label: `Terminate pid ${workerPid}`, params: { pid: workerPid } }]);
      expect(root.effects).toEqual([expect.stringMatching(new RegExp(`^pid ${apiPid} \\(api\\) waits \\d+ s: UPDATE accounts SET balance = balance \\+ \\? WHERE id = \\?$`))]);
      // The facts of the finding it absorbed, and a fix in full outside the detail.
      expect(root.detail).toContain('also warn in postgres.idle_in_transaction: idle in transaction');
      expect(root.fix).toMatch(new RegExp(`^terminate pid ${workerPid}: it is idle in transaction`));
      expect(report.endpoint).toMatch(/^127\.0\.0\.1:\d+\/probe_incident_/);

      // The worker's own idle-in-transaction finding merged into the root cause, which names it.
      expect(findings.filter((f) => f.check === 'postgres.idle_in_transaction')).toEqual([]);
      expect(root.merged).toEqual(['postgres.idle_in_transaction']);
      // The report job is slow on its own: its cancel stays. The waiting API statement is an effect.
      const longQueries = findingOf(findings, 'long_queries');
      expect(longQueries.status).toBe('warn');
      expect(longQueries.title).toBe(`Query running ${longQueries.title.match(/running (.*) \(pid/)![1]} (pid ${reportPid})`);
      expect(longQueries.remedies).toEqual([{ action: 'postgres.cancel_query', label: `Cancel pid ${reportPid}`, params: { pid: reportPid } }]);
      expect(longQueries.detail).toContain('1 more statement running over <1 s only because it waits on a lock');

      // No button names the victim, and no button is offered twice, even before the report merges repeats.
      const remedies = findings.flatMap((f) => f.remedies ?? []);
      expect(remedies.filter((r) => r.params.pid === apiPid)).toEqual([]);
      expect(new Set(remedies.map((r) => JSON.stringify(r))).size).toBe(remedies.length);
      // The report's buttons: the root cause's first, then the report job's cancel; nothing else.
      expect(report.findings.flatMap((f) => f.remedies ?? []).map((r) => r.label)).toEqual([`Terminate pid ${workerPid}`, `Cancel pid ${reportPid}`]);
      for (const f of findings) expect(f.detail ?? '').not.toMatch(/^Fix:/m);
    });
  }

  it('names the head of a chain as its root (cancel when it runs a statement), and each independent blocker as a root of its own', async () => {
    const url = pg.url('incident');
    const admin = await bag.open(url);
    const [t1, t2, t3] = [uniqueName('chain_a'), uniqueName('chain_b'), uniqueName('other')];
    for (const t of [t1, t2, t3]) await admin.query(`CREATE TABLE ${t} (id int PRIMARY KEY, v int); INSERT INTO ${t} VALUES (1, 0)`);
    const chain = new ClientBag();
    let chainPids: number[] = [];
    try {
      // A holds t1 and runs a statement; B holds t2 and waits for t1; C waits for t2 (behind B).
      const a = await chain.open(url, 'migration');
      const b = await chain.open(url, 'worker-b');
      const c = await chain.open(url, 'worker-c');
      const d = await chain.open(url, 'cron');
      const e = await chain.open(url, 'api');
      const [aPid, bPid, cPid, dPid, ePid] = await Promise.all([a, b, c, d, e].map((x) => pidOf(x)));
      chainPids = [aPid!, bPid!, cPid!, dPid!, ePid!];
      await a.query('BEGIN');
      await a.query(`LOCK TABLE ${t1}`);
      const aRuns = a.query('SELECT pg_sleep(30)').catch(() => undefined);
      await b.query('BEGIN');
      await b.query(`LOCK TABLE ${t2}`);
      const bWaits = b.query(`SELECT count(*) FROM ${t1}`).catch(() => undefined);
      const cWaits = c.query(`SELECT count(*) FROM ${t2}`).catch(() => undefined);
      // An independent chain: D idle in transaction with a row lock, E waiting for it.
      await d.query('BEGIN');
      await d.query(`UPDATE ${t3} SET v = 1 WHERE id = 1`);
      const eWaits = e.query(`UPDATE ${t3} SET v = 2 WHERE id = 1`).catch(() => undefined);
      await waitFor(
        async () => (await admin.query('SELECT 1 FROM pg_locks WHERE NOT granted AND pid = ANY($1)', [[bPid, cPid, ePid]])).rowCount === 3,
        10_000,
        'B, C and E to wait',
      );

      const findings = await runProbe(url, { thresholds: THRESHOLDS });
      const roots = findings.filter((f) => f.rootCause);
      const byPid = new Map(roots.map((f) => [f.metrics?.root_blocker_pid, f]));
      expect([...byPid.keys()].sort()).toEqual([aPid, dPid, workerPid].sort());

      const head = byPid.get(aPid)!;
      expect(head.title).toMatch(new RegExp(`^migration pid ${aPid}, running a statement for .*, blocks 2 sessions \\(1 worker-b, 1 worker-c\\)$`));
      expect(head.remedies).toEqual([{ action: 'postgres.cancel_query', label: `Cancel pid ${aPid}`, params: { pid: aPid } }]);
      expect(head.effects).toHaveLength(2);
      expect(head.effects).toContainEqual(expect.stringMatching(new RegExp(`^pid ${bPid} \\(worker-b\\) waits .*: SELECT count`)));
      expect(head.effects).toContainEqual(expect.stringMatching(new RegExp(`^pid ${cPid} \\(worker-c\\) waits .* behind pid ${bPid}: SELECT count`)));
      expect(head.fix).toMatch(new RegExp(`^cancel the statement of pid ${aPid}`));

      const other = byPid.get(dPid)!;
      expect(other.title).toMatch(new RegExp(`^cron pid ${dPid}, idle in transaction .*, blocks 1 api session$`));
      expect(other.remedies).toEqual([{ action: 'postgres.terminate_backend', label: `Terminate pid ${dPid}`, params: { pid: dPid } }]);

      // No button on any waiter, B included although it holds a lock too (it is not a head).
      const pids = findings.flatMap((f) => f.remedies ?? []).map((r) => r.params.pid);
      for (const victim of [bPid, cPid, ePid, apiPid]) expect(pids).not.toContain(victim);
      // The migration's running statement is the root cause's, not long_queries' to cancel.
      expect(findings.filter((f) => f.check === 'postgres.long_queries').flatMap((f) => f.remedies ?? []).map((r) => r.params.pid)).not.toContain(aPid);
      expect(new Set(pids).size).toBe(pids.length);

      // A backend busy in a statement or a lock wait reads no goodbye: end them from outside.
      await admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [chainPids]);
      await Promise.all([aRuns, bWaits, cWaits, eWaits]);
    } finally {
      await admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [chainPids]);
      await chain.closeAll();
      await admin.query(`DROP TABLE IF EXISTS ${t1}, ${t2}, ${t3}`);
    }
  });

  it('judges every check the same under pg_monitor as a superuser, except the sequence it may not read', async () => {
    forgetSequenceLists();
    const superuser = await runProbe(pg.url('incident'), { thresholds: THRESHOLDS });
    forgetSequenceLists();
    const monitored = await runProbe(monitorUrl(), { thresholds: THRESHOLDS });

    // Slow statements are judged since each URL's previous run, which differ here: stale-statements.test.ts
    // runs them under pg_monitor.
    const statuses = (findings: Finding[]) =>
      Object.fromEntries(findings.filter((f) => f.check !== 'postgres.sequences' && f.check !== 'postgres.slow_queries').map((f) => [f.check, f.status]));
    expect(statuses(monitored)).toEqual(statuses(superuser));
    expect(monitored.filter((f) => f.status === 'unknown').map((f) => f.check)).toEqual(['postgres.sequences']);

    expect(findingOf(superuser, 'sequences')).toMatchObject({ status: 'crit', title: 'Sequence public.accounts_id_seq 96% used' });
    // Without SELECT on the sequence its value is null: not "none used yet", but unknown and how to grant it.
    const seq = findingOf(monitored, 'sequences');
    expect(seq.status).toBe('unknown');
    expect(seq.title).toBe(`Sequences: 1 of 1 integer-range sequences not readable by role ${monitor.role}`);
    expect(seq.detail).toContain('public.accounts_id_seq');
    expect(seq.fix).toContain(`GRANT SELECT ON SEQUENCE public.accounts_id_seq TO ${monitor.role};`);
    if (pg.versionNum >= 140000) expect(seq.fix).toContain('pg_read_all_data');
    else expect(seq.fix).not.toContain('pg_read_all_data');
  });

  it('under pg_monitor with pg_read_all_data (14+) or a grant on the sequence, judges the sequence again', async () => {
    const admin = await bag.open(pg.url('incident'));
    const grant = pg.versionNum >= 140000 ? `GRANT pg_read_all_data TO ${monitor.role}` : `GRANT SELECT ON SEQUENCE accounts_id_seq TO ${monitor.role}`;
    await admin.query(grant);
    try {
      forgetSequenceLists();
      const seq = findingOf(await runProbe(monitorUrl(), { thresholds: THRESHOLDS }), 'sequences');
      expect(seq).toMatchObject({ status: 'crit', title: 'Sequence public.accounts_id_seq 96% used' });
    } finally {
      await admin.query(grant.replace('GRANT', 'REVOKE').replace(' TO ', ' FROM '));
    }
  });

  afterEach(async () => {
    forgetSequenceLists();
  });
}, OWN_SERVERS);
