// Noise feedback, through the real bot (HTTP, the Alertmanager route on) with the fake Slack API:
// every alert message carries Useful / Noise buttons; pressing the buttons of the message as the
// bot posted it records one vote per person per episode (a second press changes it), answers the
// presser privately and updates the message with the counts. A value the bot signed for a group it
// does not know, or an episode the group has not reached, records nothing; a value of another
// shape is refused naming it.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it, inject } from 'vitest';
import { startFakeSlackApi, type FakeSlackApi, type RecordedCall } from '../support/fake-slack-api.ts';
import { signAsBot } from '../support/press-button.ts';
import { blockActionBody, postSigned } from '../support/signed-slack-request.ts';
import type { RunningBot } from '../../src/start-bot.ts';
import { SIGNING_SECRET, sendAlert, settled, startAlertBot } from './alert-harness.ts';
import { errorRateAlert, errorRateGroup } from './alertmanager-payloads.ts';

let slack: FakeSlackApi;
let bot: RunningBot;
let pool: pg.Pool;

// The shared test store: the bot signs its buttons with the key the tests' signer reads there.
beforeAll(async () => {
  slack = await startFakeSlackApi();
  const storeUrl = inject('pgUrl');
  pool = new pg.Pool({ connectionString: storeUrl, max: 2 });
  bot = await startAlertBot(slack.apiUrl, storeUrl);
});
afterAll(async () => {
  await bot?.stop();
  await pool?.end();
  await slack?.close();
});
beforeEach(() => slack.reset());

type Element = { action_id?: string; value?: string; text?: { text?: string } };
type SlackBlock = { type: string; elements?: Element[] };

function buttonsOf(call: RecordedCall): Element[] {
  return ((call.args.blocks ?? []) as SlackBlock[]).flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []));
}

function textOf(call: RecordedCall): string {
  return JSON.stringify(call.args.blocks ?? call.args.text);
}

/** Presses a button of a posted message as Slack sends it: its own signed value, from its channel and ts. */
async function press(button: Element, where: { channel: string; ts: string }, user: string, responseId: string): Promise<RecordedCall> {
  const res = await postSigned(`http://127.0.0.1:${bot.port}/slack/events`, blockActionBody({ actionId: button.action_id!, value: button.value!, responseUrl: slack.responseUrl(responseId), userId: user, channelId: where.channel, messageTs: where.ts }), { secret: SIGNING_SECRET });
  expect(res.status).toBe(200);
  await slack.waitFor((calls) => calls.some((c) => c.method === 'respond' && c.responseId === responseId));
  return slack.callsTo('respond').find((c) => c.responseId === responseId)!;
}

async function firingGroup(): Promise<{ key: string; channel: string; ts: string; id: string; useful: Element; noise: Element }> {
  const service = `noise-${randomUUID().slice(0, 8)}`;
  const key = `{}:{alertname="HighErrorRate",service="${service}"}`;
  const sent = await sendAlert(bot.port, errorRateGroup([errorRateAlert(service, '2026-12-01T03:12:00Z', randomUUID().slice(0, 16))], key));
  expect(sent.status).toBe(200);
  const row = await settled(pool, key);
  const post = slack.callsTo('chat.postMessage').find((c) => String(c.args.text).includes('Firing: HighErrorRate') && textOf(c).includes(service))!;
  const buttons = buttonsOf(post);
  const useful = buttons.find((b) => b.action_id === 'alert-vote:useful')!;
  const noise = buttons.find((b) => b.action_id === 'alert-vote:noise')!;
  return { key, channel: row.message_channel!, ts: row.message_ts!, id: row.id, useful, noise };
}

describe('Useful / Noise on an alert message', () => {
  it('shows both buttons, signed (the value is not readable as an alert name)', async () => {
    const g = await firingGroup();
    expect(g.useful.text?.text).toBe('Useful');
    expect(g.noise.text?.text).toBe('Noise');
    expect(g.noise.value).not.toContain('HighErrorRate');
    expect(g.noise.value).not.toBe(`${g.id}:1`);
  });

  it('records one vote per person per episode, changeable, answered privately, the counts on the message', async () => {
    const g = await firingGroup();
    const where = { channel: g.channel, ts: g.ts };
    const alice = await press(g.noise, where, 'U0ALICE', 'a1');
    expect(alice.args.response_type).toBe('ephemeral');
    expect(textOf(alice)).toContain('You marked HighErrorRate noise. Marked noise by 1.');
    await press(g.noise, where, 'U0BOB', 'b1');
    const carol = await press(g.useful, where, 'U0CAROL', 'c1');
    expect(textOf(carol)).toContain('You marked HighErrorRate useful. Marked noise by 2, useful by 1.');
    await settled(pool, g.key);
    await slack.waitFor((calls) => calls.some((c) => c.method === 'chat.update' && c.args.ts === g.ts && textOf(c).includes('Marked noise by 2, useful by 1')));

    // Alice changes her mind: still one vote of hers.
    const again = await press(g.useful, where, 'U0ALICE', 'a2');
    expect(textOf(again)).toContain('You marked HighErrorRate useful (was noise). Marked noise by 1, useful by 2.');
    const same = await press(g.useful, where, 'U0ALICE', 'a3');
    expect(textOf(same)).toContain('(as before)');
    await settled(pool, g.key);
    await slack.waitFor((calls) => calls.some((c) => c.method === 'chat.update' && c.args.ts === g.ts && textOf(c).includes('Marked noise by 1, useful by 2')));
    const { rows } = await pool.query<{ user_id: string; vote: string; alertname: string; episode: number }>('SELECT user_id, vote, alertname, episode FROM alert_votes WHERE group_id = $1 ORDER BY user_id', [g.id]);
    expect(rows).toEqual([
      { user_id: 'U0ALICE', vote: 'useful', alertname: 'HighErrorRate', episode: 1 },
      { user_id: 'U0BOB', vote: 'noise', alertname: 'HighErrorRate', episode: 1 },
      { user_id: 'U0CAROL', vote: 'useful', alertname: 'HighErrorRate', episode: 1 },
    ]);
    const audit = await pool.query<{ outcome: string }>("SELECT outcome FROM audit_log WHERE target = $1 AND actor = 'U0ALICE' ORDER BY id", [`alert-group:${g.id}`]);
    expect(audit.rows.map((r) => r.outcome)).toEqual(['recorded', 'changed from noise', 'unchanged']);
  });

  it('records nothing for a group the bot does not know or an episode it has not reached, and refuses a value of another shape', async () => {
    const g = await firingGroup();
    const where = { channel: g.channel, ts: g.ts };
    const unknown = await press({ action_id: 'alert-vote:noise', value: await signAsBot('alert-vote:noise', '987654321:1', 'm' + g.ts.replace('.', '')) }, where, 'U0EVE', 'e1');
    expect(textOf(unknown)).toContain('Alert group 987654321 is not known to this bot: the vote is not recorded.');
    const ahead = await press({ action_id: 'alert-vote:noise', value: await signAsBot('alert-vote:noise', `${g.id}:5`, 'm' + g.ts.replace('.', '')) }, where, 'U0EVE', 'e2');
    expect(textOf(ahead)).toContain(`Alert group ${g.id} has no episode 5 (it is at 1): the vote is not recorded.`);
    const named = await press({ action_id: 'alert-vote:noise', value: await signAsBot('alert-vote:noise', 'HighErrorRate', 'm' + g.ts.replace('.', '')) }, where, 'U0EVE', 'e3');
    expect(textOf(named)).toContain('This Noise button is not valid (value \\"HighErrorRate\\", expected group:episode numbers)');
    const { rows } = await pool.query("SELECT 1 FROM alert_votes WHERE user_id = 'U0EVE'");
    expect(rows).toHaveLength(0);
  });
});
