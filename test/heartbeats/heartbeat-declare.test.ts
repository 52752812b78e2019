// Heartbeats that declare: two replicas of the real bot on one PostgreSQL store, seeing the time of
// one clock the test moves, with an incidents: section; the fake Slack API records what they post.
// A heartbeat with `declare: sev2` missing for every + grace declares one incident per outage
// however many checks run on however many replicas; the beat that ends the outage goes on the
// incident's timeline once and leaves it open; the next outage declares anew. A heartbeat without
// `declare` never declares.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBot } from '../../src/start-bot.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.ts';
import { freshDatabaseUrl } from '../support/fresh-database.ts';
import { INCIDENTS_YAML } from '../support/incidents-yaml.ts';
import { waitFor } from '../support/wait-for.ts';
import { beat, FakeClock, SIGNING_SECRET, shown, startHeartbeatBot } from './heartbeat-harness.ts';

const CONFIG = `${INCIDENTS_YAML}heartbeats:
  nightly-backup: { every: 1h, grace: 10m, channel: C0OPS, declare: sev2 }
  report-job: { every: 1h, grace: 10m, channel: C0OPS }
`;
const MIN = 60_000;

let slack: FakeSlackApi;
let pool: pg.Pool;
let botA: RunningBot;
let botB: RunningBot;
const clock = new FakeClock(new Date('2026-12-02T02:00:00Z'));

const checkEverywhere = (times: number) => Promise.all(Array.from({ length: times }, () => [botA, botB].map((b) => b.services.heartbeats!.check())).flat());

interface IncidentRow {
  id: string;
  severity: number;
  title: string;
  commander: string;
  status: string;
  source_key: string;
  report: { heartbeat?: { name: string; missedSince?: string; said?: string } } | null;
}

async function incidents(): Promise<IncidentRow[]> {
  return (await pool.query<IncidentRow>("SELECT * FROM incidents WHERE source_key LIKE 'heartbeat:%' ORDER BY id")).rows;
}

async function timeline(id: string): Promise<string[]> {
  const { rows } = await pool.query<{ kind: string; text: string }>('SELECT kind, text FROM incident_events WHERE incident_id = $1 ORDER BY at, id', [id]);
  return rows.map((r) => `${r.kind}: ${r.text}`);
}

beforeAll(async () => {
  slack = await startFakeSlackApi();
  const storeUrl = await freshDatabaseUrl('heartbeats_declare');
  pool = new pg.Pool({ connectionString: storeUrl, max: 2 });
  const env = { SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl, PORT: '0', DATABASE_URL: storeUrl };
  [botA, botB] = await Promise.all([startHeartbeatBot(env, clock, CONFIG), startHeartbeatBot(env, clock, CONFIG)]);
});
afterAll(async () => {
  await Promise.all([botA?.stop(), botB?.stop()]);
  await pool?.end();
  await slack?.close();
});

describe('a heartbeat with declare: sev2', () => {
  it('declares one incident per outage, titled by the heartbeat, commanded as "the heartbeat <name>"; its recovery goes on the timeline once, the incident left open', async () => {
    expect((await beat(botA.port, 'nightly-backup')).status).toBe(200);
    expect((await beat(botB.port, 'report-job')).status).toBe(200);
    clock.advance(70 * MIN + 1);
    await checkEverywhere(3);
    await shown(pool, 'nightly-backup');
    await checkEverywhere(2);
    const [incident, ...more] = await incidents();
    expect(more).toEqual([]);
    expect(incident).toMatchObject({ severity: 2, title: 'heartbeat nightly-backup missed', commander: 'heartbeat:nightly-backup', status: 'open', source_key: 'heartbeat:nightly-backup:1' });
    expect(incident!.report?.heartbeat).toMatchObject({ name: 'nightly-backup', missedSince: '2026-12-02T03:00:00.000Z', said: 'heartbeat nightly-backup missed since 03:00 UTC' });
    expect((await timeline(incident!.id))[0]).toBe('declared: Declared SEV-2 by the heartbeat nightly-backup in #C0OPS: heartbeat nightly-backup missed');
    // The heartbeat without declare is said missed in its channel, and declares nothing.
    expect((await pool.query("SELECT status FROM heartbeats WHERE name = 'report-job'")).rows[0]).toEqual({ status: 'missed' });
    expect(await incidents()).toHaveLength(1);

    // The beat that ends the outage, on the other replica: said on the timeline once.
    clock.advance(5 * MIN);
    expect(await beat(botB.port, 'nightly-backup')).toEqual({ status: 200, body: { status: 'recovered' } });
    await checkEverywhere(3);
    const resolvedLines = await waitFor(async () => {
      const lines = (await timeline(incident!.id)).filter((l) => l.startsWith('alert-resolved:'));
      return lines.length > 0 ? lines : undefined;
    }, 20_000, 'the recovery on the incident timeline');
    await checkEverywhere(2);
    expect((await timeline(incident!.id)).filter((l) => l.startsWith('alert-resolved:'))).toEqual(resolvedLines);
    expect(resolvedLines).toEqual(['alert-resolved: The heartbeat nightly-backup beat again at 2026-12-02 03:15 UTC']);
    expect((await incidents())[0]!.status).toBe('open');

    // The next outage is another incident.
    clock.advance(71 * MIN);
    await checkEverywhere(2);
    const all = await incidents();
    expect(all.map((i) => i.source_key)).toEqual(['heartbeat:nightly-backup:1', 'heartbeat:nightly-backup:2']);
  });
});
