// Who may act on an incident, through the real bot: /incident commands and the buttons of pages
// and of the incident message go through the same check. A random member cannot resolve, escalate
// or change the severity (refused privately, audited `denied`, nothing changes, paging goes on);
// the commander, a paged person and a rule's group can. Escalate now goes up exactly one level
// however often, and by however many people, it is pressed.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { slashCommandBody } from '../support/signed-slack-request.ts';
import { callText, useHttpTestBot } from '../support/test-bot.ts';
import { pressIncidentButton } from '../support/press-incident-button.ts';
import { waitFor } from '../support/wait-for.ts';

const t = useHttpTestBot(() => `incidents:
  channel: C0INCIDENTS
  roles:
    team-lead: { user: U0LEAD }
    engineering-manager: { user: U0EM }
    vp-engineering: { user: U0VP }
oncall:
  rotations:
    primary: { members: [U0ONCALL], every: weekly, handoff: "09:00", timezone: UTC, start: "2026-01-05" }
access:
  incident.declare: { users: [U0ALICE], channels: [C0WAR] }
  incident.resolve: { groups: [S0SRE] }
`, { ownStore: 'incident_access' });

function command(text: string, responseId: string, userId = 'U0ALICE', channelId = 'C0OPS') {
  return t.send(slashCommandBody({ command: '/incident', text, responseUrl: t.slack.responseUrl(responseId), userId, channelId }));
}

async function answer(responseId: string): Promise<{ text: string; ephemeral: boolean }> {
  await t.slack.waitFor((calls) => calls.some((c) => c.method === 'respond' && c.responseId === responseId));
  const call = t.slack.calls.find((c) => c.method === 'respond' && c.responseId === responseId)!;
  return { text: String(call.args.text), ephemeral: call.args.response_type === 'ephemeral' };
}

async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: t.storeUrl });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

/** U0ALICE declares a SEV-2; resolves once the on-call has been paged for it by DM. */
async function declared(title: string): Promise<number> {
  await command(`declare sev2 ${title}`, `declare-${title}`);
  await t.slack.waitFor(() => t.slack.messagesIn('DU0ONCALL').some((m) => m.text.includes(title)));
  const rows = await query<{ id: number }>('SELECT id::int FROM incidents WHERE title = $1', [title]);
  return rows[0]!.id;
}

async function incidentState(id: number) {
  const [row] = await query<{ status: string; severity: number; escalations: number; timers: number; cancelled: number }>(
    `SELECT status, severity,
            (SELECT count(*)::int FROM incident_events e WHERE e.incident_id = i.id AND e.kind = 'escalated') AS escalations,
            (SELECT count(*)::int FROM incident_timers m WHERE m.incident_id = i.id AND m.state = 'pending') AS timers,
            (SELECT count(*)::int FROM incident_pages p WHERE p.incident_id = i.id AND p.state = 'cancelled') AS cancelled
       FROM incidents i WHERE id = $1`, [id]);
  return row!;
}

const audit = (id: number, actor: string) =>
  query<{ action: string; outcome: string; channel: string | null }>('SELECT action, outcome, channel FROM audit_log WHERE target = $1 AND actor = $2 ORDER BY id', [`INC-${id}`, actor]);

describe('incident access through the bot', () => {
  it('a random member cannot resolve, escalate or change the severity, by command or by button; refused privately, audited, nothing changes', async () => {
    const id = await declared('checkout down');
    const before = await incidentState(id);
    expect(before).toMatchObject({ status: 'open', severity: 2, escalations: 0, timers: 1, cancelled: 0 });

    await command(`resolve INC-${id}`, 'c-resolve', 'U0MALLORY');
    await command(`escalate INC-${id}`, 'c-escalate', 'U0MALLORY');
    await command(`sev 1 INC-${id}`, 'c-sev', 'U0MALLORY');
    await pressIncidentButton(t, 'incident:resolve', id, 'U0MALLORY', { responseId: 'b-resolve', channelId: 'C0INCIDENTS' });
    await pressIncidentButton(t, 'incident:escalate', id, 'U0MALLORY', { responseId: 'b-escalate', channelId: 'C0INCIDENTS' });

    const ask = '(ask <@U0ALICE> (commander) or <@U0ONCALL> (paged) or a member of <!subteam^S0SRE>).';
    expect(await answer('c-resolve')).toEqual({ ephemeral: true, text: `:no_entry: You are not allowed to resolve INC-${id} ${ask}` });
    expect(await answer('b-resolve')).toEqual({ ephemeral: true, text: `:no_entry: You are not allowed to resolve INC-${id} ${ask}` });
    // No rule names escalate or sev: only the commander and the paged people may.
    const askDefault = '(ask <@U0ALICE> (commander) or <@U0ONCALL> (paged)).';
    expect(await answer('c-escalate')).toEqual({ ephemeral: true, text: `:no_entry: You are not allowed to escalate INC-${id} ${askDefault}` });
    expect(await answer('b-escalate')).toEqual({ ephemeral: true, text: `:no_entry: You are not allowed to escalate INC-${id} ${askDefault}` });
    expect(await answer('c-sev')).toEqual({ ephemeral: true, text: `:no_entry: You are not allowed to change the severity of INC-${id} ${askDefault}` });

    // One row per attempt (the five ran concurrently: compared in a fixed order).
    const byText = (rows: object[]) => rows.map((r) => JSON.stringify(r)).sort();
    expect(byText(await audit(id, 'U0MALLORY'))).toEqual(byText([
      { action: 'incident.resolve', outcome: 'denied', channel: 'C0OPS' },
      { action: 'incident.escalate', outcome: 'denied', channel: 'C0OPS' },
      { action: 'incident.sev1', outcome: 'denied', channel: 'C0OPS' },
      { action: 'incident.resolve', outcome: 'denied', channel: 'C0INCIDENTS' },
      { action: 'incident.escalate', outcome: 'denied', channel: 'C0INCIDENTS' },
    ]));
    // Still open at SEV-2, not escalated, its next ladder point armed, no page cancelled; nobody
    // was told anything in the channel.
    expect(await incidentState(id)).toEqual(before);
    expect(t.slack.messagesIn('DU0LEAD')).toEqual([]);
    expect(t.slack.callsTo('chat.postMessage').filter((c) => callText(c).includes('U0MALLORY'))).toEqual([]);
  });

  it('the commander changes the severity, the paged on-call escalates from the page, a member of the rule\'s group resolves', async () => {
    t.slack.setGroup('S0SRE', ['U0SRE1']);
    const id = await declared('search slow');
    await command(`sev 1 INC-${id}`, 'sev');
    await t.slack.waitFor(() => t.slack.messagesIn('C0OPS').some((m) => m.text.includes(`<@U0ALICE> changed INC-${id} to *SEV-1*`)));
    // The SEV-1 ladder catches up with its on-call page first.
    await t.slack.waitFor(() => t.slack.messagesIn('DU0ONCALL').filter((m) => m.text.includes('search slow')).length === 2);
    await pressIncidentButton(t, 'incident:escalate', id, 'U0ONCALL', { responseId: 'esc' });
    expect(await answer('esc')).toMatchObject({ text: `INC-${id} escalated: the next level is paged now.` });
    await t.slack.waitFor(() => t.slack.messagesIn('DU0LEAD').length === 1);
    await pressIncidentButton(t, 'incident:resolve', id, 'U0SRE1', { responseId: 'res', channelId: 'C0INCIDENTS' });
    expect(await answer('res')).toMatchObject({ text: `INC-${id} resolved.` });
    expect(await incidentState(id)).toMatchObject({ status: 'resolved', severity: 1, escalations: 1, timers: 0 });
    expect((await audit(id, 'U0SRE1')).map((r) => r.outcome)).toEqual(['succeeded']);
  });

  it('a rule restricts declaring (by user or channel); acknowledging and notes stay open to any member', async () => {
    await command('declare sev3 disk filling', 'bob-ops', 'U0BOB', 'C0OPS');
    expect(await answer('bob-ops')).toEqual({ ephemeral: true, text: ':no_entry: You are not allowed to declare incidents (ask <@U0ALICE>, or do it in <#C0WAR>).' });
    expect(await query(`SELECT 1 FROM incidents WHERE title = 'disk filling'`)).toEqual([]);
    expect(await query(`SELECT outcome, channel FROM audit_log WHERE actor = 'U0BOB' AND action = 'incident.declare'`)).toEqual([{ outcome: 'denied', channel: 'C0OPS' }]);
    await command('declare sev3 disk filling', 'bob-war', 'U0BOB', 'C0WAR');
    await waitFor(async () => (await query(`SELECT 1 FROM incidents WHERE title = 'disk filling'`)).length === 1, 10_000, 'the declaration from the war room');

    const id = await declared('queue backlog');
    await command(`note INC-${id} looking at the consumers`, 'note', 'U0MALLORY');
    expect(await answer('note')).toMatchObject({ text: `Noted in the timeline of INC-${id}.` });
    await pressIncidentButton(t, 'incident:ack', id, 'U0MALLORY', { responseId: 'ack', channelId: 'C0INCIDENTS' });
    expect(await answer('ack')).toMatchObject({ text: `INC-${id} acknowledged.` });
    expect(await audit(id, 'U0MALLORY')).toEqual([
      { action: 'incident.note', outcome: 'succeeded', channel: 'C0OPS' },
      { action: 'incident.ack', outcome: 'succeeded', channel: 'C0INCIDENTS' },
    ]);
  });
});

describe('Escalate now through the bot', () => {
  async function escalationsPaged(id: number): Promise<string[]> {
    const rows = await query<{ point: string }>(`SELECT DISTINCT point FROM incident_pages WHERE incident_id = $1 AND recipient ? 'dm' ORDER BY point`, [id]);
    return rows.map((r) => r.point);
  }

  it('pressed twice 150 ms apart pages exactly one more level; the second press is told who escalated to whom and when', async () => {
    const id = await declared('payments failing');
    await pressIncidentButton(t, 'incident:escalate', id, 'U0ONCALL', { responseId: 'first' });
    await new Promise((r) => setTimeout(r, 150));
    await pressIncidentButton(t, 'incident:escalate', id, 'U0ONCALL', { responseId: 'second' });
    expect(await answer('first')).toMatchObject({ text: `INC-${id} escalated: the next level is paged now.` });
    const second = await answer('second');
    expect(second.ephemeral).toBe(true);
    expect(second.text).toMatch(new RegExp(`^:no_entry: INC-${id} was escalated \\d+ s ago by <@U0ONCALL> to team lead; press again after <!date\\^(\\d+)\\^\\{time_secs\\}\\|[^>]+> to go one more level\\.$`));
    const [escalated] = await query<{ at: Date }>(`SELECT at FROM incident_events WHERE incident_id = $1 AND kind = 'escalated'`, [id]);
    expect(Number(/date\^(\d+)/.exec(second.text)![1])).toBe(Math.floor((escalated!.at.getTime() + 30_000) / 1000));

    await t.slack.waitFor(() => t.slack.messagesIn('DU0LEAD').length === 1);
    expect(await escalationsPaged(id)).toEqual(['sev2:s0a0', 'sev2:s1a0']);
    expect(await incidentState(id)).toMatchObject({ escalations: 1 });
    expect((await audit(id, 'U0ONCALL')).map((r) => `${r.action}:${r.outcome}`).sort()).toEqual(['incident.escalate:duplicate', 'incident.escalate:succeeded']);
  });

  it('pressed by two people at once pages exactly one more level', async () => {
    const id = await declared('login errors');
    await Promise.all([
      pressIncidentButton(t, 'incident:escalate', id, 'U0ONCALL', { responseId: 'oncall' }),
      pressIncidentButton(t, 'incident:escalate', id, 'U0ALICE', { responseId: 'alice', channelId: 'C0INCIDENTS' }),
    ]);
    const answers = [await answer('oncall'), await answer('alice')];
    expect(answers.filter((a) => a.text === `INC-${id} escalated: the next level is paged now.`)).toHaveLength(1);
    expect(answers.filter((a) => / was escalated \d+ s ago by <@U0(ONCALL|ALICE)> to team lead; press again after /.test(a.text))).toHaveLength(1);
    await t.slack.waitFor(() => t.slack.messagesIn('DU0LEAD').length === 1);
    expect(await escalationsPaged(id)).toEqual(['sev2:s0a0', 'sev2:s1a0']);
    expect(await incidentState(id)).toMatchObject({ escalations: 1 });
  });
});
