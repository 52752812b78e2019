// The action runner against a real PostgreSQL of its own: claims left by dead processes (and by
// versions without leases) are recorded once however many replicas sweep at the same time, and
// every SQL statement of a remedy runs under its lock_timeout and statement_timeout.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ActionRunner, type InterruptionNotice } from '../../src/actions/action-runner.ts';
import { SILENT_IO } from '../../src/actions/action-executor.ts';
import { POSTGRES_EXECUTORS } from '../../src/probes/postgres/postgres-actions.ts';
import type { Target } from '../../src/config/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { freshDatabaseUrl } from '../support/fresh-database.ts';

let url: string;
let pool: pg.Pool;

beforeAll(async () => {
  url = await freshDatabaseUrl('runner');
  pool = new pg.Pool({ connectionString: url, max: 8 });
});

afterAll(async () => {
  await pool?.end();
});

describe('recovering claims of dead owners', () => {
  it('three replicas sweeping at once record each expired claim once, with one audit row and one thread message each', async () => {
    const claims = 30;
    for (let i = 0; i < claims; i++) {
      await pool.query(
        `INSERT INTO action_runs (key, action, target, params, started_by, channel, owner, owner_pid, lease_until, renewed_at, thread_channel, thread_ts, milestone)
         VALUES ($1, 'k8s.restart', 'prod', $2, 'U0ALICE', 'C0OPS', 'gone-host:1:dead', 1, now() - interval '1 second', now() - interval '31 seconds', 'C0OPS', $3, 'the patch was applied')`,
        [`key-${i}`, JSON.stringify({ namespace: 'shop', workload: 'deployment', name: `w${i}`, replicas: 1 }), `17000000${i}.0001`]);
    }
    // A claim from a version without leases, never finished: no owner, no thread.
    await pool.query(`INSERT INTO action_runs (key, action, target, params, started_by, started_at, lease_until) VALUES ('legacy', 'postgres.vacuum_analyze', 'db', '{}', 'U0BOB', now() - interval '1 day', now() - interval '23 hours')`);
    const notices: InterruptionNotice[] = [];
    const runners = [1, 2, 3].map(() => new ActionRunner({ pool, log: silentLogger(), notify: async (n) => void notices.push(n) }));
    const recorded = await Promise.all(runners.map((r) => r.sweep()));
    expect(recorded.reduce((a, b) => a + b, 0)).toBe(claims + 1);

    const { rows } = await pool.query<{ outcome: string; notice_state: string }>(`SELECT outcome, notice_state FROM action_runs ORDER BY id`);
    expect(rows.filter((r) => r.outcome === 'interrupted')).toHaveLength(claims + 1);
    expect(rows.filter((r) => r.notice_state === 'sent')).toHaveLength(claims);
    const audit = (await pool.query<{ outcome: string; n: number }>(`SELECT outcome, count(*)::int AS n FROM audit_log GROUP BY outcome`)).rows;
    expect(audit).toEqual([{ outcome: 'interrupted', n: claims + 1 }]);
    expect(notices).toHaveLength(claims);
    expect(new Set(notices.map((n) => n.threadTs)).size).toBe(claims);
    expect(notices[0]!.text).toMatch(/^Restart on prod was interrupted: the bot process running it \(gone-host pid 1\) stopped renewing its claim since \d\d:\d\d:\d\d UTC and is presumed gone\. The patch was applied\. Press the button again to run it again\.$/);
    const legacy = (await pool.query<{ detail: string }>(`SELECT detail FROM action_runs WHERE key = 'legacy'`)).rows[0]!;
    expect(legacy.detail).toContain('it was started by a bot version without heartbeats and never finished');
    for (const r of runners) await r.drain(0);
  });

  it('a thread message Slack refused is posted by a later sweep, once', async () => {
    await pool.query(
      `INSERT INTO action_runs (key, action, target, params, started_by, owner, owner_pid, lease_until, thread_channel, thread_ts)
       VALUES ('retry-notice', 'k8s.restart', 'prod', '{}', 'U0ALICE', 'gone-host:2:dead', 2, now() - interval '1 second', 'C0OPS', '1700000099.0001')`);
    let fail = true;
    const posted: string[] = [];
    const runner = new ActionRunner({ pool, log: silentLogger(), leaseMs: 300, notify: async (n) => {
      if (fail) throw new Error('slack is down');
      posted.push(n.threadTs);
    } });
    expect(await runner.sweep()).toBe(1);
    expect(posted).toEqual([]);
    fail = false;
    await new Promise((r) => setTimeout(r, 400)); // past the retry time (one renewal interval)
    await runner.sweep();
    await runner.sweep();
    expect(posted).toEqual(['1700000099.0001']);
    const row = (await pool.query<{ notice_state: string; outcome: string }>(`SELECT notice_state, outcome FROM action_runs WHERE key = 'retry-notice'`)).rows[0];
    expect(row).toEqual({ notice_state: 'sent', outcome: 'interrupted' });
    await runner.drain(0);
  });
});

describe('a claim of this very process that it lost track of', () => {
  it('is recorded as interrupted once its lease has run out, so the button does not stay "already running"', async () => {
    const runner = new ActionRunner({ pool, log: silentLogger(), leaseMs: 300, notify: async () => undefined });
    // Its outcome could not be stored: no run of this process holds it any more.
    await pool.query(
      `INSERT INTO action_runs (key, action, target, params, started_by, owner, owner_pid, lease_until, thread_channel, thread_ts)
       VALUES ('own-lost', 'postgres.cancel_query', 'db', '{"pid":1}', 'U0ALICE', $1, $2, now() + interval '200 milliseconds', 'C0OPS', '1700000098.0001')`, [runner.instance, process.pid]);
    expect(await runner.sweep()).toBe(0); // the lease still runs
    await new Promise((r) => setTimeout(r, 300));
    expect(await runner.sweep()).toBe(1);
    const row = (await pool.query<{ outcome: string; detail: string }>(`SELECT outcome, detail FROM action_runs WHERE key = 'own-lost'`)).rows[0]!;
    expect(row.outcome).toBe('interrupted');
    expect(row.detail).toContain('this bot process could not store how it ended');
    await runner.drain(0);
  });
});

describe('statement bounds of the PostgreSQL remedies', () => {
  const target = (extra: Record<string, unknown> = {}) => ({ name: 'main-db', kind: 'postgres', url: inject('pgUrl'), timeoutMs: 3000, thresholds: {}, ...extra }) as unknown as Target;

  async function withLockedTable(fn: (table: string, database: string) => Promise<void>): Promise<void> {
    const admin = new pg.Client({ connectionString: inject('pgUrl') });
    await admin.connect();
    const table = `bounds_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
    try {
      await admin.query(`CREATE TABLE public.${table} (id int)`);
      await admin.query('BEGIN');
      await admin.query(`LOCK TABLE public.${table} IN ACCESS EXCLUSIVE MODE`);
      await fn(table, new URL(inject('pgUrl')).pathname.slice(1));
    } finally {
      await admin.query('ROLLBACK').catch(() => undefined);
      await admin.query(`DROP TABLE IF EXISTS public.${table}`);
      await admin.end();
    }
  }

  it('a VACUUM that cannot get its lock gives up at its lock_timeout and says what to do', async () => {
    await withLockedTable(async (table, database) => {
      await expect(POSTGRES_EXECUTORS['postgres.vacuum_analyze']!.run(target(), { database, schema: 'public', table }, SILENT_IO))
        .rejects.toThrow(`VACUUM ANALYZE public.${table} waited 5 s for its lock (lock_timeout) and gave up, nothing done: another session holds a conflicting lock on the table`);
    });
  });

  it('a VACUUM past the target\'s vacuumTimeoutMs is cancelled by its statement_timeout, naming the setting', async () => {
    await withLockedTable(async (table, database) => {
      await expect(POSTGRES_EXECUTORS['postgres.vacuum_analyze']!.run(target({ vacuumTimeoutMs: 1000 }), { database, schema: 'public', table }, SILENT_IO))
        .rejects.toThrow(`VACUUM ANALYZE public.${table} did not finish within its statement_timeout of 1 s and was cancelled: the table is too big to vacuum within that: raise vacuumTimeoutMs of target main-db`);
    });
  });

  it('cancel says what it sent before sending it, then cancels under its bounds', async () => {
    const victim = new pg.Client({ connectionString: inject('pgUrl') });
    await victim.connect();
    victim.on('error', () => undefined);
    try {
      const pid = (await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      const sleeping = victim.query('SELECT pg_sleep(30)').catch((e: Error) => e.message);
      const notes: string[] = [];
      await new Promise((r) => setTimeout(r, 200));
      await expect(POSTGRES_EXECUTORS['postgres.cancel_query']!.run(target(), { pid }, { ...SILENT_IO, note: async (m) => void notes.push(m) })).resolves.toBe(`cancelled the statement of backend ${pid}`);
      expect(await sleeping).toContain('canceling statement due to user request');
      expect(notes).toEqual([`pg_cancel_backend(${pid}) was sent; whether it took effect is unknown: check SELECT state, query FROM pg_stat_activity WHERE pid = ${pid}`]);
    } finally {
      await victim.end().catch(() => undefined);
    }
  });
});

describe('what an action says', () => {
  it('every configured secret is masked in the outcome, the progress shown, the milestone stored and a failure, whichever executor wrote them', async () => {
    const secret = 'whsec_runner-secret-9f8e7d6c5b';
    const shown: string[] = [];
    const runner = new ActionRunner({ pool, log: silentLogger(), notify: async () => undefined, secrets: [secret] });
    const io = { progress: async (text: string) => void shown.push(text), attachText: async () => undefined };
    const claim = (key: string) => ({ key, action: 'stripe.enable_webhook_endpoint', title: 'Re-enable', target: 'payments', params: { endpoint: 'we_1' }, startedBy: 'U0ALICE' });
    const audited: string[] = [];
    const audit = async (outcome: string, detail?: string) => void audited.push(`${outcome} ${detail ?? ''}`);

    const ok = await runner.runOnce(claim('said-ok'), async (ctx) => {
      await ctx.progress(`asking with ${secret}`);
      await ctx.note(`sent with ${secret}`);
      const { rows } = await pool.query<{ milestone: string }>(`SELECT milestone FROM action_runs WHERE key = 'said-ok'`);
      expect(rows[0]!.milestone).not.toContain(secret);
      return `enabled (secret ${secret})`;
    }, io, audit);
    const failed = await runner.runOnce(claim('said-failed'), async () => {
      throw new Error(`refused: ${secret}`);
    }, io, audit);

    expect(ok.kind).toBe('succeeded');
    expect(failed.kind).toBe('failed');
    const stored = (await pool.query<{ detail: string; milestone: string | null }>(`SELECT detail, milestone FROM action_runs WHERE key IN ('said-ok', 'said-failed')`)).rows;
    expect(stored).toHaveLength(2);
    const everything = JSON.stringify([ok, failed, shown, stored, audited]);
    expect(everything).not.toContain(secret);
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatch(/^asking with \S+$/);
    expect(ok.text).toContain('enabled (secret ');
    await runner.drain(0);
  });
});
