// Each severity's default ladder end to end, on a fake clock over real PostgreSQL and the fake
// Slack Web API: SEV-1 and SEV-2 page at once, day or night, and climb to the VP; SEV-3 and SEV-4
// are posted in the channel, page nobody at once, and page only in working hours (default Monday
// to Friday, 09:00 to 17:00 UTC) once their response time passes; no VP for them. Pages to the
// incidents channel are replies in the incident card's thread; the card and the pages say the next
// step in one sentence; a restart in the middle pages nobody twice.
import { describe, expect, it } from 'vitest';
import { IncidentStore } from '../../src/incidents/incident-store.ts';
import { CONFIG_YAML, HOUR, INCIDENTS_CHANNEL, MIN, T0, useIncidentHarness } from './incident-harness.ts';

const h = useIncidentHarness('severities');
const DAY = 24 * HOUR;
/** T0 is Monday 2026-11-23 10:00 UTC. */
const SATURDAY_10 = 5 * DAY;
const MONDAY_09 = 7 * DAY - HOUR;

/** Page keys (DMs and channel pages, not the thread's notes) sent so far. */
function pageKeys(): string[] {
  return h.keys().filter((k) => /\/(dm|channel):[A-Z0-9]+$/.test(k)).sort();
}

/** The latest rendering of the incident card (its first post or its latest update), as Block Kit text. */
function card(): string {
  const calls = h.slack.calls.filter((c) => c.method === 'chat.update' || (c.method === 'chat.postMessage' && c.args.channel === INCIDENTS_CHANNEL && !c.args.metadata));
  return JSON.stringify(calls.at(-1)!.args.blocks);
}

/** Moves the clock from one due time of the engine to the next until `untilMs` after T0; returns each page key with the time it went. */
async function runUntil(untilMs: number): Promise<Array<[string, string]>> {
  for (;;) {
    const next = await h.engine.nextDueAt();
    if (!next || next.getTime() > T0 + untilMs) break;
    h.clock.set(Math.max(h.clock.t, next.getTime()));
    await h.engine.runDue();
  }
  const { rows } = await h.pool.query<{ key: string; sent_at: Date }>(`SELECT key, sent_at FROM incident_pages WHERE state = 'sent' AND NOT (recipient ? 'thread') ORDER BY sent_at, key`);
  return rows.map((r) => [r.key.replace(/^INC-\d+\//, ''), r.sent_at.toISOString()]);
}

describe('SEV-4 outside working hours', () => {
  it('declared on a Saturday, pages nobody until Monday 09:00, then pages on-call once; the team lead keeps its gap after it', async () => {
    await h.at(SATURDAY_10);
    const inc = await h.service.declare({ severity: 4, title: 'typo on status page', commander: 'U0CMDR' });
    await h.engine.runDue();
    // Posted in the channel; nobody paged.
    expect(h.slack.messagesIn(INCIDENTS_CHANNEL).filter((m) => !m.metadata)).toHaveLength(1);
    expect(pageKeys()).toEqual([]);
    expect(card()).toContain('Next: on-call paged <!date^1796029200^{date_short_pretty} {time}|2026-11-30T09:00:00.000Z> if not acknowledged.');

    // Its 24 h response time passes on Sunday: said in the thread, nobody paged.
    await h.at(SATURDAY_10 + DAY);
    expect(h.keys()).toEqual([`INC-${inc.id}/sev4:deadline/thread`]);
    await h.at(MONDAY_09 - 1);
    expect(pageKeys()).toEqual([]);

    await h.at(MONDAY_09);
    // Bob is on call from Monday 30 Nov 09:00 Berlin time (second week of the rotation).
    expect(pageKeys()).toEqual([`INC-${inc.id}/sev4:s0a0/channel:${INCIDENTS_CHANNEL}`, `INC-${inc.id}/sev4:s0a0/dm:U0BOB`]);
    for (const t of [MONDAY_09 + MIN, MONDAY_09 + 8 * HOUR, MONDAY_09 + DAY - 1]) await h.at(t);
    expect(pageKeys()).toHaveLength(2);

    // The team lead is due 3 days after the declaration (Tuesday 10:00) and 2 days after on-call
    // was paged: Wednesday 09:00.
    const sent = await runUntil(MONDAY_09 + 3 * DAY);
    expect(sent.filter(([k]) => k.includes('/dm:'))).toEqual([
      ['sev4:s0a0/dm:U0BOB', '2026-11-30T09:00:00.000Z'],
      ['sev4:s1a0/dm:U0LEAD', '2026-12-02T09:00:00.000Z'],
    ]);
    expect(new Set(h.keys()).size).toBe(h.keys().length);
  });

  it('acknowledged before Monday, pages nobody at all', async () => {
    await h.at(SATURDAY_10);
    const inc = await h.service.declare({ severity: 4, title: 'typo on status page', commander: 'U0CMDR' });
    await h.at(SATURDAY_10 + 2 * HOUR);
    await h.service.acknowledge(inc.id, 'U0CMDR');
    await runUntil(MONDAY_09 + HOUR);
    expect(pageKeys()).toEqual([]);
  });
});

describe('SEV-1 and SEV-2 page at once, day or night', () => {
  it('SEV-1 declared on a Saturday at 03:00 pages on-call at once with @here and climbs to the VP', async () => {
    await h.at(SATURDAY_10 - 7 * HOUR);
    const inc = await h.service.declare({ severity: 1, title: 'checkout down', commander: 'U0CMDR' });
    await h.engine.runDue();
    const r = `INC-${inc.id}`;
    expect(pageKeys()).toEqual([`${r}/sev1:s0a0/channel:${INCIDENTS_CHANNEL}`, `${r}/sev1:s0a0/dm:U0ALICE`]);
    expect(h.pages().find((p) => p.channel === INCIDENTS_CHANNEL)!.text).toMatch(/^<!here> <@U0ALICE> /);
    const sent = await runUntil(SATURDAY_10 - 7 * HOUR + DAY);
    expect(sent.filter(([k]) => k.includes('a0/dm:'))).toEqual([
      ['sev1:s0a0/dm:U0ALICE', '2026-11-28T03:00:00.000Z'],
      ['sev1:s1a0/dm:U0LEAD', '2026-11-28T04:00:00.000Z'],
      ['sev1:s2a0/dm:U0EM', '2026-11-28T07:00:00.000Z'],
      ['sev1:s3a0/dm:U0VP', '2026-11-29T03:00:00.000Z'],
    ]);
  });

  it('SEV-2 declared on a Sunday night pages on-call at once, and the VP after a day', async () => {
    await h.at(MONDAY_09 - 7 * HOUR);
    const inc = await h.service.declare({ severity: 2, title: 'search degraded', commander: 'U0CMDR' });
    await h.engine.runDue();
    expect(pageKeys()).toEqual([`INC-${inc.id}/sev2:s0a0/channel:${INCIDENTS_CHANNEL}`, `INC-${inc.id}/sev2:s0a0/dm:U0ALICE`]);
    const sent = await runUntil(MONDAY_09 - 7 * HOUR + DAY);
    expect(sent.filter(([k]) => k.includes('/dm:')).map(([k]) => k)).toEqual(['sev2:s0a0/dm:U0ALICE', 'sev2:s1a0/dm:U0LEAD', 'sev2:s2a0/dm:U0EM', 'sev2:s3a0/dm:U0VP']);
  });
});

describe('SEV-3', () => {
  it('declared Monday 15:00: on-call Tuesday 09:00, team lead Wednesday 09:00, manager Friday 09:00 (each keeps its gap after the level before), never the VP', async () => {
    await h.at(5 * HOUR);
    await h.service.declare({ severity: 3, title: 'search slow for some queries', commander: 'U0CMDR' });
    await h.engine.runDue();
    expect(pageKeys()).toEqual([]);
    const sent = await runUntil(14 * DAY);
    expect(sent.filter(([k]) => k.includes('/dm:'))).toEqual([
      ['sev3:s0a0/dm:U0ALICE', '2026-11-24T09:00:00.000Z'],
      ['sev3:s1a0/dm:U0LEAD', '2026-11-25T09:00:00.000Z'],
      ['sev3:s2a0/dm:U0EM', '2026-11-27T09:00:00.000Z'],
    ]);
    expect(h.slack.messagesIn('DU0VP')).toEqual([]);
    // Its response time (4 h) passed at 19:00, outside working hours: said in the thread then.
    const note = h.slack.messagesIn(INCIDENTS_CHANNEL).find((m) => String(m.metadata?.event_payload.key).endsWith('sev3:deadline/thread'))!;
    expect(note.text).toMatch(/^SEV-3 acknowledge deadline \(4 h\) missed/);
  });

  it('working hours come from the config: Berlin time, Monday to Thursday', async () => {
    const { service, engine } = h.make(CONFIG_YAML.replace('  channel: C0INCIDENTS\n', '  channel: C0INCIDENTS\n  workingHours: { days: [mon, tue, wed, thu], from: "08:00", to: "16:00", timezone: Europe/Berlin }\n'));
    // Thursday 26 Nov 10:00 UTC (11:00 in Berlin): 4 h later is 15:00 Berlin, within working hours.
    h.clock.set(T0 + 3 * DAY);
    const inc = await service.declare({ severity: 3, title: 'report export slow', commander: 'U0CMDR' });
    // The hours as configured then go with the incident.
    expect(inc.ladders.sev3.workingHours).toEqual({ days: ['mon', 'tue', 'wed', 'thu'], from: '08:00', to: '16:00', timezone: 'Europe/Berlin' });
    h.clock.set(T0 + 3 * DAY + 4 * HOUR);
    await engine.runDue();
    expect(pageKeys()).toEqual([`INC-${inc.id}/sev3:s0a0/channel:${INCIDENTS_CHANNEL}`, `INC-${inc.id}/sev3:s0a0/dm:U0ALICE`]);
    // The team lead, a day later on a Friday, waits for Monday 08:00 in Berlin (07:00 UTC).
    h.clock.set(T0 + 4 * DAY + 4 * HOUR);
    await engine.runDue();
    expect(pageKeys()).toHaveLength(2);
    h.clock.set(Date.parse('2026-11-30T07:00:00Z') - 1);
    await engine.runDue();
    expect(pageKeys()).toHaveLength(2);
    h.clock.set(Date.parse('2026-11-30T07:00:00Z'));
    await engine.runDue();
    expect(pageKeys().filter((k) => k.includes('/dm:'))).toEqual([`INC-${inc.id}/sev3:s0a0/dm:U0ALICE`, `INC-${inc.id}/sev3:s1a0/dm:U0LEAD`]);
  });
});

describe('pages beside the incident card', () => {
  it('a page to the incidents channel is a reply in the card\'s thread (SEV-1 also shown in the channel), without buttons; DMs stay DMs, with them', async () => {
    const inc = await h.service.declare({ severity: 1, title: 'payments failing', commander: 'U0CMDR' });
    await h.at(0);
    const cardPost = h.slack.messagesIn(INCIDENTS_CHANNEL).find((m) => !m.metadata)!;
    const channelPage = h.pages().find((p) => p.key === `INC-${inc.id}/sev1:s0a0/channel:${INCIDENTS_CHANNEL}`)!;
    expect(channelPage.thread_ts).toBe(cardPost.ts);
    const dm = h.pages().find((p) => p.key === `INC-${inc.id}/sev1:s0a0/dm:U0ALICE`)!;
    expect(dm.channel).toBe('DU0ALICE');
    expect(dm.thread_ts).toBeUndefined();
    // Nothing else went to the channel's top level: the card is the only post there.
    expect(h.slack.messagesIn(INCIDENTS_CHANNEL).filter((m) => !m.thread_ts)).toEqual([cardPost]);

    const posted = (key: string) => h.slack.calls.find((c) => c.method === 'chat.postMessage' && (c.args.metadata as { event_payload?: { key?: string } } | undefined)?.event_payload?.key === key)!;
    const channelCall = posted(channelPage.key);
    // @here in a thread reply wakes only the thread: the SEV-1 page is also sent to the channel.
    expect(String(channelCall.args.reply_broadcast)).toBe('true');
    expect(JSON.stringify(channelCall.args.blocks)).not.toContain('"action_id":"incident:');
    expect(JSON.stringify(posted(dm.key).args.blocks)).toContain('"action_id":"incident:ack"');

    // The card names the people paged; the channel is where it was posted.
    expect(card()).toContain('• on-call: <@U0ALICE> by DM and in <#C0INCIDENTS>, ');
    expect(card()).not.toMatch(/• on-call: <#C0INCIDENTS>/);
    // So does the timeline.
    const paged = (await h.service.timeline(inc.id)).filter((e) => e.kind === 'paged').map((e) => e.text).sort();
    expect(paged).toEqual(['Paged on-call: @U0ALICE by DM', 'Paged on-call: @U0ALICE in #C0INCIDENTS']);
  });

  it('a SEV-2 channel page stays in the thread only', async () => {
    const inc = await h.service.declare({ severity: 2, title: 'queue backlog', commander: 'U0CMDR' });
    await h.at(0);
    const call = h.slack.calls.find((c) => c.method === 'chat.postMessage' && (c.args.metadata as { event_payload?: { key?: string } } | undefined)?.event_payload?.key === `INC-${inc.id}/sev2:s0a0/channel:${INCIDENTS_CHANNEL}`)!;
    expect(call.args.thread_ts).toBeDefined();
    expect(call.args.reply_broadcast).toBeUndefined();
  });

  it('the card and every page say the next step in one sentence', async () => {
    await h.service.declare({ severity: 2, title: 'queue backlog', commander: 'U0CMDR' });
    await h.at(0);
    const sentence = 'Next: team lead paged <!date^1795431600^{time}|2026-11-23T11:00:00.000Z> if not resolved.';
    expect(card()).toContain(sentence);
    for (const p of h.pages()) expect(JSON.stringify(h.slack.calls.find((c) => c.method === 'chat.postMessage' && c.args.channel === p.channel && c.args.text === p.text)!.args.blocks)).toContain(sentence);
    expect(JSON.stringify(h.slack.calls.map((c) => c.args.blocks))).not.toContain('if nobody acts');
  });
});

describe('a restart in the middle', () => {
  it('the engine that claimed Monday\'s timer dies; another engine pages once when the claim runs out, and nothing is sent again', async () => {
    await h.at(SATURDAY_10);
    const inc = await h.service.declare({ severity: 4, title: 'typo on status page', commander: 'U0CMDR' });
    await h.engine.runDue();
    await h.at(SATURDAY_10 + DAY);
    // Monday 09:00: an engine claims the due timer (the real claim) and dies before firing it.
    h.clock.set(T0 + MONDAY_09);
    const claimed = await new IncidentStore(h.pool).claimDueTimer(h.clock.now(), new Date(h.clock.t + 30_000));
    expect(claimed?.timer.point).toBe('sev4:s0a0');
    // The bot starts again: a new engine over the same database, the ladder as stored.
    const restarted = h.make();
    await restarted.engine.runDue();
    expect(pageKeys()).toEqual([]);
    h.clock.set(T0 + MONDAY_09 + 30_000);
    await restarted.engine.runDue();
    expect(pageKeys()).toEqual([`INC-${inc.id}/sev4:s0a0/channel:${INCIDENTS_CHANNEL}`, `INC-${inc.id}/sev4:s0a0/dm:U0BOB`]);

    // It dies again right after Slack took the pages, before recording them: the next engine
    // finds them, in the DM and in the card's thread, and sends neither again.
    await h.pool.query(`UPDATE incident_pages SET state = 'sending', lease_until = $1 WHERE incident_id = $2 AND NOT (recipient ? 'thread')`, [new Date(h.clock.t - 1), inc.id]);
    const again = h.make();
    await again.engine.runDue();
    await h.engine.runDue();
    h.clock.set(T0 + MONDAY_09 + 5 * MIN);
    await again.engine.runDue();
    expect(pageKeys()).toHaveLength(2);
    const { rows } = await h.pool.query<{ state: string }>(`SELECT state FROM incident_pages WHERE incident_id = $1 AND NOT (recipient ? 'thread')`, [inc.id]);
    expect(rows.map((r) => r.state)).toEqual(['sent', 'sent']);
    // Looked up: the DM in its history, the channel page in the card's thread.
    expect(h.slack.callsTo('conversations.history').map((c) => c.args.channel)).toContain('DU0BOB');
    expect(h.slack.callsTo('conversations.replies').map((c) => [c.args.channel, c.args.ts])).toContainEqual([INCIDENTS_CHANNEL, h.slack.messagesIn(INCIDENTS_CHANNEL).find((m) => !m.metadata)!.ts]);
  });
});
