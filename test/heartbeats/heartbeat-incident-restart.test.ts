// The incident of a heartbeat's outage is kept with the heartbeat, not in a process's memory: an
// outage declared by one bot, the beat that ends it recorded while that bot is stopped (by a
// replica that went away before telling the incident), and a bot started afterwards tells the
// incident its heartbeat beat again, once, however many checks run. Real PostgreSQL, the real bot,
// the fake Slack API, a fake clock.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBot } from '../../src/start-bot.ts';
import { HeartbeatStore } from '../../src/heartbeats/heartbeat-store.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.ts';
import { freshDatabaseUrl } from '../support/fresh-database.ts';
import { INCIDENTS_YAML } from '../support/incidents-yaml.ts';
import { waitFor } from '../support/wait-for.ts';
import { beat, FakeClock, SIGNING_SECRET, shown, startHeartbeatBot } from './heartbeat-harness.ts';

const CONFIG = `${INCIDENTS_YAML}heartbeats:
  nightly-backup: { every: 1h, grace: 10m, channel: C0OPS, declare: sev2 }
`;
const MIN = 60_000;

let slack: FakeSlackApi;
let pool: pg.Pool;
let env: Record<string, string>;
const bots: RunningBot[] = [];
const clock = new FakeClock(new Date('2026-12-02T02:00:00Z'));

async function incidentIds(): Promise<string[]> {
  return (await pool.query<{ id: string }>("SELECT id FROM incidents WHERE source_key LIKE 'heartbeat:nightly-backup:%' ORDER BY id")).rows.map((r) => r.id);
}

async function recoveries(id: string): Promise<string[]> {
  const { rows } = await pool.query<{ text: string }>("SELECT text FROM incident_events WHERE incident_id = $1 AND kind = 'alert-resolved' ORDER BY at, id", [id]);
  return rows.map((r) => r.text);
}

beforeAll(async () => {
  slack = await startFakeSlackApi();
  const storeUrl = await freshDatabaseUrl('heartbeats_incident_restart');
  pool = new pg.Pool({ connectionString: storeUrl, max: 2 });
  env = { SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl, PORT: '0', DATABASE_URL: storeUrl };
});
afterAll(async () => {
  await Promise.all(bots.map((b) => b.stop()));
  await pool?.end();
  await slack?.close();
});

describe('the incident of a heartbeat outage across a restart', () => {
  it('is told of the beat that ended the outage by the bot started after it, once', async () => {
    const first = await startHeartbeatBot(env, clock, CONFIG);
    bots.push(first);
    expect((await beat(first.port, 'nightly-backup')).status).toBe(200);
    clock.advance(70 * MIN + 1);
    await first.services.heartbeats!.check();
    await shown(pool, 'nightly-backup');
    const [incident, ...more] = await waitFor(async () => {
      const ids = await incidentIds();
      return ids.length > 0 ? ids : undefined;
    }, 20_000, 'the outage declared');
    expect(more).toEqual([]);
    expect((await pool.query('SELECT incident_outage, incident_id, incident_told_recovered FROM heartbeats WHERE name = $1', ['nightly-backup'])).rows[0])
      .toEqual({ incident_outage: 1, incident_id: incident, incident_told_recovered: false });
    await first.stop();
    bots.splice(bots.indexOf(first), 1);

    // The beat that ends the outage, recorded while no bot runs here (a replica that went away
    // before it told the incident).
    clock.advance(5 * MIN);
    expect(await new HeartbeatStore(pool).beat('nightly-backup', clock.now())).toBe('recovered');
    expect(await recoveries(incident!)).toEqual([]);

    const second = await startHeartbeatBot(env, clock, CONFIG);
    bots.push(second);
    const third = await startHeartbeatBot(env, clock, CONFIG);
    bots.push(third);
    await Promise.all([second, third, second, third].map((b) => b.services.heartbeats!.check()));
    await waitFor(async () => ((await recoveries(incident!)).length > 0 ? true : undefined), 20_000, 'the recovery on the incident timeline');
    await Promise.all([second, third].map((b) => b.services.heartbeats!.check()));
    expect(await recoveries(incident!)).toEqual(['The heartbeat nightly-backup beat again at 2026-12-02 03:15 UTC']);
    expect((await pool.query('SELECT incident_told_recovered FROM heartbeats WHERE name = $1', ['nightly-backup'])).rows[0]).toEqual({ incident_told_recovered: true });
    // No second incident for the same outage.
    expect(await incidentIds()).toEqual([incident]);
  });
});
