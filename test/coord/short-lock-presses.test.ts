// Two replicas (two real bots in this process) on one PostgreSQL and one redis-server, each pressed
// at the same moment on the same remedy button (VACUUM ANALYZE, confirmed with "Run it" like a
// person does): the action runs once and both presses are answered. With Redis up, the second
// press is answered from the short lock ("already running", counted as a press deduplicated);
// with Redis paused, the same holds through PostgreSQL's claim.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { metrics } from '../../src/metrics/metrics.ts';
import type { RunningBot } from '../../src/start-bot.ts';
import { freshDatabaseUrl } from '../support/fresh-database.ts';
import { startFakeSlackApi, type FakeSlackApi, type RecordedCall } from '../support/fake-slack-api.ts';
import { confirmationPrompt, pressRemedy } from '../support/press-button.ts';
import { blockActionBody, postSigned } from '../support/signed-slack-request.ts';
import { startTestRedis, type RunningRedis } from '../support/start-test-redis.ts';
import { SIGNING_SECRET, startTestBot, type HttpTestBot } from '../support/test-bot.ts';
import { waitFor } from '../support/wait-for.ts';

const CONFIG = `targets:
  main-db:
    kind: postgres
    url: \${MONITORED_URL}
    timeoutMs: 3000
access:
  postgres.*:
    users: [U0ALICE]
`;

let slack: FakeSlackApi;
let redis: RunningRedis;
let bots: RunningBot[] = [];
let replicas: HttpTestBot[] = [];
/** The bots' state store: action runs and the audit. */
let store: pg.Pool;
/** The monitored server (main-db): the tables vacuumed. */
let monitored: pg.Pool;
const database = new URL(inject('pgUrl')).pathname.slice(1);

const dedupedPresses = async (): Promise<number> =>
  (await metrics.deduplicatedTotal.get()).values.find((v) => v.labels.source === 'press')?.value ?? 0;

beforeAll(async () => {
  slack = await startFakeSlackApi();
  redis = await startTestRedis();
  const db = await freshDatabaseUrl('coord_short_lock');
  store = new pg.Pool({ connectionString: db, max: 2 });
  monitored = new pg.Pool({ connectionString: inject('pgUrl'), max: 2 });
  const env = { SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl, PORT: '0', DATABASE_URL: db, REDIS_URL: redis.url };
  bots = [await startTestBot(env, CONFIG), await startTestBot(env, CONFIG)];
  replicas = bots.map((bot) => ({
    slack,
    bot,
    storeUrl: db,
    send: (body: string, headers?: Record<string, string>) => postSigned(`http://127.0.0.1:${bot.port}/slack/events`, body, { secret: SIGNING_SECRET, ...(headers && { headers }) }),
  }));
});

afterAll(async () => {
  for (const bot of bots) await bot.stop();
  await store?.end();
  await monitored?.end();
  await redis?.stop();
  await slack?.close();
});

const text = (c: RecordedCall): string => JSON.stringify(c.args);

/**
 * Presses VACUUM ANALYZE of a fresh table on both replicas at once (each press confirmed with its
 * own "Run it") while a session holds the table locked, so the first run is still waiting for it
 * when the second press arrives; the lock is let go once both presses were answered.
 */
async function pressOnBoth(table: string): Promise<{ duplicates: RecordedCall[]; outcomes: RecordedCall[]; runs: Array<{ outcome: string | null }>; audit: string[] }> {
  await monitored.query(`CREATE TABLE ${table} (id int)`);
  const holder = await monitored.connect();
  try {
    await holder.query('BEGIN');
    await holder.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
    const value = { action: 'postgres.vacuum_analyze', target: 'main-db', params: { database, schema: 'public', table } };
    const before = slack.calls.length;
    const statuses = await Promise.all(replicas.map((t, i) => pressRemedy(t, value, { responseId: `${table}-${i}` }).then((r) => r.status)));
    expect(statuses).toEqual([200, 200]);
    // The second press is answered while the first run still waits for the table.
    await waitFor(async () => slack.calls.slice(before).some((c) => c.method === 'respond' && text(c).includes('is already running')), 15_000, 'the second press answered "already running"');
    await holder.query('COMMIT');
    await waitFor(async () => slack.calls.slice(before).some((c) => /ran VACUUM ANALYZE on main-db/.test(text(c))), 15_000, 'the run\'s outcome in the thread');
    const calls = slack.calls.slice(before);
    const runs = (await store.query<{ outcome: string | null }>(`SELECT outcome FROM action_runs WHERE params->>'table' = $1`, [table])).rows;
    const audit = await waitFor(async () => {
      const rows = (await store.query<{ outcome: string }>(`SELECT outcome FROM audit_log WHERE action = 'postgres.vacuum_analyze' AND params->>'table' = $1 ORDER BY outcome`, [table])).rows.map((r) => r.outcome);
      return rows.length >= 2 ? rows : undefined;
    }, 10_000, 'both presses audited');
    return {
      duplicates: calls.filter((c) => c.method === 'respond' && text(c).includes('is already running')),
      outcomes: calls.filter((c) => /ran VACUUM ANALYZE on main-db/.test(text(c))),
      runs,
      audit,
    };
  } finally {
    await holder.query('ROLLBACK').catch(() => undefined);
    holder.release();
    await monitored.query(`DROP TABLE IF EXISTS ${table}`);
  }
}

describe('the same remedy pressed on two replicas at once', () => {
  it('Redis up: runs once; the second press is answered at once from the short lock, naming who started it', async () => {
    const before = await dedupedPresses();
    const r = await pressOnBoth(`short_lock_up_${process.pid}`);
    expect(r.runs).toEqual([{ outcome: 'succeeded' }]);
    expect(r.outcomes).toHaveLength(1);
    expect(r.duplicates).toHaveLength(1);
    expect(text(r.duplicates[0]!)).toMatch(/postgres\.vacuum_analyze on main-db is already running, started by <@U0ALICE>/);
    expect(r.audit).toEqual(['duplicate', 'succeeded']);
    expect(await dedupedPresses()).toBe(before + 1);
    // Released once the run ended: nothing of it is left in Redis.
    const { Redis } = await import('ioredis');
    const client = new Redis(redis.url);
    try {
      expect(await client.keys('chatops:lock:action-run:*')).toEqual([]);
    } finally {
      client.disconnect();
    }
  });

  it('Redis paused (answers nothing): still runs once and both presses are answered, through PostgreSQL\'s claim', async () => {
    const before = await dedupedPresses();
    redis.process.kill('SIGSTOP');
    let r: Awaited<ReturnType<typeof pressOnBoth>>;
    try {
      r = await pressOnBoth(`short_lock_paused_${process.pid}`);
    } finally {
      redis.process.kill('SIGCONT');
    }
    expect(r.runs).toEqual([{ outcome: 'succeeded' }]);
    expect(r.outcomes).toHaveLength(1);
    expect(r.duplicates).toHaveLength(1);
    expect(text(r.duplicates[0]!)).toMatch(/postgres\.vacuum_analyze on main-db is already running/);
    expect(r.audit).toEqual(['duplicate', 'succeeded']);
    expect(await dedupedPresses()).toBe(before);
  });
});

/**
 * One confirmation's "Run it" pressed on both replicas: the first press's use of the row is held
 * up by a session that has the row locked, then the second press arrives on the other replica.
 */
async function runItOnBoth(table: string, redisUp: boolean): Promise<{ secondAnswer: RecordedCall; outcomes: RecordedCall[]; runs: Array<{ outcome: string | null }>; refusals: string[] }> {
  await monitored.query(`CREATE TABLE ${table} (id int)`);
  const startedAt = (await store.query<{ now: Date }>('SELECT now()')).rows[0]!.now;
  const value = { action: 'postgres.vacuum_analyze', target: 'main-db', params: { database, schema: 'public', table } };
  const before = slack.calls.length;
  const [a, b] = replicas as [HttpTestBot, HttpTestBot];
  expect((await pressRemedy(a, value, { responseId: `${table}-press`, confirm: false })).status).toBe(200);
  const prompt = await waitFor(async () => confirmationPrompt(slack.calls.slice(before), `${table}-press`), 15_000, 'the confirmation prompt');
  const confirmation = (await store.query<{ id: string }>(`SELECT id FROM action_confirmations WHERE request->'params'->>'table' = $1`, [table])).rows[0]!.id;
  const holder = await store.connect();
  try {
    await holder.query('BEGIN');
    await holder.query(`SELECT 1 FROM action_confirmations WHERE id = $1 FOR UPDATE`, [confirmation]);
    const runIt = (t: HttpTestBot, responseId: string) => t.send(blockActionBody({ actionId: 'confirm:run', value: prompt.run, responseUrl: slack.responseUrl(responseId) }));
    expect((await runIt(a, `${table}-first`)).status).toBe(200);
    // The first press is using the row (waiting for it) before the second arrives.
    await waitFor(async () => (await store.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE action_confirmations%'`)).rows[0]!.n >= 1, 15_000, 'the first "Run it" waiting for the row');
    const waiting = async (n: number) => (await store.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE action_confirmations%'`)).rows[0]!.n >= n;
    expect((await runIt(b, `${table}-second`)).status).toBe(200);
    const answered = () => waitFor(async () => slack.calls.find((c) => c.method === 'respond' && c.responseId === `${table}-second`), 15_000, 'the second "Run it" answered');
    let secondAnswer: RecordedCall;
    if (redisUp) {
      // Answered from Redis while the store still holds the first press up.
      secondAnswer = await answered();
      await holder.query('COMMIT');
    } else {
      // Without Redis the second press waits for the row like the first, and the store answers it.
      await waitFor(() => waiting(2), 15_000, 'both "Run it" waiting for the row');
      await holder.query('COMMIT');
      secondAnswer = await answered();
    }
    await waitFor(async () => slack.calls.slice(before).some((c) => /ran VACUUM ANALYZE on main-db/.test(text(c))), 15_000, 'the run\'s outcome in the thread');
    const runs = (await store.query<{ outcome: string | null }>(`SELECT outcome FROM action_runs WHERE params->>'table' = $1`, [table])).rows;
    const refusals = await waitFor(async () => {
      const rows = (await store.query<{ detail: string }>(`SELECT detail FROM audit_log WHERE action = 'confirm:run' AND outcome = 'refused' AND at >= $1 ORDER BY id`, [startedAt])).rows.map((r) => r.detail);
      return rows.length > 0 ? rows : undefined;
    }, 10_000, 'the second "Run it" audited');
    return { secondAnswer, outcomes: slack.calls.slice(before).filter((c) => /ran VACUUM ANALYZE on main-db/.test(text(c))), runs, refusals };
  } finally {
    await holder.query('ROLLBACK').catch(() => undefined);
    holder.release();
    await monitored.query(`DROP TABLE IF EXISTS ${table}`);
  }
}

describe('one confirmation\'s "Run it" pressed on two replicas at once', () => {
  it('Redis up: the second press is told at once that the confirmation is used, while the first still waits for the store; the action runs once', async () => {
    const before = await dedupedPresses();
    const r = await runItOnBoth(`short_lock_confirm_${process.pid}`, true);
    expect(text(r.secondAnswer)).toContain('This confirmation was already used.');
    expect(r.runs).toEqual([{ outcome: 'succeeded' }]);
    expect(r.outcomes).toHaveLength(1);
    expect(r.refusals.at(-1)).toMatch(/another press was using it at that moment/);
    expect(await dedupedPresses()).toBe(before + 1);
  });

  it('Redis paused: the store decides (the second press waits for the row, then is told it is used); the action runs once', async () => {
    const before = await dedupedPresses();
    redis.process.kill('SIGSTOP');
    let r: Awaited<ReturnType<typeof runItOnBoth>>;
    try {
      r = await runItOnBoth(`short_lock_confirm_paused_${process.pid}`, false);
    } finally {
      redis.process.kill('SIGCONT');
    }
    expect(text(r.secondAnswer)).toContain('This confirmation was already used.');
    expect(r.runs).toEqual([{ outcome: 'succeeded' }]);
    expect(r.outcomes).toHaveLength(1);
    expect(r.refusals).toEqual(['This confirmation was already used.']);
    expect(await dedupedPresses()).toBe(before);
  });
});
