// An alert group that fires again soon after it resolved (within the flap window: the same
// episode, the same message) after its route declared an incident: through the real bot on a real
// PostgreSQL store with the fake Slack API. With autoResolve the incident was resolved by the
// alert; the re-firing is said on its timeline, once per flap, with the flap count and that the
// incident stays resolved, and no second incident is declared for it; the message shows the flap
// count. Past the flap window a new firing is a new episode, which declares anew. And a
// notification Alertmanager cut (max_alerts) says how many alerts its message does not list.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBot } from '../../src/start-bot.ts';
import { AlertStore } from '../../src/alerts/alert-store.ts';
import { startFakeSlackApi, type FakeSlackApi, type RecordedCall } from '../support/fake-slack-api.ts';
import { freshDatabaseUrl } from '../support/fresh-database.ts';
import { INCIDENTS_YAML } from '../support/incidents-yaml.ts';
import { waitFor } from '../support/wait-for.ts';
import { sendAlert, settled, startAlertBot } from './alert-harness.ts';
import { errorRateAlert, errorRateGroup, type FixtureAlert, type Payload } from './alertmanager-payloads.ts';

const CONFIG = `targets: {}
${INCIDENTS_YAML}alerts:
  routes:
    - match: { alertname: FlappyDown }
      channel: C0FLAP
      declare: sev2
      autoResolve: true
    - match: { alertname: FlappyLatency }
      channel: C0FLAP
      declare: sev3
    - match: { alertname: HighErrorRate }
      channel: C0ALERTS
`;

let slack: FakeSlackApi;
let pool: pg.Pool;
let bot: RunningBot;

beforeAll(async () => {
  slack = await startFakeSlackApi();
  const storeUrl = await freshDatabaseUrl('alerts_flap');
  pool = new pg.Pool({ connectionString: storeUrl, max: 2 });
  bot = await startAlertBot(slack.apiUrl, storeUrl, {}, CONFIG);
});
afterAll(async () => {
  await bot?.stop();
  await pool?.end();
  await slack?.close();
});

function ruleAlert(name: string, startsAt: Date, resolvedAt?: Date): FixtureAlert {
  const a = errorRateAlert('db', startsAt.toISOString(), `f1a9${name.length}00000000001`, resolvedAt?.toISOString());
  return { ...a, labels: { ...a.labels, alertname: name }, annotations: { ...a.annotations, summary: `${name} on db` } };
}

function ruleGroup(name: string, alert: FixtureAlert): Payload {
  return { ...errorRateGroup([alert], `{}:{alertname="${name}"}`), groupLabels: { alertname: name } };
}

interface IncidentRow {
  id: string;
  status: string;
  source_key: string;
}

async function incidentsOf(groupKey: string): Promise<IncidentRow[]> {
  const { rows } = await pool.query<IncidentRow>(
    `SELECT i.id, i.status, i.source_key FROM incidents i JOIN alert_groups g ON i.source_key LIKE 'alert:' || g.id || ':%' WHERE g.group_key = $1 ORDER BY i.id`, [groupKey]);
  return rows;
}

async function timeline(id: string): Promise<string[]> {
  const { rows } = await pool.query<{ kind: string; text: string }>('SELECT kind, text FROM incident_events WHERE incident_id = $1 ORDER BY at, id', [id]);
  return rows.map((r) => `${r.kind}: ${r.text}`);
}

const hhmm = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');
const blocksOf = (c: RecordedCall): string => JSON.stringify(c.args.blocks ?? []);
const minutesAgo = (min: number) => new Date(Date.now() - min * 60_000);

describe('a group that fires again within the flap window after its incident was declared', () => {
  it('with autoResolve: the resolved incident\'s timeline says it fired again (once per flap, with the count); no second incident; past the window a new episode declares anew', async () => {
    const name = 'FlappyDown';
    // Alertmanager's times: fired 5 h ago, resolved 10 min later, fired again 10 min after that
    // (within the 1 h window), resolved again; then, hours later, fired anew.
    const t0 = minutesAgo(300);
    const t1 = minutesAgo(290);
    const t2 = minutesAgo(280);
    const t3 = minutesAgo(270);
    const key = `{}:{alertname="${name}"}`;

    expect((await sendAlert(bot.port, ruleGroup(name, ruleAlert(name, t0)))).status).toBe(200);
    const incident = await waitFor(async () => (await incidentsOf(key))[0], 20_000, 'the incident declared');
    await sendAlert(bot.port, ruleGroup(name, ruleAlert(name, t0, t1)));
    await waitFor(async () => ((await incidentsOf(key))[0]?.status === 'resolved' || undefined), 20_000, 'the incident resolved by autoResolve');

    // Fired again soon after: the same episode (a flap), the same message.
    await sendAlert(bot.port, ruleGroup(name, ruleAlert(name, t2)));
    const said = `alert-fired-again: The alert ${name} fired again at ${hhmm(t2)} UTC, soon after it resolved (flapping: once in this episode); INC-${incident.id} stays resolved: declare a new incident if it needs people`;
    await waitFor(async () => ((await timeline(incident.id)).includes(said) || undefined), 20_000, 'the re-firing on the timeline');
    const group = await settled(pool, key);
    expect(group).toMatchObject({ flaps: 1, episode: 1, status: 'firing' });
    // Told once, however many passes look again; still one incident, still resolved.
    await bot.services.alerts!.declareNow();
    await bot.services.alerts!.declareNow();
    expect((await timeline(incident.id)).filter((l) => l.startsWith('alert-fired-again:'))).toEqual([said]);
    expect(await incidentsOf(key)).toEqual([{ ...incident, status: 'resolved' }]);
    // The one message says the flap and the incident.
    const messages = slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0FLAP' && c.args.thread_ts === undefined && blocksOf(c).includes(`${name} on db`));
    expect(messages).toHaveLength(1);
    const shown = blocksOf(slack.calls.filter((c) => (c.method === 'chat.update' || c.method === 'chat.postMessage') && c.args.channel === 'C0FLAP' && blocksOf(c).includes(`${name} on db`)).at(-1)!);
    expect(shown).toContain('fired again once after resolving');
    expect(shown).toContain(`Declared incident INC-${incident.id}`);

    // Resolved again: said on the timeline too; the incident stays as it is.
    await sendAlert(bot.port, ruleGroup(name, ruleAlert(name, t2, t3)));
    await waitFor(async () => ((await timeline(incident.id)).includes(`alert-resolved: The alert ${name} resolved at ${hhmm(t3)} UTC`) || undefined), 20_000, 'the second resolution on the timeline');
    const lines = await timeline(incident.id);
    expect(lines.indexOf(said)).toBeLessThan(lines.indexOf(`alert-resolved: The alert ${name} resolved at ${hhmm(t3)} UTC`));
    expect(lines.filter((l) => l.startsWith('resolved:'))).toHaveLength(1);

    // Hours after it resolved, beyond the flap window: a new episode, a new incident of its own.
    await sendAlert(bot.port, ruleGroup(name, ruleAlert(name, minutesAgo(1))));
    const both = await waitFor(async () => { const all = await incidentsOf(key); return all.length === 2 ? all : undefined; }, 20_000, 'the new episode\'s incident');
    expect(both.map((i) => i.source_key)).toEqual([incident.source_key, incident.source_key.replace(/:1$/, ':2')]);
    expect(both[1]!.status).toBe('open');
    expect((await timeline(both[1]!.id)).some((l) => l.startsWith('alert-fired-again:'))).toBe(false);
    expect(await settled(pool, key)).toMatchObject({ flaps: 0, episode: 2 });
  });

  it('without autoResolve: the open incident\'s timeline says it fired again, without "stays resolved"', async () => {
    const name = 'FlappyLatency';
    const key = `{}:{alertname="${name}"}`;
    const t0 = minutesAgo(30);
    await sendAlert(bot.port, ruleGroup(name, ruleAlert(name, t0)));
    const incident = await waitFor(async () => (await incidentsOf(key))[0], 20_000, 'the incident declared');
    await sendAlert(bot.port, ruleGroup(name, ruleAlert(name, t0, minutesAgo(20))));
    await waitFor(async () => ((await timeline(incident.id)).some((l) => l.startsWith('alert-resolved:')) || undefined), 20_000, 'the resolution on the timeline');
    const again = minutesAgo(10);
    await sendAlert(bot.port, ruleGroup(name, ruleAlert(name, again)));
    const said = `alert-fired-again: The alert ${name} fired again at ${hhmm(again)} UTC, soon after it resolved (flapping: once in this episode)`;
    await waitFor(async () => ((await timeline(incident.id)).includes(said) || undefined), 20_000, 'the re-firing on the timeline');
    expect((await incidentsOf(key)).map((i) => i.status)).toEqual(['open']);
  });

  it('flaps before the incident was declared are not said as re-firings after it', async () => {
    const name = 'HighErrorRate';
    const t0 = minutesAgo(40);
    const p = (a: FixtureAlert) => ({ ...errorRateGroup([a], '{}:{alertname="HighErrorRate",flap="pre"}') });
    await sendAlert(bot.port, p(ruleAlert(name, t0)));
    await sendAlert(bot.port, p(ruleAlert(name, t0, minutesAgo(35))));
    await sendAlert(bot.port, p(ruleAlert(name, minutesAgo(30))));
    const g = await settled(pool, '{}:{alertname="HighErrorRate",flap="pre"}');
    expect(g.flaps).toBe(1);
    const { rows } = await pool.query<{ incident_told_flaps: number }>('SELECT incident_told_flaps FROM alert_groups WHERE id = $1', [g.id]);
    expect(rows[0]!.incident_told_flaps).toBe(0);
    // Declared now (as the declarer records it): the flaps so far count as told, none is said.
    const store = new AlertStore(pool);
    expect(await store.setIncident(Number(g.id), g.episode, 999_999)).toBe(true);
    expect((await store.refiredUntold()).map((x) => x.id)).not.toContain(Number(g.id));
    const { rows: after } = await pool.query<{ incident_told_flaps: number }>('SELECT incident_told_flaps FROM alert_groups WHERE id = $1', [g.id]);
    expect(after[0]!.incident_told_flaps).toBe(1);
  });
});

describe('a notification Alertmanager cut short (max_alerts)', () => {
  it('the message says how many alerts it does not list, until a notification lists them all', async () => {
    const alerts = [errorRateAlert('checkout', minutesAgo(5).toISOString(), 'c0700000000000001'), errorRateAlert('cart', minutesAgo(4).toISOString(), 'c0700000000000002')];
    const key = '{}:{alertname="HighErrorRate",cut="yes"}';
    await sendAlert(bot.port, { ...errorRateGroup(alerts, key), truncatedAlerts: 40 });
    await settled(pool, key);
    const shownOf = () => blocksOf(slack.calls.filter((c) => (c.method === 'chat.update' || c.method === 'chat.postMessage') && c.args.channel === 'C0ALERTS' && blocksOf(c).includes('on checkout')).at(-1)!);
    expect(shownOf()).toContain('2 firing, +40 not listed');
    expect(shownOf()).toContain('Firing: HighErrorRate (2+)');
    const all = [...alerts, errorRateAlert('search', minutesAgo(1).toISOString(), 'c0700000000000003')];
    await sendAlert(bot.port, errorRateGroup(all, key));
    await waitFor(async () => (shownOf().includes('3 firing') || undefined), 20_000, 'the message with every alert listed');
    expect(shownOf()).not.toContain('not listed');
  });
});
