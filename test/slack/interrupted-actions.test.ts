// Remedies cut short: the real bot as a child process (node src/main.ts) pressed through signed
// requests, killed with SIGKILL or stopped with SIGTERM mid-action, or frozen (SIGSTOP) while
// another replica takes over. Every attempt leaves one audit row with the right outcome, the
// thread hears once what is known, and the button works again afterwards.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findAction } from '../../src/actions/action-catalogue.ts';
import { actionDrainMs } from '../../src/actions/action-runner.ts';
import { BOT_SIGNING_SECRET, startBotProcess, waitHealthy, type BotProcess } from '../support/bot-process.ts';
import { freshDatabaseUrl } from '../support/fresh-database.ts';
import { startTestRedis, type RunningRedis } from '../support/start-test-redis.ts';
import { kubeDeployment, kubePod } from '../support/kube-objects.ts';
import { pressRemedy } from '../support/press-button.ts';
import { postSigned } from '../support/signed-slack-request.ts';
import type { HttpTestBot } from '../support/test-bot.ts';
import { sleep, waitFor } from '../support/wait-for.ts';
import { useFakeKubeApi } from '../probes/kubernetes/kube-helpers.ts';

const MESSAGE_TS = '1700000001.000100';
const k = useFakeKubeApi();
let pool: pg.Pool;
let configFile: string;
/** A state store of this file's own: other files' bot processes are not replicas of these. */
let dbUrl: string;
/** The bots' own Redis: two replicas running at once need it (a replica without REDIS_URL refuses to start beside another). */
let redis: RunningRedis;
const started: BotProcess[] = [];

beforeAll(async () => {
  dbUrl = await freshDatabaseUrl('interrupted');
  redis = await startTestRedis();
  pool = new pg.Pool({ connectionString: dbUrl, max: 3 });
  configFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'interrupted-')), 'chatops.yml');
  writeFileSync(configFile, `targets:
  main-db:
    kind: postgres
    url: \${MONITORED_URL}
    timeoutMs: 3000
  prod:
    kind: kubernetes
    kubeconfig: ${k.kubeconfig}
    namespaces: [shop]
    restartable: [deployment/kill-nine, deployment/graceful, deployment/cut-short, deployment/frozen]
    rolloutPollMs: 50
    timeoutMs: 3000
access:
  k8s.*:
    users: [U0ALICE]
  postgres.*:
    users: [U0ALICE]
`);
});

afterEach(async () => {
  for (const bot of started.splice(0)) {
    if (bot.child.exitCode === null && bot.child.signalCode === null) {
      bot.child.kill('SIGCONT');
      bot.child.kill('SIGKILL');
    }
    await bot.exited;
    await bot.slack.close();
  }
  k.api.rollout.tickMs = 25;
});

afterAll(async () => {
  await pool?.end();
  await redis?.stop();
});

/** The bot as a process of its own, on this file's state store, with this file's config. */
async function startBot(env: Record<string, string> = {}): Promise<BotProcess & { t: HttpTestBot }> {
  const bot = await startBotProcess(dbUrl, { env: { CHATOPS_CONFIG: configFile, ACTION_LEASE_MS: '1500', REDIS_URL: redis.url, ...env } });
  started.push(bot);
  await waitHealthy(bot);
  const t = { slack: bot.slack, bot: undefined as never, storeUrl: dbUrl, send: (body: string, headers?: Record<string, string>) => postSigned(bot.url, body, { secret: BOT_SIGNING_SECRET, ...(headers && { headers }) }) };
  return Object.assign(bot, { t });
}

/** A deployment of 3 running pods whose next rollouts stop after one new pod is ready. */
function stalledDeployment(name: string): string {
  k.api.add(kubeDeployment({ namespace: 'shop', name, replicas: 3, progressDeadlineSeconds: 600 }));
  for (let i = 0; i < 3; i++) k.api.add(kubePod({ namespace: 'shop', name: `${name}-5d4f8c7b9-${i}x`, owner: { kind: 'Deployment', name } }));
  k.api.stallRollout('shop', name, { afterReady: 1 });
  return name;
}

const restart = (name: string) => ({ action: 'k8s.restart', target: 'prod', params: { namespace: 'shop', workload: 'deployment', name, replicas: 3 } });
const patches = (name: string) => k.api.requests.filter((r) => r.method === 'PATCH' && r.path === `/apis/apps/v1/namespaces/shop/deployments/${name}`).length;

interface RunRow {
  id: string;
  outcome: string | null;
  owner: string | null;
  milestone: string | null;
  progress: string | null;
  notice_state: string | null;
  detail: string | null;
}

async function runsOf(name: string): Promise<RunRow[]> {
  return (await pool.query<RunRow>(
    `SELECT id::text AS id, outcome, owner, milestone, progress, notice_state, detail FROM action_runs WHERE params->>'name' = $1 OR params->>'table' = $1 ORDER BY action_runs.id`, [name])).rows;
}

async function auditOf(name: string): Promise<string[]> {
  return (await pool.query<{ outcome: string }>(
    `SELECT outcome FROM audit_log WHERE action IN ('k8s.restart', 'postgres.vacuum_analyze') AND (params->>'name' = $1 OR params->>'table' = $1) ORDER BY id`, [name])).rows.map((r) => r.outcome);
}

/** Thread replies (in the report's thread) that say a run on `name` was interrupted. */
function interruptionsIn(bot: BotProcess, name: string): string[] {
  return bot.slack.callsTo('chat.postMessage').filter((c) => c.args.thread_ts === MESSAGE_TS && /was interrupted/.test(String(c.args.text)) && String(c.args.text).includes(name)).map((c) => String(c.args.text));
}

/** Waits until the running restart has been patched and its watch shows a stalled 1/3. */
async function untilWatching(name: string, bot: BotProcess): Promise<RunRow> {
  try {
    return await waitFor(async () => {
      const run = (await runsOf(name)).at(-1);
      return run?.milestone?.startsWith('the patch was applied') && /\d\/3 new pods ready/.test(run.progress ?? '') ? run : undefined;
    }, 20_000, `${name}: patched and watched`);
  } catch (error) {
    throw new Error(`${(error as Error).message}; runs: ${JSON.stringify(await runsOf(name))}; Slack calls: ${JSON.stringify(bot.slack.calls.map((c) => [c.method, c.args.text]))}; bot output:\n${bot.logs()}`, { cause: error });
  }
}

describe('a bot killed with SIGKILL mid-restart, then started again', () => {
  it('records the run interrupted at the next start, says so once in the thread, and the button runs again', async () => {
    const name = stalledDeployment('kill-nine');
    const first = await startBot();
    expect((await pressRemedy(first.t, restart(name))).status).toBe(200);
    const claim = await untilWatching(name, first);
    expect(claim.outcome).toBeNull();

    first.child.kill('SIGKILL');
    await first.exited;
    expect(interruptionsIn(first, name)).toEqual([]);
    expect((await runsOf(name))[0]!.outcome).toBeNull(); // nobody has recorded it yet

    const restartAt = Date.now();
    const second = await startBot();
    const readyMs = Date.now() - restartAt;
    const [run] = await waitFor(async () => {
      const rows = await runsOf(name);
      return rows[0]?.outcome === 'interrupted' ? rows : undefined;
    }, 10_000, 'the claim recorded as interrupted');
    const recoveredMs = Date.now() - restartAt;
    console.info(`recovery after a restart: bot ready in ${readyMs} ms, claim recorded interrupted ${recoveredMs} ms after the restart began`);
    expect(run!.detail).toContain(`(pid ${claim.owner!.split(':')[1]} on this host) is gone`);

    await second.slack.waitFor(() => interruptionsIn(second, name).length === 1);
    const [said] = interruptionsIn(second, name);
    expect(said).toMatch(/^:warning: <@U0ALICE> Restart on prod was interrupted: the bot process running it \(pid \d+ on this host\) is gone\. The patch was applied \(restartedAt \S+\); the rollout was not watched to the end: check it with kubectl rollout status deployment\/kill-nine -n shop\. Last seen: restarting deployment\/kill-nine in shop: \d\/3 new pods ready/);
    expect(said).toContain('Press the button again to run it again.');
    expect(await auditOf(name)).toEqual(['interrupted']);
    expect((await runsOf(name))[0]!.notice_state).toBe('sent');

    // The button works again: this press runs a new restart, watched to its end.
    k.api.stallRollout('shop', name, { afterReady: 1_000 });
    await pressRemedy(second.t, restart(name), { responseId: 'again' });
    await second.slack.waitFor(() => second.slack.callsTo('chat.update').some((c) => /rollout complete/.test(String(c.args.text))), 20_000);
    expect(patches(name)).toBe(2);
    expect((await runsOf(name)).map((r) => r.outcome)).toEqual(['interrupted', 'succeeded']);

    // A completed run still turns a later press into "already done".
    await pressRemedy(second.t, restart(name), { responseId: 'third' });
    await second.slack.waitFor((calls) => calls.some((c) => c.method === 'respond' && /already done \(succeeded\)/.test(JSON.stringify(c.args))));
    expect(patches(name)).toBe(2);
    expect(await auditOf(name)).toEqual(['interrupted', 'succeeded', 'duplicate']);
    expect(interruptionsIn(second, name)).toHaveLength(1);
  }, 90_000);
});

describe('SIGTERM while an action runs', () => {
  it('lets a restart that finishes within the grace period finish, and exits cleanly', async () => {
    const name = 'graceful';
    k.api.add(kubeDeployment({ namespace: 'shop', name, replicas: 3 }));
    for (let i = 0; i < 3; i++) k.api.add(kubePod({ namespace: 'shop', name: `${name}-5d4f8c7b9-${i}x`, owner: { kind: 'Deployment', name } }));
    k.api.rollout.tickMs = 400; // a few seconds of rollout
    const bot = await startBot({ SHUTDOWN_GRACE_MS: '20000' });
    await pressRemedy(bot.t, restart(name));
    await waitFor(async () => (await runsOf(name))[0]?.milestone?.startsWith('the patch was applied'), 20_000, 'patched');
    expect((await runsOf(name))[0]!.outcome).toBeNull();

    bot.child.kill('SIGTERM');
    const exit = await bot.exited;
    expect(exit.code, bot.logs()).toBe(0);
    expect((await runsOf(name)).map((r) => r.outcome)).toEqual(['succeeded']);
    expect(await auditOf(name)).toEqual(['succeeded']);
    expect(bot.slack.callsTo('chat.update').some((c) => /rollout complete/.test(String(c.args.text)))).toBe(true);
    expect(interruptionsIn(bot, name)).toEqual([]);
  }, 60_000);

  it('records a restart still watching at the end of the grace period as interrupted, says what is known, and exits cleanly', async () => {
    const name = stalledDeployment('cut-short');
    const bot = await startBot({ SHUTDOWN_GRACE_MS: '3000' });
    await pressRemedy(bot.t, restart(name));
    await untilWatching(name, bot);

    bot.child.kill('SIGTERM');
    const exit = await bot.exited;
    expect(exit.code, bot.logs()).toBe(0);
    const [run] = await runsOf(name);
    expect(run).toMatchObject({ outcome: 'interrupted', notice_state: 'sent' });
    expect(await auditOf(name)).toEqual(['interrupted']);
    const said = interruptionsIn(bot, name);
    expect(said).toHaveLength(1);
    expect(said[0]).toContain(`Restart on prod was interrupted: the bot was shutting down and it did not finish within the ${Math.floor(actionDrainMs(3000) / 1000)} s it was given. The patch was applied`);
    expect(said[0]).toContain('the rollout was not watched to the end: check it with kubectl rollout status deployment/cut-short -n shop');
    expect(patches(name)).toBe(1);
  }, 60_000);

  it('records a VACUUM waiting for a lock as interrupted with what to check, and the lock_timeout ends the statement', async () => {
    const table = `vac_cut_${process.pid}_${Date.now() % 100_000}`;
    const database = new URL(dbUrl).pathname.slice(1);
    await pool.query(`CREATE TABLE public.${table} (id int)`);
    const holder = await pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`LOCK TABLE public.${table} IN ACCESS EXCLUSIVE MODE`);
      const bot = await startBot({ SHUTDOWN_GRACE_MS: '3000' });
      await pressRemedy(bot.t, { action: 'postgres.vacuum_analyze', target: 'main-db', params: { database, schema: 'public', table } });
      // The confirmation said the bounds.
      expect([...bot.slack.callsTo('chat.postEphemeral'), ...bot.slack.callsTo('respond')].some((c) => JSON.stringify(c.args).includes('lock_timeout'))).toBe(true);
      const backend = await waitFor(async () => {
        const { rows } = await pool.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE query LIKE 'VACUUM (ANALYZE)%' AND query LIKE $1 AND wait_event_type = 'Lock'`, [`%${table}%`]);
        return rows[0]?.pid;
      }, 20_000, 'the VACUUM waiting for its lock');

      bot.child.kill('SIGTERM');
      expect((await bot.exited).code, bot.logs()).toBe(0);
      expect((await runsOf(table)).map((r) => r.outcome)).toEqual(['interrupted']);
      expect(await auditOf(table)).toEqual(['interrupted']);
      const said = interruptionsIn(bot, table);
      expect(said, JSON.stringify(bot.slack.calls.map((c) => [c.method, c.args]))).toHaveLength(1);
      expect(said[0]).toContain(`VACUUM ANALYZE on main-db was interrupted: the bot was shutting down`);
      expect(said[0]).toContain(`VACUUM ANALYZE public.${table} was started (backend ${backend}); whether it finished is unknown: check SELECT * FROM pg_stat_progress_vacuum WHERE pid = ${backend}`);
      // The statement the bot left behind does not wait forever: its lock_timeout (5 s) ends it.
      await waitFor(async () => (await pool.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND query LIKE $2 AND state = $3', [backend, 'VACUUM%', 'active'])).rowCount === 0, 15_000, 'the VACUUM ended by its lock_timeout');
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      holder.release();
      await pool.query(`DROP TABLE IF EXISTS public.${table}`);
    }
  }, 60_000);
});

describe('a replica that stops renewing its claim', () => {
  it('is taken over by the next press on another replica once its lease has expired, recorded once, and the button runs again', async () => {
    const name = stalledDeployment('frozen');
    // The other replica sweeps rarely (its own lease is long): here its press finds the expired claim first.
    const other = await startBot({ ACTION_LEASE_MS: '120000' });
    const frozen = await startBot({ ACTION_LEASE_MS: '1500' });
    await pressRemedy(frozen.t, restart(name), { responseId: 'first' });
    const claim = await untilWatching(name, frozen);

    frozen.child.kill('SIGSTOP');
    const stoppedAt = Date.now();
    await waitFor(async () => (await pool.query(`SELECT 1 FROM action_runs WHERE id = $1 AND lease_until < now()`, [claim.id])).rowCount === 1, 10_000, 'the lease to expire');
    const expiredAfterMs = Date.now() - stoppedAt;

    await pressRemedy(other.t, restart(name), { responseId: 'takeover' });
    await other.slack.waitFor((calls) => calls.some((c) => c.method === 'respond' && c.responseId === 'takeover' && /was interrupted/.test(JSON.stringify(c.args))));
    const told = JSON.stringify(other.slack.callsTo('respond').filter((c) => c.responseId === 'takeover').map((c) => c.args));
    expect(told).toMatch(/k8s.restart on prod was interrupted \(the bot process running it \([^)]*\) stopped renewing its claim since \d\d:\d\d:\d\d UTC and is presumed gone\)/);
    expect(told).toContain('Press the button again to run it again');
    await other.slack.waitFor(() => interruptionsIn(other, name).length === 1);
    expect(interruptionsIn(other, name)[0]).toContain('The patch was applied');
    expect(await auditOf(name)).toEqual(['interrupted', 'duplicate']);
    expect(patches(name)).toBe(1);
    console.info(`lease 1500 ms: expired ${expiredAfterMs} ms after the owner froze; taken over at the next press`);

    // The frozen owner wakes up: it finds its claim gone, stops watching, and records nothing more.
    frozen.child.kill('SIGCONT');
    await frozen.slack.waitFor((calls) => calls.some((c) => c.method === 'respond' && c.responseId === 'first' && /was interrupted/.test(JSON.stringify(c.args))), 10_000);
    await sleep(500);
    expect(interruptionsIn(frozen, name)).toEqual([]);
    expect(await auditOf(name)).toEqual(['interrupted', 'duplicate']);

    // A fresh press runs it again, on the replica that took over.
    k.api.stallRollout('shop', name, { afterReady: 1_000 });
    await pressRemedy(other.t, restart(name), { responseId: 'again' });
    await other.slack.waitFor(() => other.slack.callsTo('chat.update').some((c) => /rollout complete/.test(String(c.args.text))), 20_000);
    expect(patches(name)).toBe(2);
    expect((await runsOf(name)).map((r) => r.outcome)).toEqual(['interrupted', 'succeeded']);
    expect(await auditOf(name)).toEqual(['interrupted', 'duplicate', 'succeeded']);
  }, 90_000);
});

describe('the confirmations say the statement bounds', () => {
  it('cancel, terminate and VACUUM name their lock_timeout and statement_timeout', () => {
    expect(findAction('postgres.cancel_query')!.describe({ pid: 42 }, 'db')).toContain('Bounded by lock_timeout 2 s, statement_timeout 5 s.');
    expect(findAction('postgres.terminate_backend')!.describe({ pid: 42 }, 'db')).toContain('Bounded by lock_timeout 2 s, statement_timeout 5 s.');
    expect(findAction('postgres.vacuum_analyze')!.describe({ database: 'app', schema: 'public', table: 't' }, 'db')).toContain('Waits at most 5 s for its lock (lock_timeout) and runs at most 30 min (statement_timeout');
  });
});
