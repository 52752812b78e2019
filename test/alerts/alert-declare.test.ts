// Incidents from alerts, through two replicas of the real bot on one PostgreSQL store with the
// fake Slack API, driven by Alertmanager's version 4 payloads: a route with `declare: sev2`
// declares one incident per alert group however the notification arrives (retries, two
// unclustered Alertmanagers, both replicas), commanded by the alert until a person takes it, paged
// per the ladder; a route without `declare` never declares; `declareAfter` waits for the group to
// have fired that long (checked at each notification, and by the timer with no new one); the
// group's resolution is said on the incident's timeline, and resolves it only with autoResolve.
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningBot } from '../../src/start-bot.ts';
import { AlertDeclarer } from '../../src/alerts/alert-declarer.ts';
import { AlertStore } from '../../src/alerts/alert-store.ts';
import { parseConfig } from '../../src/config/load-config.ts';
import { startFakeSlackApi, type FakeSlackApi, type RecordedCall } from '../support/fake-slack-api.ts';
import { freshDatabaseUrl } from '../support/fresh-database.ts';
import { INCIDENTS_YAML } from '../support/incidents-yaml.ts';
import { pressIncidentButton } from '../support/press-incident-button.ts';
import { postSigned } from '../support/signed-slack-request.ts';
import type { HttpTestBot } from '../support/test-bot.ts';
import { testBotLogger } from '../support/suite-recording.ts';
import { waitFor } from '../support/wait-for.ts';
import { SIGNING_SECRET, sendAlert, settled, startAlertBot } from './alert-harness.ts';
import { errorRateAlert, errorRateGroup, postgresDownFiring, resolvedOf, type FixtureAlert, type Payload } from './alertmanager-payloads.ts';

const CONFIG = `targets:
  main-db:
    kind: postgres
    url: \${MONITORED_URL}
    timeoutMs: 3000
${INCIDENTS_YAML}alerts:
  routes:
    - match: { alertname: HighErrorRate }
      channel: C0ALERTS
      declare: sev2
    - match: { alertname: PostgresDown }
      channel: C0CRIT
      targets: [main-db]
      declare: sev2
      autoResolve: true
    - match: { alertname: DiskFilling }
      channel: C0DISK
      declare: sev3
      declareAfter: 10m
    - match: { alertname: CertificateExpiring }
      channel: C0NOISE
`;

let slack: FakeSlackApi;
let pool: pg.Pool;
let replicaA: RunningBot;
let replicaB: RunningBot;

beforeAll(async () => {
  slack = await startFakeSlackApi();
  const storeUrl = await freshDatabaseUrl('alerts_declare');
  pool = new pg.Pool({ connectionString: storeUrl, max: 2 });
  [replicaA, replicaB] = await Promise.all([startAlertBot(slack.apiUrl, storeUrl, {}, CONFIG), startAlertBot(slack.apiUrl, storeUrl, {}, CONFIG)]);
});
afterAll(async () => {
  await Promise.all([replicaA?.stop(), replicaB?.stop()]);
  await pool?.end();
  await slack?.close();
});
beforeEach(() => slack.reset());

/** An alert of rule `name` (HighErrorRate's labels and annotations, renamed). */
function ruleAlert(name: string, service: string, startsAt: string, fingerprint: string, resolvedAt?: string): FixtureAlert {
  const a = errorRateAlert(service, startsAt, fingerprint, resolvedAt);
  return { ...a, labels: { ...a.labels, alertname: name }, annotations: { ...a.annotations, summary: `${name} on ${service}` } };
}

function ruleGroup(name: string, alerts: FixtureAlert[], service: string): Payload {
  const key = `{}:{alertname="${name}",service="${service}"}`;
  return { ...errorRateGroup(alerts, key), groupLabels: { alertname: name, service } };
}

interface IncidentRow {
  id: string;
  severity: number;
  title: string;
  commander: string;
  status: string;
  report: { alert?: { name: string; channel?: string }; diagnosis?: Array<{ target: string }> | null } | null;
}

async function incidentsOf(groupKey: string): Promise<IncidentRow[]> {
  const { rows } = await pool.query<IncidentRow>(
    `SELECT i.* FROM incidents i JOIN alert_groups g ON i.source_key LIKE 'alert:' || g.id || ':%' WHERE g.group_key = $1 ORDER BY i.id`, [groupKey]);
  return rows;
}

async function declaredFor(groupKey: string): Promise<IncidentRow> {
  return await waitFor(async () => (await incidentsOf(groupKey))[0], 20_000, `the incident of ${groupKey}`);
}

async function timeline(id: string): Promise<string[]> {
  const { rows } = await pool.query<{ kind: string; text: string }>('SELECT kind, text FROM incident_events WHERE incident_id = $1 ORDER BY at, id', [id]);
  return rows.map((r) => `${r.kind}: ${r.text}`);
}

const blocksOf = (c: RecordedCall): string => JSON.stringify(c.args.blocks ?? []);
/** The incident's card as last posted or updated in the incidents channel. */
const lastCard = (id: string): RecordedCall | undefined =>
  slack.calls.filter((c) => (c.method === 'chat.postMessage' || c.method === 'chat.update') && c.args.channel === 'C0INCIDENTS' && c.args.thread_ts === undefined && blocksOf(c).includes(`INC-${id}:`)).at(-1);
const buttonsOf = (c: RecordedCall): string[] =>
  (c.args.blocks as Array<{ elements?: Array<{ action_id?: string }> }>).flatMap((b) => b.elements ?? []).map((e) => e.action_id ?? '').filter((a) => a.startsWith('incident:'));

function httpBot(bot: RunningBot): HttpTestBot {
  return { slack, bot, storeUrl: '', send: (body, headers) => postSigned(`http://127.0.0.1:${bot.port}/slack/events`, body, { secret: SIGNING_SECRET, ...(headers && { headers }) }) };
}

describe('a route with declare: sev2', () => {
  it('declares exactly one incident per group however the notification arrives, pages the ladder, and its alert commands it', async () => {
    const startsAt = new Date(Date.now() - 3 * 60_000).toISOString();
    const firing = ruleGroup('HighErrorRate', [ruleAlert('HighErrorRate', 'checkout', startsAt, 'dec0000000000001')], 'checkout');
    // A second Alertmanager, not clustered with the first, sends the same group from its own address.
    const second = { ...firing, externalURL: 'http://alertmanager-main-1:9093' };
    const sends = [replicaA, replicaB, replicaA, replicaB].flatMap((b) => [sendAlert(b.port, firing), sendAlert(b.port, second)]);
    expect((await Promise.all(sends)).every((a) => a.status === 200)).toBe(true);
    const incident = await declaredFor(String(firing.groupKey));
    await settled(pool, String(firing.groupKey));
    // An alert joining the group, through the other replica: the same episode, no second incident.
    const joined = ruleGroup('HighErrorRate', [...firing.alerts, ruleAlert('HighErrorRate', 'checkout', new Date(Date.now() - 60_000).toISOString(), 'dec0000000000002')], 'checkout');
    await Promise.all([sendAlert(replicaB.port, joined), sendAlert(replicaA.port, joined)]);
    await settled(pool, String(firing.groupKey));
    await Promise.all([replicaA.services.alerts!.declareNow(), replicaB.services.alerts!.declareNow()]);
    expect(await incidentsOf(String(firing.groupKey))).toHaveLength(1);
    // A replica that died after declaring, before the group recorded it: the next pass finds the
    // incident by its key and declares nothing more.
    await pool.query('UPDATE alert_groups SET incident_id = NULL, incident_episode = NULL WHERE group_key = $1', [firing.groupKey]);
    await Promise.all([replicaA.services.alerts!.declareNow(), replicaB.services.alerts!.declareNow()]);
    expect(await incidentsOf(String(firing.groupKey))).toHaveLength(1);
    const { rows: groups } = await pool.query<{ incident_id: string }>('SELECT incident_id FROM alert_groups WHERE group_key = $1', [firing.groupKey]);
    expect(groups[0]!.incident_id).toBe(incident.id);

    expect(incident).toMatchObject({ severity: 2, title: 'HighErrorRate: HighErrorRate on checkout', commander: 'alert:HighErrorRate', status: 'open' });
    expect(incident.report?.alert).toMatchObject({ name: 'HighErrorRate', channel: 'C0ALERTS' });
    expect((await timeline(incident.id))[0]).toBe('declared: Declared SEV-2 by the alert HighErrorRate in #C0ALERTS: HighErrorRate: HighErrorRate on checkout');

    // The ladder pages as for any SEV-2: the on-call by DM at once, once, however many replicas run.
    await slack.waitFor(() => slack.messagesIn('DU0ONCALL').some((m) => m.metadata?.event_payload.key === `INC-${incident.id}/sev2:s0a0/dm:U0ONCALL`));
    await waitFor(async () => lastCard(incident.id), 10_000, 'the incident card');
    const dms = slack.messagesIn('DU0ONCALL').filter((m) => String(m.metadata?.event_payload.key).startsWith(`INC-${incident.id}/`));
    expect(dms).toHaveLength(1);
    const dm = slack.callsTo('chat.postMessage').find((c) => c.args.channel === 'DU0ONCALL' && blocksOf(c).includes(`INC-${incident.id}:`))!;
    expect(blocksOf(dm)).toContain('ago by the alert HighErrorRate.');
    // The card names the alert as commander, never as a mention of someone.
    const card = blocksOf(lastCard(incident.id)!);
    expect(card).toContain('Commander the alert HighErrorRate');
    expect(card).not.toContain('<@alert:');

    // The alert message says which incident it declared.
    await waitFor(async () => slack.calls.some((c) => c.args.channel === 'C0ALERTS' && blocksOf(c).includes(`Declared incident INC-${incident.id}`)), 10_000, 'the alert message naming the incident');
    const posts = slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0ALERTS' && blocksOf(c).includes('on checkout'));
    expect(posts).toHaveLength(1);
    // And the incident knows where that message is.
    const { rows: withMessage } = await pool.query<IncidentRow>('SELECT report FROM incidents WHERE id = $1', [incident.id]);
    const group = await settled(pool, String(firing.groupKey));
    expect(withMessage[0]!.report?.alert).toMatchObject({ message: { channel: 'C0ALERTS', ts: group.message_ts } });

    const { rows: audit } = await pool.query("SELECT actor, source, outcome FROM audit_log WHERE action = 'incident.declare' AND target = $1", [`INC-${incident.id}`]);
    expect(audit).toEqual([{ actor: 'alert:HighErrorRate', source: 'alertmanager', outcome: 'succeeded' }]);

    // The on-call acknowledges: they take command from the alert.
    const res = await pressIncidentButton(httpBot(replicaA), 'incident:ack', Number(incident.id), 'U0ONCALL', { responseId: 'ack-declared' });
    expect(res.status).toBe(200);
    await waitFor(async () => ((await pool.query<{ commander: string }>('SELECT commander FROM incidents WHERE id = $1', [incident.id])).rows[0]?.commander === 'U0ONCALL' ? true : undefined), 10_000, 'the on-call to take command');
    expect(await timeline(incident.id)).toContain('commander: @U0ONCALL takes command from the alert HighErrorRate');
  });

  it('on the group\'s resolution: a timeline entry, and the card keeps its Resolve button; the incident stays open', async () => {
    const startsAt = new Date(Date.now() - 5 * 60_000).toISOString();
    const firing = ruleGroup('HighErrorRate', [ruleAlert('HighErrorRate', 'search', startsAt, 'dec0000000000011')], 'search');
    await sendAlert(replicaA.port, firing);
    const incident = await declaredFor(String(firing.groupKey));
    await settled(pool, String(firing.groupKey));
    const endsAt = new Date(Date.now() - 10_000).toISOString();
    const resolved = resolvedOf(firing, endsAt);
    await Promise.all([sendAlert(replicaA.port, resolved), sendAlert(replicaB.port, resolved), sendAlert(replicaB.port, resolved)]);
    await settled(pool, String(firing.groupKey));
    const said = `alert-resolved: The alert HighErrorRate resolved at ${endsAt.slice(0, 16).replace('T', ' ')} UTC`;
    await waitFor(async () => (await timeline(incident.id)).includes(said) || undefined, 20_000, 'the resolution on the timeline');
    await Promise.all([replicaA.services.alerts!.declareNow(), replicaB.services.alerts!.declareNow()]);
    expect((await timeline(incident.id)).filter((l) => l === said)).toHaveLength(1);

    const { rows } = await pool.query<{ status: string }>('SELECT status FROM incidents WHERE id = $1', [incident.id]);
    expect(rows[0]!.status).toBe('open');
    await waitFor(async () => lastCard(incident.id), 10_000, 'the incident card after the resolution');
    expect(buttonsOf(lastCard(incident.id)!)).toContain('incident:resolve');
    // The alert message turned resolved, in place, and still names its incident.
    const update = slack.callsTo('chat.update').filter((c) => c.args.channel === 'C0ALERTS' && blocksOf(c).includes('on search')).at(-1)!;
    expect(blocksOf(update)).toContain('Resolved: HighErrorRate');
    expect(blocksOf(update)).toContain(`Declared incident INC-${incident.id}`);
  });

  it('with autoResolve: true the incident is resolved by the alert, with a timeline entry naming it, and its diagnosis attached', async () => {
    const firing = postgresDownFiring();
    firing.alerts = firing.alerts.map((a) => ({ ...a, startsAt: new Date(Date.now() - 2 * 60_000).toISOString() }));
    await sendAlert(replicaB.port, firing);
    const incident = await declaredFor(String(firing.groupKey));
    expect(incident).toMatchObject({ title: 'PostgresDown: PostgreSQL is down', commander: 'alert:PostgresDown' });
    // The route's target diagnosed in the alert's thread, and attached to the incident.
    await settled(pool, String(firing.groupKey));
    await waitFor(async () => ((await timeline(incident.id)).some((l) => l.startsWith('diagnosis: Diagnosis attached: main-db')) || undefined), 20_000, 'the diagnosis attached');
    const { rows: reports } = await pool.query<IncidentRow>('SELECT report FROM incidents WHERE id = $1', [incident.id]);
    expect(reports[0]!.report?.diagnosis?.map((d) => d.target)).toEqual(['main-db']);

    await sendAlert(replicaA.port, resolvedOf(firing, new Date(Date.now() - 5_000).toISOString()));
    await waitFor(async () => ((await pool.query<{ status: string }>('SELECT status FROM incidents WHERE id = $1', [incident.id])).rows[0]?.status === 'resolved' || undefined), 20_000, 'the incident resolved');
    const lines = await timeline(incident.id);
    expect(lines.some((l) => l.startsWith('alert-resolved: The alert PostgresDown resolved at'))).toBe(true);
    expect(lines.some((l) => /^resolved: Resolved by the alert PostgresDown \(autoResolve\)/.test(l))).toBe(true);
    await waitFor(async () => (lastCard(incident.id) && blocksOf(lastCard(incident.id)!).includes('Resolved by the alert PostgresDown')) || undefined, 10_000, 'the card resolved');
    expect(buttonsOf(lastCard(incident.id)!)).toEqual([]);
    const { rows: pending } = await pool.query("SELECT count(*)::int AS n FROM incident_pages WHERE incident_id = $1 AND state = 'pending'", [incident.id]);
    expect(pending[0].n).toBe(0);
  });
});

describe('the title', () => {
  it('is the alert name and summary as plain words: no mention, no control character, cut to 200 characters', async () => {
    const alert = ruleAlert('HighErrorRate', 'ledger', new Date(Date.now() - 60_000).toISOString(), 'dec0000000000051');
    alert.annotations.summary = `<!channel> 5xx\u0007 on ledger ${'x'.repeat(300)}`;
    const firing = ruleGroup('HighErrorRate', [alert], 'ledger');
    firing.commonAnnotations = alert.annotations;
    await sendAlert(replicaA.port, firing);
    const incident = await declaredFor(String(firing.groupKey));
    expect(incident.title.length).toBeLessThanOrEqual(200);
    expect(incident.title).toMatch(/^HighErrorRate: ‹!channel› 5xx on ledger x+…$/);
  });
});

describe('routes that do not declare, or not yet', () => {
  it('a route without declare never declares', async () => {
    const firing = ruleGroup('CertificateExpiring', [ruleAlert('CertificateExpiring', 'edge', new Date(Date.now() - 3 * 3_600_000).toISOString(), 'dec0000000000021')], 'edge');
    await Promise.all([sendAlert(replicaA.port, firing), sendAlert(replicaB.port, firing)]);
    const group = await settled(pool, String(firing.groupKey));
    expect(group.message_channel).toBe('C0NOISE');
    await Promise.all([replicaA.services.alerts!.declareNow(), replicaB.services.alerts!.declareNow()]);
    expect(await incidentsOf(String(firing.groupKey))).toEqual([]);
    expect(slack.calls.filter((c) => c.args.channel === 'C0NOISE' && blocksOf(c).includes('Declared incident'))).toEqual([]);
  });

  it('declareAfter: a group firing that long when its notification arrives is declared at once', async () => {
    const firing = ruleGroup('DiskFilling', [ruleAlert('DiskFilling', 'node-3', new Date(Date.now() - 25 * 60_000).toISOString(), 'dec0000000000031')], 'node-3');
    await sendAlert(replicaA.port, firing);
    const incident = await declaredFor(String(firing.groupKey));
    expect(incident).toMatchObject({ severity: 3, title: 'DiskFilling: DiskFilling on node-3' });
  });

  it('declareAfter: a group that keeps firing without a new notification is declared by the timer once due, not before', async () => {
    const startsAt = new Date(Date.now() - 60_000);
    const firing = ruleGroup('DiskFilling', [ruleAlert('DiskFilling', 'node-7', startsAt.toISOString(), 'dec0000000000041')], 'node-7');
    await Promise.all([sendAlert(replicaA.port, firing), sendAlert(replicaB.port, firing)]);
    await settled(pool, String(firing.groupKey));
    // What the bots' own timers run, with a clock the test moves: the real store, the real incidents.
    const routes = parseConfig({ targets: {}, incidents: { channel: 'C0INCIDENTS' }, alerts: { routes: [{ match: { alertname: 'HighErrorRate' }, channel: 'C0ALERTS', declare: 'sev2' }, { match: { alertname: 'PostgresDown' }, channel: 'C0CRIT', declare: 'sev2', autoResolve: true }, { match: { alertname: 'DiskFilling' }, channel: 'C0DISK', declare: 'sev3', declareAfter: '10m' }] } }, 'f.yml', {}).alerts!.routes;
    let now = new Date(startsAt.getTime() + 9 * 60_000);
    const timer = new AlertDeclarer({ store: new AlertStore(pool), incidents: replicaA.services.incidents!, routes: () => routes, now: () => now, log: testBotLogger() });
    await timer.run();
    await Promise.all([replicaA.services.alerts!.declareNow(), replicaB.services.alerts!.declareNow()]);
    expect(await incidentsOf(String(firing.groupKey))).toEqual([]);

    now = new Date(startsAt.getTime() + 10 * 60_000 + 1_000);
    expect(await timer.run()).toBe(true);
    await timer.run();
    const incidents = await incidentsOf(String(firing.groupKey));
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ severity: 3, commander: 'alert:DiskFilling' });
    await waitFor(async () => slack.calls.some((c) => c.args.channel === 'C0DISK' && blocksOf(c).includes(`Declared incident INC-${incidents[0]!.id}`)) || undefined, 10_000, 'the alert message naming the incident');
  });
});

describe('declare in chatops.yml', () => {
  const targets = { 'main-db': { kind: 'postgres', url: 'postgres://localhost/app' } };
  const problemsOf = (routes: unknown[]) => parseConfig({ targets, incidents: { channel: 'C0INCIDENTS' }, alerts: { routes } }, 'f.yml', {}, process.cwd(), 'collect').problems.map((p) => `${p.path}: ${p.message}`);

  it('reads declare, declareAfter and autoResolve', () => {
    const config = parseConfig({ targets, incidents: { channel: 'C0INCIDENTS' }, alerts: { routes: [{ channel: 'C0A1', declare: 'sev1', declareAfter: '15m', autoResolve: true }, { channel: 'C0A2' }] } }, 'f.yml', {});
    expect(config.alerts!.routes).toEqual([
      { match: {}, channel: 'C0A1', targets: [], declare: 1, declareAfterMs: 15 * 60_000, autoResolve: true },
      { match: {}, channel: 'C0A2', targets: [], autoResolve: false },
    ]);
  });

  it('names a bad severity, a bad duration and an unknown key with what is accepted', () => {
    expect(problemsOf([{ channel: 'C0A1', declare: 'critical' }])).toEqual(['alerts.routes.0.declare: not a severity; accepted: sev1, sev2, sev3, sev4 (got "critical")']);
    expect(problemsOf([{ channel: 'C0A1', declare: 2 }])).toEqual(['alerts.routes.0.declare: not a severity; accepted: sev1, sev2, sev3, sev4 (got 2)']);
    expect(problemsOf([{ channel: 'C0A1', declare: 'sev2', declareAfter: 'later' }])).toEqual(['alerts.routes.0.declareAfter: not a duration like 30s, 15m, 1h, 1h30m, 1d or 1w (got "later")']);
    expect(problemsOf([{ channel: 'C0A1', declare: 'sev2', autoresolve: true }])).toEqual([
      'alerts.routes.0: unknown key autoresolve; accepted keys: match, channel, targets, declare, declareAfter, autoResolve, silenceVia',
    ]);
    expect(problemsOf([{ channel: 'C0A1', declareAfter: '5m', autoResolve: true }])).toEqual([
      'alerts.routes.0.declareAfter: declareAfter without declare: add declare: sev1|sev2|sev3|sev4, or remove it',
      'alerts.routes.0.autoResolve: autoResolve without declare: add declare: sev1|sev2|sev3|sev4, or remove it',
    ]);
  });
});
