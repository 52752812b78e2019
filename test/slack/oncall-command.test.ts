// /oncall through the real bot: who is on call now and next, an override set by an allowed user
// (posted in the channel, audited, then shown), and the refusals that name what is wrong.
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { shiftAt, type Rotation } from '../../src/oncall/rotation.ts';
import { slashCommandBody } from '../support/signed-slack-request.ts';
import { callText, useHttpTestBot } from '../support/test-bot.ts';

const primary: Rotation = { name: 'primary', members: ['U0ALICE', 'U0BOB'], every: 'weekly', handoff: '09:00', timezone: 'Europe/Berlin', start: '2026-01-05' };

const t = useHttpTestBot(() => `targets:
  main-db:
    kind: postgres
    url: \${MONITORED_URL}
oncall:
  rotations:
    primary: { members: [U0ALICE, U0BOB], every: weekly, handoff: "09:00", timezone: Europe/Berlin, start: "2026-01-05" }
access:
  oncall.override: { users: [U0ALICE] }
`);

const oncall = (text: string, id = 'r1', userId = 'U0ALICE') =>
  t.send(slashCommandBody({ command: '/oncall', text, responseUrl: t.slack.responseUrl(id), userId }));
const respondText = (id: string) => callText(t.slack.callsTo('respond').find((c) => c.responseId === id)!);

describe('/oncall', () => {
  it('shows who is on call now, until when, and who is next', async () => {
    const now = shiftAt(primary, new Date())!;
    const next = now.user === 'U0ALICE' ? 'U0BOB' : 'U0ALICE';
    expect((await oncall('')).status).toBe(200);
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'respond'));
    const [reply] = t.slack.callsTo('respond');
    expect(reply!.args.response_type).toBe('ephemeral');
    expect(callText(reply!)).toContain(`*primary* (weekly, handoff 09:00 Europe/Berlin): <@${now.user}> until <!date^${now.until.getTime() / 1000}^{date_short_pretty} {time}|${now.until.toISOString()}>; next <@${next}> from <!date^`);
  });

  it('lets an allowed user put someone on call, in the channel and the audit log, then shows it', async () => {
    const replaced = shiftAt(primary, new Date())!.user;
    await oncall('override <@U0CAROL|carol> 4h');
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'chat.postMessage'));
    const post = t.slack.callsTo('chat.postMessage')[0]!;
    expect(post.args.channel).toBe('C0OPS');
    expect(callText(post)).toMatch(new RegExp(`<@U0CAROL> is on call for primary until <!date\\^\\d+\\^\\{date_short_pretty\\} \\{time\\}\\|[^>]+>, instead of <@${replaced}>, set by <@U0ALICE>`));

    const db = new pg.Client({ connectionString: inject('pgUrl') });
    await db.connect();
    const { rows } = await db.query("SELECT actor, channel, source, target, params, outcome FROM audit_log WHERE action = 'oncall.override' ORDER BY id DESC LIMIT 1");
    await db.end();
    expect(rows[0]).toEqual({ actor: 'U0ALICE', channel: 'C0OPS', source: 'slack', target: 'primary', params: { user: 'U0CAROL', duration: '4h' }, outcome: 'succeeded' });

    t.slack.reset();
    await oncall('list', 'shown');
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'respond'));
    expect(respondText('shown')).toContain(': <@U0CAROL> (override, set by <@U0ALICE>) until <!date^');
    expect(respondText('shown')).toContain(`; next <@${replaced}> from <!date^`);
  });

  it('accepts a mention without the name', async () => {
    await oncall('override <@U0DAVE> 1m primary');
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'chat.postMessage'));
    expect(callText(t.slack.callsTo('chat.postMessage')[0]!)).toContain('<@U0DAVE> is on call for primary until');
  });

  it('help names the three forms as code', async () => {
    await oncall('help', 'help');
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'respond' && c.responseId === 'help'));
    expect(respondText('help')).toContain('Use `/oncall`, `/oncall list` or `/oncall override @user &lt;duration&gt; [rotation]`.');
  });

  it('refuses a user no access rule allows, naming who may', async () => {
    await oncall('override <@U0CAROL|carol> 4h', 'denied', 'U0BOB');
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'respond'));
    const [reply] = t.slack.callsTo('respond');
    expect(reply!.args.response_type).toBe('ephemeral');
    expect(callText(reply!)).toContain('You may not set on-call overrides: ask <@U0ALICE>');
    expect(t.slack.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('refuses bad input naming it and what is accepted', async () => {
    await oncall('override <@U0CAROL> soon', 'a');
    await oncall('override <@U0CAROL> 15d', 'b');
    await oncall('override alice 4h', 'c');
    await oncall('override @alice 4h', 'd');
    await oncall('override <@U0CAROL> 4h secondary', 'e');
    await oncall('frobnicate', 'f');
    await oncall('override <@U0CAROL>', 'g');
    await t.slack.waitFor((calls) => calls.filter((c) => c.method === 'respond').length >= 7);
    expect(respondText('a')).toContain('\\"soon\\" is not a valid override duration: use a duration like 30s, 15m, 1h, 1h30m, 1d or 1w, from 1m to 14d');
    expect(respondText('b')).toContain('\\"15d\\" is not a valid override duration');
    expect(respondText('c')).toContain('\\"alice\\" is not a Slack user: mention them');
    expect(respondText('d')).toContain('should_escape: true for /oncall');
    expect(respondText('e')).toContain('unknown rotation \\"secondary\\"; configured: primary');
    expect(respondText('f')).toContain('unknown subcommand \\"frobnicate\\"; use `/oncall`, `/oncall list` or `/oncall override @user &lt;duration&gt; [rotation]`'); // errors are escaped mrkdwn
    expect(respondText('g')).toContain('usage: `/oncall override @user &lt;duration&gt; [rotation]`, e.g. `/oncall override @alice 4h`');
    expect(t.slack.callsTo('chat.postMessage')).toHaveLength(0);
  });
});

describe('/oncall without rotations', () => {
  const bare = useHttpTestBot(() => 'targets:\n  main-db:\n    kind: postgres\n    url: ${MONITORED_URL}\n');

  it('says how to add oncall.rotations to the config', async () => {
    await bare.send(slashCommandBody({ command: '/oncall', text: '', responseUrl: bare.slack.responseUrl('none') }));
    await bare.slack.waitFor((calls) => calls.some((c) => c.method === 'respond'));
    const [reply] = bare.slack.callsTo('respond');
    expect(reply!.args.response_type).toBe('ephemeral');
    expect(callText(reply!)).toMatch(/No on-call rotations are configured \(\/[^)]*chatops\.yml\)\. Add them under `oncall\.rotations`/);
  });
});
