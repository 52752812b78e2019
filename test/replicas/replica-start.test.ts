// Replicas as real processes (`node src/main.ts`) on one state store: a second replica without
// REDIS_URL refuses to start while another runs, naming REDIS_URL; one with REDIS_URL starts;
// two started at the same moment without Redis never both run; a clean stop deletes the replica's row so a restart is not refused; and /readyz says "not ready"
// (rather than nothing listening) while the migrations wait for a lock held on the database.
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { ReplicaRegistry, readReplicaGroup } from '../../src/coord/replica-registry.ts';
import { freshDatabaseUrl } from '../support/fresh-database.ts';
import { descendants, killLeftovers, startBotProcess, waitHealthy, type BotProcess } from '../support/bot-process.ts';
import { waitFor } from '../support/wait-for.ts';

/** The migrations' advisory lock (src/store/migrate.ts): held here, a starting bot waits for it. */
const MIGRATION_LOCK = 7_318_402_551;

let db: string;
let pool: pg.Pool;
const started: BotProcess[] = [];

beforeAll(async () => {
  db = await freshDatabaseUrl('replicas');
  pool = new pg.Pool({ connectionString: db, max: 3 });
});

afterEach(async () => {
  for (const bot of started.splice(0)) {
    const pids = [bot.child.pid!, ...descendants(bot.child.pid!)];
    if (bot.child.exitCode === null && bot.child.signalCode === null) {
      bot.child.kill('SIGTERM');
      await Promise.race([bot.exited, new Promise((r) => setTimeout(r, 15_000))]);
    }
    killLeftovers(pids);
    await bot.slack.close();
  }
  await pool.query('DELETE FROM replicas');
});

afterAll(async () => {
  await pool?.end();
});

async function start(env: Record<string, string> = {}): Promise<BotProcess> {
  const bot = await startBotProcess(db, { env });
  started.push(bot);
  return bot;
}

const replicaRows = async () => (await pool.query<{ host: string; pid: number; has_redis: boolean }>('SELECT host, pid, has_redis FROM replicas ORDER BY started_at')).rows;

async function readyz(port: number): Promise<{ status: number; body: { ready?: boolean; reasons?: string[] } } | undefined> {
  const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
  if (!res) return undefined;
  return { status: res.status, body: (await res.json()) as { ready?: boolean; reasons?: string[] } };
}

describe('several replicas on one state store', () => {
  it('a second replica without REDIS_URL exits 1 naming REDIS_URL and the running one; one with REDIS_URL starts', async () => {
    const first = await start();
    await waitHealthy(first);
    expect(await replicaRows()).toEqual([expect.objectContaining({ pid: first.child.pid, has_redis: false })]);

    const second = await start();
    const exit = await Promise.race([second.exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 30_000))]);
    expect(exit).toEqual({ code: 1, signal: null });
    expect(second.logs()).toMatch(/chatops: cannot start: another replica \([^)]*:\d+\) is running; several replicas need REDIS_URL set on all of them/);
    expect(second.logs()).toContain(`:${first.child.pid})`);
    // The refused replica left no row behind.
    expect((await replicaRows()).map((r) => r.pid)).toEqual([first.child.pid]);

    const third = await start({ REDIS_URL: inject('redisUrl') });
    await waitHealthy(third);
    expect(await replicaRows()).toEqual([
      expect.objectContaining({ pid: first.child.pid, has_redis: false }),
      expect.objectContaining({ pid: third.child.pid, has_redis: true }),
    ]);
    // It said which replica runs without REDIS_URL.
    await waitFor(async () => third.logs().includes('a replica without REDIS_URL is running'), 10_000, 'the warning about the replica without REDIS_URL');
  }, 120_000);

  it('a clean stop deletes the replica\'s row: the next start without REDIS_URL is not refused', async () => {
    const first = await start();
    await waitHealthy(first);
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
    expect(await replicaRows()).toEqual([]);
    const next = await start();
    await waitHealthy(next);
    expect((await replicaRows()).map((r) => r.pid)).toEqual([next.child.pid]);
  }, 120_000);

  it('/readyz answers 503 "applying its migrations" while they wait for a lock held on the database, then 200', async () => {
    const holder = await pool.connect();
    let bot: BotProcess;
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      bot = await start();
      const during = await waitFor(async () => readyz(bot.port), 30_000, 'an answer on /readyz while the migrations wait');
      expect(during.status).toBe(503);
      expect(during.body).toEqual({ ready: false, reasons: ['starting: opening the state store and applying its migrations'] });
      // Not started yet (a startup probe waits), and saying why.
      const health = await fetch(`http://127.0.0.1:${bot.port}/healthz`);
      expect(health.status).toBe(503);
      expect(await health.json()).toEqual({ ok: false, starting: 'opening the state store and applying its migrations' });
      // Still waiting a moment later: the lock is what holds it.
      await new Promise((r) => setTimeout(r, 1_000));
      expect((await readyz(bot.port))?.status).toBe(503);
    } finally {
      await holder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
      holder.release();
    }
    const after = await waitFor(async () => {
      const r = await readyz(bot.port);
      return r?.status === 200 ? r : undefined;
    }, 60_000, '/readyz 200 after the lock is released');
    expect(after.body).toEqual({ ready: true, reasons: [] });
  }, 120_000);
});

describe('ReplicaRegistry', () => {
  it('a fresh row of this host whose process is gone (a container restarted) does not refuse the start', async () => {
    await pool.query(`INSERT INTO replicas (id, host, pid, has_redis) VALUES ('gone', 'host-a', 4242, false)`);
    const registry = new ReplicaRegistry({ pool, log: silentLogger(), hasRedis: false, host: 'host-a', pid: 1, isAlive: () => false });
    await registry.start();
    await registry.stop();
    const other = new ReplicaRegistry({ pool, log: silentLogger(), hasRedis: false, host: 'host-b', pid: 1 });
    await expect(other.start()).rejects.toThrow(/another replica \(host-a:4242\) is running; several replicas need REDIS_URL/);
  });

  it('of two replicas without Redis starting at the same moment, exactly one starts and the other refuses', async () => {
    // Several rounds: without the lock both checks usually ran before either row was written.
    for (let round = 0; round < 5; round++) {
      const registries = ['host-e', 'host-f'].map((host) => new ReplicaRegistry({ pool, log: silentLogger(), hasRedis: false, host, pid: 1 }));
      const results = await Promise.allSettled(registries.map((r) => r.start()));
      const refused = results.filter((r) => r.status === 'rejected');
      expect(results.map((r) => r.status).sort(), `round ${round}`).toEqual(['fulfilled', 'rejected']);
      expect(String((refused[0] as PromiseRejectedResult).reason)).toMatch(/another replica \(host-[ef]:1\) is running; several replicas need REDIS_URL/);
      // Only the one that started has a row.
      expect((await replicaRows()).map((r) => r.host)).toHaveLength(1);
      for (const r of registries) await r.stop();
      expect(await replicaRows()).toEqual([]);
    }
  });

  it('only replicas of one group (CHATOPS_REPLICA_GROUP) count as each other\'s: a second bot on the same database names its own', async () => {
    const a = new ReplicaRegistry({ pool, log: silentLogger(), hasRedis: false, host: 'host-g', pid: 1, group: readReplicaGroup({}) });
    await a.start();
    const otherBot = new ReplicaRegistry({ pool, log: silentLogger(), hasRedis: false, host: 'host-h', pid: 1, group: readReplicaGroup({ CHATOPS_REPLICA_GROUP: 'billing-bot' }) });
    await otherBot.start();
    const sameBot = new ReplicaRegistry({ pool, log: silentLogger(), hasRedis: false, host: 'host-i', pid: 1, group: readReplicaGroup({ CHATOPS_REPLICA_GROUP: 'default' }) });
    await expect(sameBot.start()).rejects.toThrow(/another replica \(host-g:1\) is running/);
    await a.stop();
    await otherBot.stop();
    expect(() => readReplicaGroup({ CHATOPS_REPLICA_GROUP: 'bad group!' })).toThrow('CHATOPS_REPLICA_GROUP="bad group!" is not a replica group name: use 1 to 63 letters, digits');
  });

  it('a row not written for more than 30 s is a replica that is gone', async () => {
    await pool.query(`INSERT INTO replicas (id, host, pid, has_redis, seen_at) VALUES ('old', 'host-c', 7, false, now() - interval '31 seconds')`);
    const registry = new ReplicaRegistry({ pool, log: silentLogger(), hasRedis: false, host: 'host-d', pid: 1 });
    await registry.start();
    await registry.stop();
  });
});
