// The escalation ladder end to end on a fake clock: what is paged when, to whom, and what an
// acknowledgement, a resolution, an escalation or a severity change does to what comes next.
import { describe, expect, it } from 'vitest';
import { CONFIG_YAML, HOUR, INCIDENTS_CHANNEL, MIN, useIncidentHarness } from './incident-harness.ts';

const h = useIncidentHarness('ladder');

async function declare(severity: 1 | 2 | 3 | 4 = 1, title = 'API gateway returns 502') {
  return await h.service.declare({ severity, title, commander: 'U0CMDR' });
}

/** The lines the ladder said in the incident's thread (a missed deadline, nobody to page, a failed page): not the pages there. */
function threadNotes(): string[] {
  return h.slack.messagesIn(INCIDENTS_CHANNEL)
    .filter((m) => m.thread_ts && !/\/(channel|dm):[A-Z0-9]+$/.test(String(m.metadata?.event_payload.key ?? '')))
    .map((m) => m.text);
}

describe('the SEV-1 ladder, nobody acknowledging', () => {
  it('pages on-call at once (DM and @here), reminds at 5 and 10 min, notes the missed deadline, then climbs to the VP', async () => {
    const inc = await declare(1);
    await h.at(0);
    const r = `INC-${inc.id}`;
    expect(h.newKeys()).toEqual([`${r}/sev1:s0a0/channel:${INCIDENTS_CHANNEL}`, `${r}/sev1:s0a0/dm:U0ALICE`]);
    const mention = h.pages().find((p) => p.channel === INCIDENTS_CHANNEL)!;
    expect(mention.text).toContain('<!here> <@U0ALICE>');
    // The incident's own message is there, with the buttons and the deadline.
    const incidentMessages = h.slack.messagesIn(INCIDENTS_CHANNEL).filter((m) => !m.metadata && !m.thread_ts);
    expect(incidentMessages).toHaveLength(1);
    const incidentMessage = incidentMessages[0]!;
    expect(incidentMessage.text).toContain(`SEV-1 ${r}: API gateway returns 502`);
    const shown = JSON.stringify(h.slack.calls.filter((c) => c.method === 'chat.update' || (c.method === 'chat.postMessage' && c.args.channel === INCIDENTS_CHANNEL && !c.args.metadata)).at(-1)!.args.blocks);
    expect(shown).toContain('Ack due in 15 min');
    expect(shown).toMatch(/on-call: <@U0ALICE>/);

    await h.at(5 * MIN);
    await h.at(10 * MIN);
    await h.at(15 * MIN);
    await h.at(59 * MIN);
    expect(h.newKeys()).toEqual([
      `${r}/sev1:deadline/thread`,
      `${r}/sev1:s0a1/channel:${INCIDENTS_CHANNEL}`, `${r}/sev1:s0a1/dm:U0ALICE`,
      `${r}/sev1:s0a2/channel:${INCIDENTS_CHANNEL}`, `${r}/sev1:s0a2/dm:U0ALICE`,
    ]);
    expect(threadNotes()).toEqual([`SEV-1 acknowledge deadline (15 min) missed: nobody has acknowledged ${r} yet.`]);

    await h.at(60 * MIN);
    await h.at(4 * HOUR);
    await h.at(24 * HOUR);
    await h.at(48 * HOUR);
    expect(h.newKeys()).toEqual([
      `${r}/sev1:s1a0/channel:${INCIDENTS_CHANNEL}`, `${r}/sev1:s1a0/dm:U0LEAD`,
      `${r}/sev1:s2a0/channel:${INCIDENTS_CHANNEL}`, `${r}/sev1:s2a0/dm:U0EM`,
      `${r}/sev1:s3a0/channel:${INCIDENTS_CHANNEL}`, `${r}/sev1:s3a0/dm:U0VP`,
    ]);
    expect(new Set(h.keys()).size).toBe(h.keys().length);
    const timeline = (await h.service.timeline(inc.id)).map((e) => e.kind);
    expect(timeline.filter((k) => k === 'paged')).toHaveLength(12);
    expect(timeline).toContain('deadline_missed');
  });

  it('each page says what happens next', async () => {
    await declare(1);
    await h.at(0);
    const dm = h.slack.calls.find((c) => c.method === 'chat.postMessage' && c.args.channel === 'DU0ALICE')!;
    expect(JSON.stringify(dm.args.blocks)).toMatch(/Next: team lead paged <!date\^\d+\^\{time\}\|2026-11-23T11:00:00.000Z> if not resolved/);
    expect(JSON.stringify(dm.args.blocks)).toContain('"action_id":"incident:ack"');
  });
});

describe('acknowledge, resolve, escalate', () => {
  it('an ack stops the reminders and the deadline notice; the unresolved climb goes on', async () => {
    const inc = await declare(1);
    await h.at(0);
    h.clock.set(h.clock.t + 2 * MIN);
    await h.service.acknowledge(inc.id, 'U0ALICE');
    for (const t of [5 * MIN, 10 * MIN, 15 * MIN, 60 * MIN]) await h.at(t);
    const r = `INC-${inc.id}`;
    expect([...h.keys()].sort()).toEqual([
      `${r}/sev1:s0a0/channel:${INCIDENTS_CHANNEL}`, `${r}/sev1:s0a0/dm:U0ALICE`,
      `${r}/sev1:s1a0/channel:${INCIDENTS_CHANNEL}`, `${r}/sev1:s1a0/dm:U0LEAD`,
    ]);
    expect(threadNotes()).toEqual([]);
    // The refusal names who acknowledged by id: the edge renders the mention.
    const again = await h.service.acknowledge(inc.id, 'U0BOB').then(() => undefined, (e: unknown) => e);
    expect(again).toMatchObject({ message: `INC-${inc.id} was already acknowledged by @U0ALICE`, line: [{ type: 'text', text: `INC-${inc.id} was already acknowledged by ` }, { type: 'user', id: 'U0ALICE' }] });
  });

  it.each([
    [2, [], false],
    [7, ['s0a1'], false],
    [12, ['s0a1', 's0a2'], false],
    [20, ['s0a1', 's0a2'], true],
  ])('an ack at minute %i stops the reminders still to come (sent: %j) and the deadline note unless already said', async (minute, reminders, deadlineSaid) => {
    const inc = await declare(1);
    for (const t of [0, 5 * MIN, 10 * MIN, 15 * MIN].filter((x) => x < minute * MIN)) await h.at(t);
    await h.at(minute * MIN);
    await h.service.acknowledge(inc.id, 'U0ALICE');
    for (const t of [5 * MIN, 10 * MIN, 15 * MIN, 30 * MIN].filter((x) => x > minute * MIN)) await h.at(t);
    const sent = h.keys().filter((k) => k.endsWith('/dm:U0ALICE')).map((k) => k.split('/')[1]!.slice('sev1:'.length));
    expect(sent).toEqual(['s0a0', ...reminders]);
    expect(h.keys().some((k) => k.includes('deadline'))).toBe(deadlineSaid);
  });

  it('an ack at the team lead level still lets the climb go on to the manager while unresolved', async () => {
    const inc = await declare(2);
    for (const t of [0, 60 * MIN]) await h.at(t);
    await h.service.acknowledge(inc.id, 'U0LEAD');
    for (const t of [2 * HOUR, 4 * HOUR]) await h.at(t);
    expect(h.keys().filter((k) => k.includes('/dm:'))).toEqual([`INC-${inc.id}/sev2:s0a0/dm:U0ALICE`, `INC-${inc.id}/sev2:s1a0/dm:U0LEAD`, `INC-${inc.id}/sev2:s2a0/dm:U0EM`]);
  });

  it('resolve stops everything, pages already queued included', async () => {
    const inc = await declare(1);
    await h.at(0);
    await h.service.resolve(inc.id, 'U0ALICE');
    for (const t of [5 * MIN, 60 * MIN, 25 * HOUR]) await h.at(t);
    expect(h.keys()).toHaveLength(2);
    const { rows } = await h.pool.query(`SELECT count(*)::int AS n FROM incident_timers WHERE state = 'pending'`);
    expect(rows[0].n).toBe(0);
    await expect(h.service.escalate(inc.id, 'U0ALICE')).rejects.toThrow(/was resolved by @U0ALICE; declare a new incident/);
  });

  it('escalate now pages the next level at once; its own time later does not page it again', async () => {
    const inc = await declare(3);
    await h.at(0);
    // SEV-3 pages nobody at once: the incident is in the channel.
    expect(h.keys()).toEqual([]);
    h.clock.set(h.clock.t + 10 * MIN);
    await h.service.escalate(inc.id, 'U0CMDR');
    await h.engine.runDue();
    for (const t of [4 * HOUR, 24 * HOUR]) await h.at(t);
    expect(h.keys().filter((k) => k.includes('/dm:'))).toEqual([`INC-${inc.id}/sev3:s0a0/dm:U0ALICE`, `INC-${inc.id}/sev3:s1a0/dm:U0LEAD`]);
    const escalated = (await h.service.timeline(inc.id)).find((e) => e.kind === 'escalated')!;
    expect(escalated).toMatchObject({ text: 'Escalated now by @U0CMDR: paging on-call', line: [{ type: 'text', text: 'Escalated now by ' }, { type: 'user', id: 'U0CMDR' }, { type: 'text', text: ': paging on-call' }] });
  });
});

describe('severity changes and the snapshot', () => {
  it('raising SEV-3 to SEV-1 mid-ladder catches up with @here; the team lead is paged once', async () => {
    const inc = await declare(3);
    await h.at(0);
    expect(h.keys()).toEqual([]);
    h.clock.set(h.clock.t + 30 * MIN);
    await h.service.setSeverity(inc.id, 1, 'U0CMDR');
    await h.engine.runDue();
    const r = `INC-${inc.id}`;
    const after = h.keys();
    // Three SEV-1 on-call pages were due by now (0, 5, 10 min): only the latest goes out, with @here.
    expect(after.filter((k) => k.includes('sev1:s0a'))).toEqual([`${r}/sev1:s0a2/dm:U0ALICE`, `${r}/sev1:s0a2/channel:${INCIDENTS_CHANNEL}`]);
    expect(h.pages().find((p) => p.key === `${r}/sev1:s0a2/channel:${INCIDENTS_CHANNEL}`)!.text).toContain('<!here>');
    // The missed SEV-1 deadline (15 min) is said once.
    expect(threadNotes()).toEqual([`SEV-1 acknowledge deadline (15 min) missed: nobody has acknowledged ${r} yet.`]);
    await h.at(60 * MIN);
    expect(h.keys().filter((k) => k.endsWith('/dm:U0LEAD'))).toEqual([`${r}/sev1:s1a0/dm:U0LEAD`]);
  });

  it('lowering the severity does not page again for levels already past', async () => {
    const inc = await declare(1);
    for (const t of [0, 60 * MIN]) await h.at(t);
    h.clock.set(h.clock.t + 10 * MIN);
    const before = h.keys().length;
    await h.service.setSeverity(inc.id, 3, 'U0CMDR');
    await h.engine.runDue();
    expect(h.keys()).toHaveLength(before);
    // SEV-3's own ladder goes on: its on-call level when its 4 h pass unacknowledged, nothing before.
    await h.at(4 * HOUR - 1);
    expect(h.keys()).toHaveLength(before);
    await h.at(4 * HOUR);
    expect(h.keys().slice(before).filter((k) => k.includes('/dm:'))).toEqual([`INC-${inc.id}/sev3:s0a0/dm:U0ALICE`]);
  });

  it('a config edit after the declaration does not change the running incident', async () => {
    const inc = await declare(2);
    await h.at(0);
    const edited = h.make(CONFIG_YAML.replace('team-lead: { user: U0LEAD }', 'team-lead: { user: U0NEWLEAD }'));
    h.clock.set(h.clock.t + 60 * MIN);
    await edited.engine.runDue();
    expect(h.keys().filter((k) => k.includes('s1a0/dm:'))).toEqual([`INC-${inc.id}/sev2:s1a0/dm:U0LEAD`]);
    // A new incident gets the edited ladder.
    const next = await edited.service.declare({ severity: 2, title: 'second', commander: 'U0CMDR' });
    h.clock.set(h.clock.t + 60 * MIN);
    await edited.engine.runDue();
    expect(h.keys()).toContain(`INC-${next.id}/sev2:s1a0/dm:U0NEWLEAD`);
  });
});

describe('a channel per incident', () => {
  it('dedicatedChannels creates #inc-<id>-<title> and invites the commander', async () => {
    const { service } = h.make(CONFIG_YAML.replace('  channel: C0INCIDENTS', '  channel: C0INCIDENTS\n  dedicatedChannels: true'));
    const inc = await service.declare({ severity: 2, title: 'Payments API: 5xx > 20%!', commander: 'U0CMDR' });
    const create = h.slack.callsTo('conversations.create')[0]!;
    expect(create.args.name).toBe(`inc-${inc.id}-payments-api-5xx-20`);
    expect(h.slack.callsTo('conversations.invite')[0]!.args).toMatchObject({ users: 'U0CMDR' });
    expect(inc.dedicatedChannel).toMatch(/^C0NEW/);
  });
});

describe('nobody to page, Slack failures', () => {
  it('an empty rotation pages the next level at once and says so in the thread', async () => {
    const { service, engine } = h.make(CONFIG_YAML.replace('members: [U0ALICE, U0BOB]', 'members: []'));
    const inc = await service.declare({ severity: 2, title: 'disk full', commander: 'U0CMDR' });
    await engine.runDue();
    expect(h.keys().filter((k) => k.includes('/dm:'))).toEqual([`INC-${inc.id}/sev2:s1a0/dm:U0LEAD`]);
    expect(threadNotes()).toEqual(['Nobody to page for on-call (rotation primary has nobody on call): paging the next level now.']);
  });

  it('a 429 is waited out as Slack asks, then the page goes once', async () => {
    h.slack.rateLimitNext('chat.postMessage', 30, 1);
    const inc = await declare(2);
    await h.at(0);
    const { rows } = await h.pool.query<{ state: string; next_try_at: Date }>(`SELECT state, next_try_at FROM incident_pages WHERE key LIKE '%dm:U0ALICE'`);
    // The incident message took the 429; the page itself went.
    expect(h.keys()).toContain(`INC-${inc.id}/sev2:s0a0/dm:U0ALICE`);
    expect(rows[0]!.state).toBe('sent');
    h.slack.rateLimitNext('chat.postMessage', 30, 3);
    await h.service.escalate(inc.id, 'U0CMDR');
    await h.engine.runDue();
    const waiting = await h.pool.query<{ state: string; next_try_at: Date }>(`SELECT state, next_try_at FROM incident_pages WHERE key LIKE '%s1a0/dm:U0LEAD'`);
    expect(waiting.rows[0]).toMatchObject({ state: 'pending' });
    expect(waiting.rows[0]!.next_try_at.getTime()).toBe(h.clock.t + 30_000);
    await h.at(30_000);
    await h.at(60_000);
    await h.at(90_000);
    expect(h.keys().filter((k) => k === `INC-${inc.id}/sev2:s1a0/dm:U0LEAD`)).toHaveLength(1);
  });

  it('a page that cannot be delivered is recorded failed, said in the thread, and the next level still goes', async () => {
    h.slack.setUsers(['U0LEAD', 'U0EM', 'U0VP', 'U0CMDR']);
    const { service, engine } = h.make();
    const inc = await service.declare({ severity: 2, title: 'queue stuck', commander: 'U0CMDR' });
    await engine.runDue();
    h.clock.set(h.clock.t + 60 * MIN);
    await engine.runDue();
    const { rows } = await h.pool.query<{ state: string; error: string }>(`SELECT state, error FROM incident_pages WHERE key LIKE '%s0a0/dm:U0ALICE'`);
    expect(rows[0]).toMatchObject({ state: 'failed', error: expect.stringContaining('user_not_found') });
    const notes = threadNotes();
    expect(notes[0]).toMatch(/^Could not page on-call <@U0ALICE> by DM after 1 attempt: while opening a DM with U0ALICE: user_not_found\. The ladder goes on\.$/);
    expect(h.keys()).toContain(`INC-${inc.id}/sev2:s1a0/dm:U0LEAD`);
  });
});

describe('the timeline as stored', () => {
  it('holds people, channels and groups by id, never Slack syntax; rows written with Slack syntax are read back as ids', async () => {
    const inc = await declare(1);
    for (const t of [0, 5 * MIN, 15 * MIN, 60 * MIN]) await h.at(t);
    await h.service.acknowledge(inc.id, 'U0LEAD');
    await h.service.note(inc.id, 'U0LEAD', 'rolled back');
    const { rows } = await h.pool.query<{ kind: string; text: string; line: unknown }>('SELECT kind, text, line FROM incident_events WHERE incident_id = $1 ORDER BY id', [inc.id]);
    expect(rows.map((r) => r.kind)).toEqual(expect.arrayContaining(['declared', 'page', 'paged', 'deadline_missed', 'acknowledged', 'note']));
    for (const r of rows) expect(`${r.text} ${JSON.stringify(r.line)}`).not.toMatch(/<[@#!]/);
    expect(rows.find((r) => r.kind === 'page')).toEqual({ kind: 'page', text: 'Paging on-call: @U0ALICE', line: [{ type: 'text', text: 'Paging on-call: ' }, { type: 'user', id: 'U0ALICE' }] });
    expect(rows.find((r) => r.kind === 'paged' && r.text.includes('DM'))).toMatchObject({ line: [{ type: 'text', text: 'Paged on-call: ' }, { type: 'user', id: 'U0ALICE' }, { type: 'text', text: ' by DM' }] });

    // A row an earlier version wrote: Slack's syntax in its text, no line.
    await h.pool.query(`INSERT INTO incident_events (incident_id, at, actor, kind, text) VALUES ($1, $2, NULL, 'page', 'Paging sre: <@U0SRE1>, <!subteam^S0SRE|sre>, <#C0WAR>')`, [inc.id, new Date(h.clock.t + 1)]);
    const old = (await h.service.timeline(inc.id)).at(-1)!;
    expect(old).toMatchObject({
      text: 'Paging sre: @U0SRE1, @S0SRE, #C0WAR',
      line: [{ type: 'text', text: 'Paging sre: ' }, { type: 'user', id: 'U0SRE1' }, { type: 'text', text: ', ' }, { type: 'group', id: 'S0SRE' }, { type: 'text', text: ', ' }, { type: 'channel', id: 'C0WAR' }],
    });
  });
});
