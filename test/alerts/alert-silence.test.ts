// Silences from Slack, through the real bot (HTTP, the Alertmanager route on, PostgreSQL) with the
// fake Slack API and a local server speaking Alertmanager's API v2: a firing alert message offers
// Silence 1h / 4h / until resolved; a press asks the presser privately first, naming the matchers,
// the duration and the Alertmanager, and the prompt's button
// by someone the alerts.silence rule allows creates one silence of the group's common labels (the
// stored group's, never the value's) with the presser as createdBy and the comment saying who, how
// long and which group, audited; the message then shows who silenced it until when, with Expire
// silence, which deletes it. A second press silences nothing more; a forged value, a value for a
// group the bot does not know and a presser the rules do not name are refused (the denial
// audited); Alertmanager's refusal reaches the presser masked; "until resolved" ends with the group.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeSlackApi, type FakeSlackApi, type RecordedCall } from '../support/fake-slack-api.ts';
import { freshDatabaseUrl } from '../support/fresh-database.ts';
import { blockActionBody, postSigned } from '../support/signed-slack-request.ts';
import { waitFor } from '../support/wait-for.ts';
import type { RunningBot } from '../../src/start-bot.ts';
import { SIGNING_SECRET, sendAlert, settled, startAlertBot } from './alert-harness.ts';
import { errorRateAlert, errorRateGroup } from './alertmanager-payloads.ts';
import { startFakeAlertmanagerApi, type FakeAlertmanagerApi } from './fake-alertmanager-api.ts';
import { parseConfig } from '../../src/config/load-config.ts';
import { storedKeyRing } from '../../src/security/signing-keys.ts';
import { ValueSigner } from '../../src/security/value-signer.ts';

const AM_TOKEN = 'am-api-token-3c9e1f7a2b5d8e4f';
const CONFIG = `targets:
  main-am:
    kind: alertmanager
    url: \${AM_URL}
    headers:
      Authorization: Bearer \${AM_TOKEN}
access:
  alerts.silence: { users: [U0ALICE] }
alerts:
  routes:
    - match: { alertname: HighErrorRate }
      channel: C0ALERTS
`;

let slack: FakeSlackApi;
let am: FakeAlertmanagerApi;
let bot: RunningBot;
let pool: pg.Pool;
let downBot: RunningBot | undefined;

beforeAll(async () => {
  slack = await startFakeSlackApi();
  am = await startFakeAlertmanagerApi();
  const storeUrl = await freshDatabaseUrl('alerts_silence');
  pool = new pg.Pool({ connectionString: storeUrl, max: 2 });
  bot = await startAlertBot(slack.apiUrl, storeUrl, { AM_URL: am.url, AM_TOKEN }, CONFIG);
});
afterAll(async () => {
  await bot?.stop();
  await downBot?.stop();
  await pool?.end();
  await am?.close();
  await slack?.close();
});
beforeEach(() => {
  slack.reset();
  am.refuseWith(undefined);
});

type Element = { action_id?: string; value?: string; text?: { text?: string } };
type SlackBlock = { type: string; elements?: Element[] };

function buttonsOf(call: RecordedCall): Element[] {
  return ((call.args.blocks ?? []) as SlackBlock[]).flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []));
}

function textOf(call: RecordedCall): string {
  return JSON.stringify(call.args.blocks ?? call.args.text);
}

let responses = 0;
/**
 * Presses a button as Slack sends it (its value as given), from the message's channel and ts:
 * the bot's private answer, or its private prompt (chat.postEphemeral to the presser) with the
 * prompt's button.
 */
async function ask(actionId: string, value: string, where: { channel: string; ts: string }, user: string, port = bot.port): Promise<{ text: string; confirm?: Element }> {
  const responseId = `r${++responses}`;
  const since = slack.calls.length;
  const res = await postSigned(`http://127.0.0.1:${port}/slack/events`, blockActionBody({ actionId, value, responseUrl: slack.responseUrl(responseId), userId: user, channelId: where.channel, messageTs: where.ts }), { secret: SIGNING_SECRET });
  expect(res.status).toBe(200);
  const promptOf = (c: RecordedCall) => c.method === 'chat.postEphemeral' && c.args.user === user && buttonsOf(c).some((b) => /^alert-(un)?silence:confirm/.test(b.action_id ?? ''));
  await slack.waitFor((calls) => calls.slice(since).some((c) => (c.method === 'respond' && c.responseId === responseId) || promptOf(c)));
  const prompt = slack.calls.slice(since).find(promptOf);
  if (prompt) return { text: textOf(prompt), confirm: buttonsOf(prompt)[0]! };
  return { text: textOf(slack.callsTo('respond').find((c) => c.responseId === responseId)!) };
}

async function press(actionId: string, value: string, where: { channel: string; ts: string }, user: string, port = bot.port): Promise<string> {
  return (await ask(actionId, value, where, user, port)).text;
}

/** Presses the message's button, then the private prompt's: the bot's answer to the second. */
async function pressOn(button: Element, where: { channel: string; ts: string }, user: string, port = bot.port): Promise<string> {
  const asked = await ask(button.action_id!, button.value!, where, user, port);
  if (!asked.confirm) return asked.text;
  return await press(asked.confirm.action_id!, asked.confirm.value!, where, user, port);
}

interface Firing { key: string; service: string; id: number; where: { channel: string; ts: string }; buttons: Element[] }

async function firingGroup(): Promise<Firing> {
  const service = `silence-${randomUUID().slice(0, 8)}`;
  const key = `{}:{alertname="HighErrorRate",service="${service}"}`;
  expect((await sendAlert(bot.port, errorRateGroup([errorRateAlert(service, '2026-12-01T03:12:00Z', randomUUID().slice(0, 16))], key))).status).toBe(200);
  const row = await settled(pool, key);
  const post = slack.callsTo('chat.postMessage').find((c) => textOf(c).includes(service))!;
  return { key, service, id: Number(row.id), where: { channel: row.message_channel!, ts: row.message_ts! }, buttons: buttonsOf(post) };
}

// Repeated action ids in one block carry `:<n>` (the renderer keeps them unique).
const isSilence = (b: Element) => /^alert-silence:offer(:\d+)?$/.test(b.action_id ?? '');
const isExpire = (b: Element) => b.action_id === 'alert-unsilence:offer';
const silenceButton = (f: Firing, label: string) => f.buttons.find((b) => isSilence(b) && b.text?.text === label)!;
const posts = () => am.requests.filter((r) => r.method === 'POST' && r.path === '/api/v2/silences');

async function auditRows(group: number): Promise<Array<{ actor: string; action: string; outcome: string; detail: string | null; params: Record<string, unknown> }>> {
  const { rows } = await pool.query('SELECT actor, action, outcome, detail, params FROM audit_log WHERE target = $1 ORDER BY id', [`alert-group:${group}`]);
  return rows;
}

/** The message's latest update that shows the silence, and its buttons. */
async function silencedUpdate(f: Firing): Promise<RecordedCall> {
  await slack.waitFor((calls) => calls.some((c) => c.method === 'chat.update' && c.args.ts === f.where.ts && textOf(c).includes('Silenced by')));
  return slack.callsTo('chat.update').filter((c) => c.args.ts === f.where.ts && textOf(c).includes('Silenced by')).at(-1)!;
}

describe('Silence from Slack', () => {
  it('offers 1h, 4h and until resolved, signed; a press only asks, naming the matchers, the duration and the Alertmanager', async () => {
    const f = await firingGroup();
    const labels = f.buttons.filter(isSilence).map((b) => b.text?.text);
    expect(labels).toEqual(['Silence 1h', 'Silence 4h', 'Silence until resolved']);
    expect(silenceButton(f, 'Silence 1h').value).not.toBe(`${f.id}:1:60`);
    const before = posts().length;
    const asked = await ask(silenceButton(f, 'Silence 4h').action_id!, silenceButton(f, 'Silence 4h').value!, f.where, 'U0ALICE');
    expect(asked.text).toContain(`Silence in main-am for 4h the alerts matching alertname=\\"HighErrorRate\\", job=\\"api\\", namespace=\\"shop\\", prometheus=\\"monitoring/k8s\\", service=\\"${f.service}\\", severity=\\"warning\\"?`);
    expect(asked.confirm?.action_id).toBe('alert-silence:confirm');
    const untilResolved = await ask(silenceButton(f, 'Silence until resolved').action_id!, silenceButton(f, 'Silence until resolved').value!, f.where, 'U0ALICE');
    expect(untilResolved.text).toContain('until it resolves (a 7-day silence the bot expires then)');
    expect(posts().length).toBe(before);
  });

  it('creates one silence of the group\'s common labels in Alertmanager, audited, the message showing it; a second press silences nothing more', async () => {
    const f = await firingGroup();
    const before = posts().length;
    const started = Date.now();
    const answer = await pressOn(silenceButton(f, 'Silence 1h'), f.where, 'U0ALICE');
    expect(answer).toContain('Silenced in main-am until');
    const mine = posts().slice(before);
    expect(mine).toHaveLength(1);
    const req = mine[0]!;
    expect(req.headers.authorization).toBe(`Bearer ${AM_TOKEN}`);
    const body = req.body as { matchers: unknown[]; startsAt: string; endsAt: string; createdBy: string; comment: string };
    expect(body.matchers).toEqual([
      { name: 'alertname', value: 'HighErrorRate', isRegex: false, isEqual: true },
      { name: 'job', value: 'api', isRegex: false, isEqual: true },
      { name: 'namespace', value: 'shop', isRegex: false, isEqual: true },
      { name: 'prometheus', value: 'monitoring/k8s', isRegex: false, isEqual: true },
      { name: 'service', value: f.service, isRegex: false, isEqual: true },
      { name: 'severity', value: 'warning', isRegex: false, isEqual: true },
    ]);
    const startsAt = Date.parse(body.startsAt);
    expect(startsAt).toBeGreaterThanOrEqual(started - 1000);
    expect(Date.parse(body.endsAt) - startsAt).toBe(3600_000);
    expect(body.createdBy).toBe('U0ALICE');
    expect(body.comment).toBe(`silenced from Slack by <@U0ALICE> for 1h (alert group #${f.id} ${f.key})`);
    const [silenceId] = [...am.silences.values()].filter((s) => s.comment.includes(f.key)).map((s) => s.id);

    const update = await silencedUpdate(f);
    const hhmm = body.endsAt.slice(11, 16);
    expect(textOf(update)).toContain(`until ${hhmm} UTC`);
    expect(textOf(update)).toContain('<@U0ALICE>');
    expect(buttonsOf(update).some(isExpire)).toBe(true);
    expect(buttonsOf(update).some(isSilence)).toBe(false);

    // Pressed again (the old message, or the prompt's button once more): one silence.
    const again = await pressOn(silenceButton(f, 'Silence 4h'), f.where, 'U0ALICE');
    expect(again).toContain('Already silenced by');
    const prompt = slack.callsTo('chat.postEphemeral').flatMap(buttonsOf).find((b) => b.action_id === 'alert-silence:confirm')!;
    expect(await press(prompt.action_id!, prompt.value!, f.where, 'U0ALICE')).toContain('Already silenced by');
    expect(posts().length).toBe(before + 1);
    const audit = await auditRows(f.id);
    expect(audit.filter((a) => a.outcome === 'silenced')).toHaveLength(1);
    expect(audit.find((a) => a.outcome === 'silenced')).toMatchObject({ actor: 'U0ALICE', action: 'alerts.silence', params: { duration: '1h', via: 'main-am', silence: silenceId } });
  });

  it('expires the silence on Expire silence: DELETE in Alertmanager, audited, the message offering Silence again; once', async () => {
    const f = await firingGroup();
    await pressOn(silenceButton(f, 'Silence 4h'), f.where, 'U0ALICE');
    const update = await silencedUpdate(f);
    const expire = buttonsOf(update).find(isExpire)!;
    const silence = [...am.silences.values()].find((s) => s.comment.includes(f.key))!;
    const asked = await ask(expire.action_id!, expire.value!, f.where, 'U0ALICE');
    expect(asked.text).toContain(`Expire silence ${silence.id} in main-am? Alerts matching`);
    expect(am.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
    const answer = await press(asked.confirm!.action_id!, asked.confirm!.value!, f.where, 'U0ALICE');
    expect(answer).toContain(`Silence ${silence.id} expired in main-am`);
    expect(am.requests.filter((r) => r.method === 'DELETE' && r.path === `/api/v2/silence/${silence.id}`)).toHaveLength(1);
    expect(am.silences.get(silence.id)!.status.state).toBe('expired');
    await slack.waitFor((calls) => calls.some((c) => c.method === 'chat.update' && c.args.ts === f.where.ts && !textOf(c).includes('Silenced by') && buttonsOf(c).some(isSilence)));
    const twice = await press(asked.confirm!.action_id!, asked.confirm!.value!, f.where, 'U0ALICE');
    expect(twice).toContain('already expired');
    expect(am.requests.filter((r) => r.method === 'DELETE' && r.path === `/api/v2/silence/${silence.id}`)).toHaveLength(1);
    expect((await auditRows(f.id)).filter((a) => a.action === 'alerts.silence.expire').map((a) => a.outcome)).toEqual(['expired']);
  });

  it('refuses a presser no alerts.silence rule names, audited as denied, and silences nothing', async () => {
    const f = await firingGroup();
    const before = posts().length;
    const answer = await pressOn(silenceButton(f, 'Silence 1h'), f.where, 'U0MALLORY');
    expect(answer).toContain('You are not allowed to silence alerts (alerts.silence); ask <@U0ALICE>');
    expect(posts().length).toBe(before);
    expect(await auditRows(f.id)).toEqual([expect.objectContaining({ actor: 'U0MALLORY', action: 'alerts.silence', outcome: 'denied' })]);
  });

  it('refuses a forged value (not signed by the bot), a signed value edited to another group, and a message button\'s value pressed as the prompt\'s', async () => {
    const f = await firingGroup();
    const before = posts().length;
    const forged = await press('alert-silence:offer', `${f.id}:1:60`, f.where, 'U0ALICE');
    expect(forged).not.toContain('Silenced');
    // The signed value's body moved to a group that was never offered: the signature no longer holds.
    const signed = silenceButton(f, 'Silence 1h').value!;
    const edited = signed.replace(`${f.id}:1:60`, `${f.id + 1000}:1:60`);
    expect(edited).not.toBe(signed);
    const refused = await press('alert-silence:offer', edited, f.where, 'U0ALICE');
    expect(refused).not.toContain('Silenced');
    // The message button's value under the prompt's action id (skipping the prompt): signed for another.
    const skipped = await press('alert-silence:confirm', signed, f.where, 'U0ALICE');
    expect(skipped).not.toContain('Silenced');
    expect(posts().length).toBe(before);
    const { rows } = await pool.query("SELECT outcome FROM audit_log WHERE action = 'alerts.silence' AND actor = 'U0ALICE' AND target IS NULL ORDER BY id DESC LIMIT 3");
    expect(rows.map((r: { outcome: string }) => r.outcome)).toEqual(['refused', 'refused', 'refused']);
  });

  it('answers Alertmanager\'s refusal to the presser with the token masked, and the buttons work again', async () => {
    const f = await firingGroup();
    am.refuseWith(`silence invalid: header Authorization: Bearer ${AM_TOKEN} not allowed here`);
    const answer = await pressOn(silenceButton(f, 'Silence 1h'), f.where, 'U0ALICE');
    expect(answer).toContain('Not silenced: main-am answered POST /api/v2/silences with HTTP 400: silence invalid');
    expect(answer).not.toContain(AM_TOKEN);
    expect((await auditRows(f.id)).map((a) => a.outcome)).toEqual(['failed']);
    am.refuseWith(undefined);
    const retried = await pressOn(silenceButton(f, 'Silence 1h'), f.where, 'U0ALICE');
    expect(retried).toContain('Silenced in main-am');
  });

  it('expires a silence made until resolved when the group resolves', async () => {
    const f = await firingGroup();
    await pressOn(silenceButton(f, 'Silence until resolved'), f.where, 'U0ALICE');
    const silence = [...am.silences.values()].find((s) => s.comment.includes(f.key))!;
    expect(Date.parse(silence.endsAt) - Date.parse(silence.startsAt)).toBe(7 * 24 * 3600_000);
    expect(silence.comment).toBe(`silenced from Slack by <@U0ALICE> until resolved (alert group #${f.id} ${f.key})`);
    const alert = errorRateAlert(f.service, '2026-12-01T03:12:00Z', 'x');
    const fp = (await pool.query<{ alerts: { alerts: Record<string, { fingerprint: string }> } }>('SELECT alerts FROM alert_groups WHERE id = $1', [f.id])).rows[0]!.alerts.alerts;
    alert.fingerprint = Object.values(fp)[0]!.fingerprint;
    alert.status = 'resolved';
    alert.endsAt = new Date().toISOString();
    expect((await sendAlert(bot.port, errorRateGroup([alert], f.key))).status).toBe(200);
    await waitFor(async () => (am.silences.get(silence.id)!.status.state === 'expired' ? true : undefined), 10_000, 'the until-resolved silence expired');
  });

  it('refuses a value the bot signed for a group it does not know, audited', async () => {
    const ring = await storedKeyRing(pool);
    ring.close?.();
    const key = ring.current();
    const signer = new ValueSigner({ current: () => key, find: async (id) => (id === key.id ? key : undefined) });
    const value = signer.sign('alert-silence:offer', '987654321:1:60', { nonce: ValueSigner.nonce(), ttlMs: 3600_000 });
    const before = posts().length;
    const answer = await press('alert-silence:offer', value, { channel: 'C0ALERTS', ts: '1700000009.000100' }, 'U0ALICE');
    expect(answer).toContain('Alert group 987654321 is not known to this bot: nothing is silenced.');
    expect(posts().length).toBe(before);
    expect(await auditRows(987654321)).toEqual([expect.objectContaining({ actor: 'U0ALICE', outcome: 'refused' })]);
  });

  it('expires a silence someone already expired in Alertmanager\'s own UI (500 "already expired") without an error', async () => {
    const f = await firingGroup();
    await pressOn(silenceButton(f, 'Silence 1h'), f.where, 'U0ALICE');
    const expire = buttonsOf(await silencedUpdate(f)).find(isExpire)!;
    const silence = [...am.silences.values()].find((s) => s.comment.includes(f.key))!;
    silence.status.state = 'expired';
    expect(await pressOn(expire, f.where, 'U0ALICE')).toContain(`Silence ${silence.id} expired in main-am`);
  });

  it('answers an unreachable Alertmanager to the presser, and makes no claim that blocks a later press', async () => {
    const closed = await startFakeAlertmanagerApi();
    const downUrl = closed.url;
    await closed.close();
    const storeUrl = await freshDatabaseUrl('alerts_silence_down');
    const downPool = new pg.Pool({ connectionString: storeUrl, max: 1 });
    try {
      downBot = await startAlertBot(slack.apiUrl, storeUrl, { AM_URL: downUrl, AM_TOKEN }, CONFIG);
      const service = `down-${randomUUID().slice(0, 8)}`;
      const key = `{}:{alertname="HighErrorRate",service="${service}"}`;
      expect((await sendAlert(downBot.port, errorRateGroup([errorRateAlert(service, '2026-12-01T03:12:00Z', randomUUID().slice(0, 16))], key))).status).toBe(200);
      const row = await settled(downPool, key);
      const post = slack.callsTo('chat.postMessage').find((c) => textOf(c).includes(service))!;
      const button = buttonsOf(post).find((b) => isSilence(b) && b.text?.text === 'Silence 1h')!;
      const answer = await pressOn(button, { channel: row.message_channel!, ts: row.message_ts! }, 'U0ALICE', downBot.port);
      expect(answer).toContain('Not silenced: main-am is unreachable (ECONNREFUSED)');
      const { rows } = await downPool.query('SELECT silence_by FROM alert_groups WHERE id = $1', [row.id]);
      expect(rows[0].silence_by).toBeNull();
    } finally {
      await downBot?.stop();
      downBot = undefined;
      await downPool.end();
    }
  });
});

describe('silenceVia on a route', () => {
  const targets = { 'am-eu': { kind: 'alertmanager', url: 'http://am-eu:9093' }, 'am-us': { kind: 'alertmanager', url: 'http://am-us:9093' } };
  it('names a configured target; another name is a problem naming the configured ones', () => {
    const problems = parseConfig({ targets, alerts: { routes: [{ channel: 'C0ALERTS', silenceVia: 'am-asia' }] } }, 'f.yml', {}, process.cwd(), 'collect').problems.map((p) => `${p.path}: ${p.message}`);
    expect(problems).toEqual(['alerts.routes.0.silenceVia: no target named "am-asia"; configured: am-eu, am-us']);
    const config = parseConfig({ targets, alerts: { routes: [{ channel: 'C0ALERTS', silenceVia: 'am-us' }] } }, 'f.yml', {});
    expect(config.alerts!.routes[0]!.silenceVia).toBe('am-us');
  });
});
