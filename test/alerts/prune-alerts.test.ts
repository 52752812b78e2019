// Pruning alert groups on a real PostgreSQL store, the groups recorded as Alertmanager's
// notifications are, then aged: a resolved group quiet for longer than history.retentionDays goes
// with its episodes and votes; a firing one, one whose incident is still open, one the weekly
// digest's "Noisiest alerts" still counts, one quiet for less, and one a replica holds, stay.
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseAlertmanagerPayload } from '../../src/alerts/alertmanager-payload.ts';
import { AlertStore } from '../../src/alerts/alert-store.ts';
import { pruneAlerts } from '../../src/alerts/prune-alerts.ts';
import { freshDatabaseUrl } from '../support/fresh-database.ts';
import { startFakeSlackApi } from '../support/fake-slack-api.ts';
import { waitFor } from '../support/wait-for.ts';
import { startAlertBot } from './alert-harness.ts';
import { errorRateAlert, errorRateGroup } from './alertmanager-payloads.ts';

let pool: pg.Pool;
let store: AlertStore;

let storeUrl: string;

beforeAll(async () => {
  storeUrl = await freshDatabaseUrl('alerts_prune');
  pool = new pg.Pool({ connectionString: storeUrl, max: 3 });
  store = new AlertStore(pool);
});
afterAll(async () => {
  await pool?.end();
});
beforeEach(async () => {
  await pool.query('TRUNCATE alert_groups, alert_episodes, alert_votes, incidents CASCADE');
});

const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000);
const route = () => ({ index: 0, route: { match: {}, channel: 'C0ALERTS', targets: [], autoResolve: false } });

/**
 * A group of service `service` that fired `firedDaysAgo` days ago and (unless `firing`) resolved
 * an hour later, recorded as Alertmanager notifies it, its rows then aged to those times.
 */
async function group(service: string, firedDaysAgo: number, options: { firing?: boolean; votes?: number } = {}): Promise<number> {
  const startsAt = daysAgo(firedDaysAgo);
  const endsAt = new Date(startsAt.getTime() + 3_600_000);
  const key = `{}:{alertname="HighErrorRate",service="${service}"}`;
  const fp = `${service.padEnd(8, '0').slice(0, 8)}00000001`.replace(/[^0-9a-z]/g, '0');
  const firing = parseAlertmanagerPayload(errorRateGroup([errorRateAlert(service, startsAt.toISOString(), fp)], key));
  const recorded = await store.record(firing, route, 3_600_000);
  if (recorded.outcome !== 'recorded') throw new Error('not recorded');
  if (!options.firing) await store.record(parseAlertmanagerPayload(errorRateGroup([errorRateAlert(service, startsAt.toISOString(), fp, endsAt.toISOString())], key)), route, 3_600_000);
  for (let i = 0; i < (options.votes ?? 0); i++) await store.vote(recorded.groupId, 1, `U0VOTER${i}`, 'noise');
  const last = options.firing ? startsAt : endsAt;
  await pool.query('UPDATE alert_groups SET updated_at = $2 WHERE id = $1', [recorded.groupId, last]);
  await pool.query('UPDATE alert_votes SET voted_at = $2 WHERE group_id = $1', [recorded.groupId, last]);
  return recorded.groupId;
}

async function count(table: string, id: number): Promise<number> {
  const column = table === 'alert_groups' ? 'id' : 'group_id';
  const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${column} = $1`, [id]);
  return rows[0]!.n;
}

async function incidentOf(groupId: number, status: 'open' | 'acknowledged' | 'resolved', linked: 'source-key' | 'group' = 'source-key'): Promise<void> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO incidents (severity, title, status, commander, declared_at, ladders, source_key) VALUES (2, 'HighErrorRate', $1, 'alert:HighErrorRate', now() - interval '60 days', '{}', $2) RETURNING id`,
    [status, `alert:${groupId}:1`]);
  if (linked === 'group') await pool.query('UPDATE alert_groups SET incident_id = $2, incident_episode = 1 WHERE id = $1', [groupId, rows[0]!.id]);
}

describe('pruneAlerts', () => {
  it('deletes a resolved group quiet for longer than retentionDays, with its episodes and votes, and keeps the others', async () => {
    const old = await group('old', 40, { votes: 2 });
    const firing = await group('still-firing', 40, { firing: true });
    const recent = await group('recent', 2);
    expect(await count('alert_episodes', old)).toBe(1);
    expect(await count('alert_votes', old)).toBe(2);

    expect(await pruneAlerts(pool, 30)).toEqual({ groups: 1, episodes: 1, votes: 2 });
    expect([await count('alert_groups', old), await count('alert_episodes', old), await count('alert_votes', old)]).toEqual([0, 0, 0]);
    expect(await count('alert_groups', firing)).toBe(1);
    expect(await count('alert_groups', recent)).toBe(1);
    // Nothing more to prune: a second run deletes nothing.
    expect(await pruneAlerts(pool, 30)).toEqual({ groups: 0, episodes: 0, votes: 0 });
  });

  it('keeps a group whose incident is still open (by its key, or as the group\'s incident), and prunes it once the incident is resolved', async () => {
    const byKey = await group('by-key', 40);
    const byGroup = await group('by-group', 40);
    await incidentOf(byKey, 'acknowledged');
    await incidentOf(byGroup, 'open', 'group');
    expect((await pruneAlerts(pool, 30)).groups).toBe(0);
    await pool.query("UPDATE incidents SET status = 'resolved', resolved_at = now()");
    expect((await pruneAlerts(pool, 30)).groups).toBe(2);
    expect(await count('alert_groups', byKey) + await count('alert_groups', byGroup)).toBe(0);
  });

  it('keeps what the weekly digest still counts (its window, stretched by a late digest), however short retentionDays is', async () => {
    const lastWeek = await group('last-week', 5);
    const twoWeeks = await group('two-weeks', 14);
    const older = await group('older', 16);
    const noisiestBefore = await store.noisiest(daysAgo(7), 5);
    expect(await pruneAlerts(pool, 1)).toMatchObject({ groups: 1 });
    expect([await count('alert_groups', lastWeek), await count('alert_groups', twoWeeks), await count('alert_groups', older)]).toEqual([1, 1, 0]);
    // The digest's section reads the same as before the prune.
    expect(await store.noisiest(daysAgo(7), 5)).toEqual(noisiestBefore);
  });

  it('keeps a group voted on within retentionDays, and one a replica holds (a claim of its message or its diagnosis)', async () => {
    const voted = await group('voted', 40, { votes: 1 });
    await pool.query("UPDATE alert_votes SET voted_at = now() - interval '1 day' WHERE group_id = $1", [voted]);
    const claimed = await group('claimed', 40);
    await pool.query("UPDATE alert_groups SET claim_until = now() + interval '30 seconds', claim_owner = 'replica-b' WHERE id = $1", [claimed]);
    const diagnosing = await group('diagnosing', 40);
    await pool.query("UPDATE alert_groups SET diag_claim_until = now() + interval '30 seconds' WHERE id = $1", [diagnosing]);
    expect((await pruneAlerts(pool, 30)).groups).toBe(0);
    // Once the vote is old and the claims have run out, all three go.
    await pool.query("UPDATE alert_votes SET voted_at = now() - interval '40 days'");
    await pool.query("UPDATE alert_groups SET claim_until = now() - interval '1 second', diag_claim_until = now() - interval '1 second'");
    expect((await pruneAlerts(pool, 30)).groups).toBe(3);
  });

  it('skips a group a notification holds (locked) rather than waiting for it; the same group key fires anew after its prune', async () => {
    const held = await group('held', 40);
    const gone = await group('gone', 40);
    const lock = await pool.connect();
    try {
      await lock.query('BEGIN');
      await lock.query('SELECT 1 FROM alert_groups WHERE id = $1 FOR UPDATE', [held]);
      expect(await pruneAlerts(pool, 30)).toMatchObject({ groups: 1 });
      await lock.query('COMMIT');
    } finally {
      lock.release();
    }
    expect(await count('alert_groups', held)).toBe(1);
    expect(await count('alert_groups', gone)).toBe(0);
    const again = await store.record(parseAlertmanagerPayload(errorRateGroup([errorRateAlert('gone', new Date().toISOString(), 'gone000000000002')], '{}:{alertname="HighErrorRate",service="gone"}')), route, 3_600_000);
    expect(again).toMatchObject({ outcome: 'recorded', episode: 1, status: 'firing' });
    expect((await store.get((again as { groupId: number }).groupId))?.flaps).toBe(0);
  });

  it('prunes more groups than one batch holds', async () => {
    await pool.query(`INSERT INTO alert_groups (key_hash, group_key, receiver, status, alerts, updated_at, resolved_at)
      SELECT 'h' || i, 'g' || i, 'chatops', 'resolved', '{"alerts":{},"point":""}', now() - interval '40 days', now() - interval '40 days' FROM generate_series(1, 1203) AS i`);
    expect((await pruneAlerts(pool, 30)).groups).toBe(1203);
  });

  it('refuses a retention that is not a number of days >= 1, naming it', async () => {
    await expect(pruneAlerts(pool, 0)).rejects.toThrow('pruneAlerts: retentionDays must be a number of days >= 1 (history.retentionDays), not 0');
    await expect(pruneAlerts(pool, Number.NaN)).rejects.toThrow(/not NaN/);
  });
});

describe('a running bot', () => {
  it('prunes old alert groups by itself, at its first pass and then hourly, by history.retentionDays (with no digest configured)', async () => {
    const old = await group('ancient', 400, { votes: 1 });
    const recent = await group('fresh', 1);
    const slack = await startFakeSlackApi();
    const bot = await startAlertBot(slack.apiUrl, storeUrl);
    try {
      await waitFor(async () => (await count('alert_groups', old)) === 0, 20_000, 'the old group pruned by the running bot');
      expect(await count('alert_votes', old)).toBe(0);
      expect(await count('alert_groups', recent)).toBe(1);
    } finally {
      await bot.stop();
      await slack.close();
    }
  }, 40_000);
});
