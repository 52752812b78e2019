// The incident card and the pages as neutral messages, through both renderers (golden files:
// Slack's Block Kit JSON and the terminal's text), plus what must hold whatever the layout: a
// channel page's notification names the people it pages, the buttons carry the incident's intents.
import { ladderPoints } from '../../src/incidents/escalation-plan.ts';
import { describe, expect, it } from 'vitest';
import { renderTerminal } from '../../src/cli/render-terminal.ts';
import type { Incident } from '../../src/incidents/incident.ts';
import { incidentCardMessage } from '../../src/incidents/incident-card-message.ts';
import { defaultLadder, snapshotLadder, type Severity } from '../../src/incidents/ladder.ts';
import { pageMessage } from '../../src/incidents/page-message.ts';
import { storedMentions, type IncidentDisplay, type OutgoingPage, type PageRecipient } from '../../src/incidents/pager.ts';
import { spans, user, type Message } from '../../src/message/message.ts';
import { encodeIntent } from '../../src/slack/encode-intent.ts';
import { renderMessage } from '../../src/slack/render-message.ts';
import { expectGolden } from '../render/golden.ts';

const MIN = 60_000;
const DECLARED = new Date('2026-11-23T10:00:00.000Z');
const at = (minutes: number) => new Date(DECLARED.getTime() + minutes * MIN);

function incident(severity: Severity, more: Partial<Incident> = {}): Incident {
  const ladder = defaultLadder();
  const roles = { 'team-lead': [{ user: 'U0LEAD' }], 'engineering-manager': [{ user: 'U0EM' }], 'vp-engineering': [{ user: 'U0VP' }] };
  return {
    id: 42,
    severity,
    title: 'API gateway returns 502 for <2% of requests & rising',
    status: 'open',
    commander: 'U0CMDR',
    declaredAt: DECLARED,
    ladders: {
      sev1: snapshotLadder(ladder, 1, roles),
      sev2: snapshotLadder(ladder, 2, roles),
      sev3: snapshotLadder(ladder, 3, roles),
      sev4: snapshotLadder(ladder, 4, roles),
    },
    donePoints: [],
    epoch: 1,
    ...more,
  };
}

function allPagePoints(severity: Severity): string[] {
  const i = incident(severity);
  return ladderPoints(i.ladders[`sev${severity}`], i.declaredAt).filter((p) => p.kind === 'page').map((p) => p.id);
}

const PAGED: IncidentDisplay['paged'] = [
  { label: 'on-call', to: { dm: 'U0ALICE' }, at: at(0), point: 'sev1:s0a0' },
  { label: 'on-call', to: { channel: 'C0INCIDENTS', mentions: { users: ['U0ALICE'], groups: [] }, broadcast: 'here' }, at: at(0.01), point: 'sev1:s0a0' },
];

const CARDS: Record<string, { display: IncidentDisplay; now: Date }> = {
  open: { display: { incident: incident(1), paged: PAGED, ackDueAt: at(15), next: { label: 'on-call', at: at(5), until: 'acknowledged' } }, now: at(3) },
  acknowledged: {
    display: { incident: incident(2, { status: 'acknowledged', acknowledgedBy: 'U0ALICE', acknowledgedAt: at(4) }), paged: PAGED.slice(0, 1), next: { label: 'team lead', at: at(60), until: 'resolved' } },
    now: at(5),
  },
  resolved: {
    display: { incident: incident(2, { status: 'resolved', acknowledgedBy: 'U0ALICE', acknowledgedAt: at(4), resolvedBy: 'U0BOB', resolvedAt: at(50) }), paged: PAGED.slice(0, 1) },
    now: at(50),
  },
  overdue: {
    display: {
      incident: incident(1),
      paged: [...PAGED, { label: 'on-call', to: { dm: 'U0ALICE' }, at: at(5), point: 'sev1:s0a1' }, { label: 'on-call', to: { channel: 'C0INCIDENTS', mentions: { users: ['U0ALICE'], groups: [] }, broadcast: 'here' }, at: at(5), point: 'sev1:s0a1' }],
      ackDueAt: at(15),
      next: { label: 'team lead', at: at(60), until: 'resolved' },
    },
    now: at(16),
  },
  'dedicated-channel': {
    display: { incident: incident(3, { dedicatedChannel: 'C0INC42' }), paged: [], ackDueAt: at(240), next: { label: 'on-call', at: at(240), until: 'acknowledged' } },
    now: at(1),
  },
  // A SEV-4 declared on a Saturday: nobody paged yet, on-call on Monday when working hours start.
  'waiting-for-working-hours': {
    display: { incident: incident(4, { declaredAt: new Date('2026-11-28T10:00:00.000Z') }), paged: [], ackDueAt: new Date('2026-11-29T10:00:00.000Z'), next: { label: 'on-call', at: new Date('2026-11-30T09:00:00.000Z'), until: 'acknowledged' } },
    now: new Date('2026-11-28T10:01:00.000Z'),
  },
  // A level that pages a group in the incidents channel and posts in another channel that names nobody.
  'group-and-channel': {
    display: {
      incident: incident(2),
      paged: [
        { label: 'database team', to: { channel: 'C0INCIDENTS', mentions: { users: [], groups: ['S0DBA'] } }, at: at(60), point: 'sev2:s1a0' },
        { label: 'database team', to: { channel: 'C0WAR', mentions: { users: [], groups: [] } }, at: at(60), point: 'sev2:s1a0' },
        { label: 'status page', to: { channel: 'C0STATUS', mentions: { users: [], groups: [] } }, at: at(61), point: 'sev2:s2a0' },
      ],
      ackDueAt: at(60),
      next: { label: 'engineering manager', at: at(240), until: 'resolved' },
    },
    now: at(62),
  },
};

function page(more: Partial<OutgoingPage> & Pick<OutgoingPage, 'recipient'>): OutgoingPage {
  return { key: 'INC-42/sev2:s0a0/dm:U0ALICE', incident: incident(2), label: 'on-call', attempt: 0, lateMs: 0, next: { label: 'team lead', at: at(60), until: 'resolved' }, ...more };
}

const SEV1_CHANNEL = { channel: 'C0INCIDENTS', mentions: { users: ['U0ALICE', 'U0BOB'], groups: ['S0SRE'] }, broadcast: 'here' as const };

/** `placement`: a page to the incidents channel goes in the card's thread. */
const PAGES: Record<string, { page: OutgoingPage; now: Date; placement?: 'card-thread' }> = {
  dm: { page: page({ recipient: { dm: 'U0ALICE' } }), now: at(0) },
  'channel-sev1': { page: page({ incident: incident(1), recipient: SEV1_CHANNEL, next: { label: 'on-call', at: at(5), until: 'acknowledged' } }), now: at(0), placement: 'card-thread' },
  'other-channel': { page: page({ recipient: { channel: 'C0WAR', mentions: { users: [], groups: [] } }, label: 'war room' }), now: at(0) },
  reminder: { page: page({ incident: incident(1), recipient: { dm: 'U0ALICE' }, attempt: 2, next: { label: 'team lead', at: at(60), until: 'resolved' } }), now: at(10) },
  late: { page: page({ recipient: { dm: 'U0LEAD' }, label: 'team lead', lateMs: 95_000, next: { label: 'engineering manager', at: at(240), until: 'resolved' } }), now: at(61.6) },
  'last-level': {
    // Every level of the SEV-2 ladder has been paged: nobody is left to escalate to.
    page: { key: 'INC-42/sev2:s3a0/dm:U0VP', incident: incident(2, { status: 'acknowledged', acknowledgedBy: 'U0ALICE', acknowledgedAt: at(4), donePoints: allPagePoints(2) }), label: 'VP of engineering', recipient: { dm: 'U0VP' }, attempt: 0, lateMs: 0 },
    now: at(24 * 60),
  },
};

function slack(m: Message): string {
  return `${JSON.stringify(renderMessage(m, encodeIntent), null, 2)}\n`;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Block Kit JSON, read by path
type Json = Record<string, any>;

describe('golden files: the incident card', () => {
  for (const [name, { display, now }] of Object.entries(CARDS)) {
    const message = incidentCardMessage(display, now);
    it(`${name}: Block Kit`, () => expectGolden(`incident-card-${name}.json`, slack(message)));
    it(`${name}: terminal`, () => expectGolden(`incident-card-${name}.txt`, renderTerminal(message, { color: false })));
  }
});

describe('golden files: pages', () => {
  for (const [name, { page: p, now, placement }] of Object.entries(PAGES)) {
    const message = pageMessage(p, now, placement);
    it(`${name}: Block Kit`, () => expectGolden(`incident-page-${name}.json`, slack(message)));
    it(`${name}: terminal`, () => expectGolden(`incident-page-${name}.txt`, renderTerminal(message, { color: false })));
  }
});

describe('the incident card', () => {
  it('reads: state, commander, deadline, next level, who was paged; the title escaped', () => {
    const { display, now } = CARDS.open!;
    const out = renderMessage(incidentCardMessage(display, now), encodeIntent);
    const blocks = out.blocks as Json[];
    expect(out.text).toBe(':rotating_light: SEV-1 INC-42: API gateway returns 502 for &lt;2% of requests &amp; rising (open)');
    expect(blocks[0]!.text.text).toBe(':rotating_light: SEV-1 INC-42: API gateway returns 502 for <2% of requests & rising');
    expect(blocks[1]!.text.text).toBe([
      ':bell: Open, not acknowledged',
      'Commander <@U0CMDR> · declared <!date^1795428000^{date_short_pretty} {time}|2026-11-23T10:00:00.000Z>',
      'Ack due in 12 min (<!date^1795428900^{time}|2026-11-23T10:15:00.000Z>)',
      'Next: on-call paged <!date^1795428300^{time}|2026-11-23T10:05:00.000Z> if not acknowledged.',
    ].join('\n'));
    // The people paged, then where: a channel is where the page was posted, never someone paged.
    expect(blocks[2]!.elements[0].text).toBe('Paged:\n• on-call: <@U0ALICE> by DM and in <#C0INCIDENTS>, <!date^1795428000^{time}|2026-11-23T10:00:00.000Z>');
  });

  it('names reminders, user groups, and a channel page that names nobody as posted there', () => {
    const context = (name: string) => (renderMessage(incidentCardMessage(CARDS[name]!.display, CARDS[name]!.now), encodeIntent).blocks[2] as Json).elements[0].text as string;
    expect(context('overdue').split('\n').slice(1)).toEqual([
      '• on-call: <@U0ALICE> by DM and in <#C0INCIDENTS>, <!date^1795428000^{time}|2026-11-23T10:00:00.000Z>',
      '• on-call (reminder 1): <@U0ALICE> by DM and in <#C0INCIDENTS>, <!date^1795428300^{time}|2026-11-23T10:05:00.000Z>',
    ]);
    expect(context('group-and-channel').split('\n').slice(1)).toEqual([
      '• database team: <!subteam^S0DBA> in <#C0INCIDENTS> and in <#C0WAR>, <!date^1795431600^{time}|2026-11-23T11:00:00.000Z>',
      '• status page: posted in <#C0STATUS>, <!date^1795431660^{time}|2026-11-23T11:01:00.000Z>',
    ]);
  });

  it('says the next step in the words of the pages; a step days ahead carries its date', () => {
    const next = (name: string) => (renderMessage(incidentCardMessage(CARDS[name]!.display, CARDS[name]!.now), encodeIntent).blocks[1] as Json).text.text.split('\n').find((l: string) => l.startsWith('Next:'));
    expect(next('acknowledged')).toBe('Next: team lead paged <!date^1795431600^{time}|2026-11-23T11:00:00.000Z> if not resolved.');
    expect(next('waiting-for-working-hours')).toBe('Next: on-call paged <!date^1796029200^{date_short_pretty} {time}|2026-11-30T09:00:00.000Z> if not acknowledged.');
    // The same sentence on the page that leaves at the same moment.
    const p = page({ incident: CARDS.acknowledged!.display.incident, recipient: { dm: 'U0ALICE' }, next: CARDS.acknowledged!.display.next });
    expect((renderMessage(pageMessage(p, CARDS.acknowledged!.now), encodeIntent).blocks[1] as Json).elements[0].text).toBe(next('acknowledged'));
  });

  it('offers Acknowledge only while open, Resolve after a confirmation, and no button once resolved', () => {
    const buttons = (name: string) => {
      const { display, now } = CARDS[name]!;
      return incidentCardMessage(display, now).blocks.flatMap((b) => (b.type === 'actions' ? b.buttons : []));
    };
    expect(buttons('open').map((b) => [b.label, b.intent])).toEqual([
      ['Acknowledge', { intent: 'incident.ack', incident: 42 }],
      ['Escalate now', { intent: 'incident.escalate', incident: 42 }],
      ['Resolve', { intent: 'incident.resolve', incident: 42 }],
    ]);
    expect(buttons('open')[2]!.confirm).toEqual({ title: 'Resolve INC-42?', text: 'Paging stops for every level.', ok: 'Resolve', deny: 'Cancel' });
    expect(buttons('acknowledged').map((b) => b.label)).toEqual(['Escalate now', 'Resolve']);
    expect(buttons('resolved')).toEqual([]);
    const elements = (renderMessage(incidentCardMessage(CARDS.open!.display, CARDS.open!.now), encodeIntent).blocks.at(-1) as Json).elements as Json[];
    expect(elements.map((e) => [e.action_id, e.value, e.style])).toEqual([['incident:ack', '42', 'primary'], ['incident:escalate', '42', undefined], ['incident:resolve', '42', 'danger']]);
  });

  it('says the deadline is missed once it is past, and names the incident channel', () => {
    const overdue = renderMessage(incidentCardMessage(CARDS.overdue!.display, CARDS.overdue!.now), encodeIntent).blocks as Json[];
    expect(overdue[1]!.text.text).toContain('\n:warning: Ack overdue since <!date^1795428900^{time}|2026-11-23T10:15:00.000Z>');
    const dedicated = renderMessage(incidentCardMessage(CARDS['dedicated-channel']!.display, CARDS['dedicated-channel']!.now), encodeIntent).blocks as Json[];
    expect(dedicated[1]!.text.text).toMatch(/\nChannel: <#C0INC42>$/);
  });
});

describe('pages', () => {
  it('a channel page notifies: its notification and first line carry @here, the people and the group', () => {
    const { page: p, now, placement } = PAGES['channel-sev1']!;
    const out = renderMessage(pageMessage(p, now, placement), encodeIntent);
    expect(out.text).toBe('<!here> <@U0ALICE> <@U0BOB> <!subteam^S0SRE> :rotating_light: SEV-1 INC-42: API gateway returns 502 for &lt;2% of requests &amp; rising');
    expect((out.blocks[0] as Json).text.text).toBe(
      '*:rotating_light: SEV-1 INC-42: API gateway returns 502 for &lt;2% of requests &amp; rising*\n<!here> <@U0ALICE> <@U0BOB> <!subteam^S0SRE>: paged as *on-call*. Declared &lt;1 s ago by <@U0CMDR>.');
    expect((out.blocks[1] as Json).elements[0].text).toBe('Next: on-call paged <!date^1795428300^{time}|2026-11-23T10:05:00.000Z> if not acknowledged.');
  });

  it('a DM says whom it pages as, which reminder it is, how late it left, or that it is the last level', () => {
    const text = (name: string) => renderMessage(pageMessage(PAGES[name]!.page, PAGES[name]!.now), encodeIntent);
    expect((text('reminder').blocks[0] as Json).text.text).toMatch(/\nYou are paged as \*on-call\* \(reminder 2\)\. Declared 10 min ago by <@U0CMDR>\.$/);
    expect(text('reminder').text).toBe(':rotating_light: SEV-1 INC-42: API gateway returns 502 for &lt;2% of requests &amp; rising (reminder 2)');
    expect((text('late').blocks[1] as Json).elements[0].text).toBe('Next: engineering manager paged <!date^1795442400^{time}|2026-11-23T14:00:00.000Z> if not resolved. Sent 1 min late.');
    expect((text('last-level').blocks[1] as Json).elements[0].text).toBe('This is the last level of the ladder.');
    // At the last level there is nobody more to page: no Escalate now button.
    expect(((text('last-level').blocks[2] as Json).elements as Json[]).map((e) => e.action_id)).toEqual(['incident:resolve']);
    expect(((text('reminder').blocks.at(-1) as Json).elements as Json[]).map((e) => e.action_id)).toContain('incident:escalate');
  });

  it('a page in the card\'s thread has no buttons (the card above has them); a DM and a page in another channel do', () => {
    const actions = (name: string) => {
      const { page: p, now, placement } = PAGES[name]!;
      return (renderMessage(pageMessage(p, now, placement), encodeIntent).blocks as Json[]).filter((b) => b.type === 'actions').flatMap((b) => (b.elements as Json[]).map((e) => e.action_id));
    };
    expect(actions('channel-sev1')).toEqual([]);
    expect(actions('dm')).toEqual(['incident:ack', 'incident:escalate', 'incident:resolve']);
    expect(actions('other-channel')).toEqual(['incident:ack', 'incident:escalate', 'incident:resolve']);
  });

  it('a thread line is that line: plain words escaped, people as mentions', () => {
    const plain = renderMessage(pageMessage(page({ recipient: { thread: true, text: 'Nobody to page for on-call (rotation <primary> is empty): paging the next level now.' } }), at(0)), encodeIntent);
    expect(plain).toEqual({ text: 'Nobody to page for on-call (rotation &lt;primary&gt; is empty): paging the next level now.', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Nobody to page for on-call (rotation &lt;primary&gt; is empty): paging the next level now.' } }] });
    const named = renderMessage(pageMessage(page({ recipient: { thread: true, text: spans('Could not page on-call ', user('U0ALICE'), ' by DM after 1 attempt.') } }), at(0)), encodeIntent);
    expect(named.text).toBe('Could not page on-call <@U0ALICE> by DM after 1 attempt.');
  });

  it('page rows stored with Slack mention strings are read back as ids', () => {
    expect(storedMentions(['<@U0ALICE>', '<!subteam^S0SRE|sre>', '<!subteam^S0DB>', 'not a mention'])).toEqual({ users: ['U0ALICE'], groups: ['S0SRE', 'S0DB'] });
    expect(storedMentions({ users: ['U0BOB'], groups: [] })).toEqual({ users: ['U0BOB'], groups: [] });
    // A row as an earlier version wrote it, read back from its jsonb column.
    const stored = JSON.parse('{"channel": "C0INCIDENTS", "mentions": ["<@U0ALICE>", "<!subteam^S0SRE>"], "broadcast": "here"}') as PageRecipient;
    const legacy = page({ incident: incident(1), recipient: stored });
    expect(renderMessage(pageMessage(legacy, at(0)), encodeIntent).text).toMatch(/^<!here> <@U0ALICE> <!subteam\^S0SRE> :rotating_light: /);
  });
});
