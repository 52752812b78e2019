// The engine's pure steps, without a database: whom a level pages given the data fetched before
// the transaction (and what it still needs), what firing a timer writes, and when the wake loop
// looks again.
import { describe, expect, it } from 'vitest';
import type { Incident } from '../../src/incidents/incident.ts';
import type { TimerRef } from '../../src/incidents/incident-store.ts';
import { SEVERITIES, snapshotLadder, type LadderConfig, type LadderStep, type Severity } from '../../src/incidents/ladder.ts';
import { planTimer } from '../../src/incidents/plan-timer.ts';
import { emptyRecipientData, resolveRecipients } from '../../src/incidents/resolve-recipients.ts';
import { WakeLoop } from '../../src/incidents/wake-loop.ts';

const T0 = Date.parse('2026-11-23T10:00:00Z');
const HOUR = 3_600_000;
const step = (label: string, afterMs: number, notify: LadderStep['notify'], via: LadderStep['via'] = ['dm', 'mention']): LadderStep => ({ label, afterMs, notify, via, until: 'resolved', repeat: { times: 0, everyMs: 0 } });
const STEPS = [step('on-call', 0, [{ oncall: 'primary' }]), step('sre', HOUR, [{ group: 'S0SRE' }, { channel: 'C0WAR' }]), step('lead', 2 * HOUR, [{ role: 'team-lead' }])];
const LADDER = Object.fromEntries(SEVERITIES.map((s) => [`sev${s}`, { ackWithinMs: 15 * 60_000, steps: STEPS }])) as LadderConfig;

function incident(over: Partial<Incident> = {}): Incident {
  return {
    id: 7, severity: 2, title: 'api down', status: 'open', commander: 'U0CMDR', declaredAt: new Date(T0), donePoints: [], epoch: 3, activeTimer: 11,
    ladders: Object.fromEntries(SEVERITIES.map((s: Severity) => [`sev${s}`, snapshotLadder(LADDER, s, {})])) as Incident['ladders'],
    ...over,
  };
}

const timer = (point: string, over: Partial<TimerRef> = {}): TimerRef => ({ id: '11', incidentId: 7, point, epoch: 3, ...over });

describe('resolveRecipients', () => {
  const ladder = snapshotLadder(LADDER, 2, {});

  it('names what it needs from outside first: user-group members (for DMs) and who is on call', () => {
    const data = emptyRecipientData();
    expect(resolveRecipients(ladder.steps[0]!, 'C0INC', data)).toEqual({ needs: { groups: [], rotations: ['primary'] } });
    expect(resolveRecipients(ladder.steps[1]!, 'C0INC', data)).toEqual({ needs: { groups: ['S0SRE'], rotations: [] } });
    // By mention only, a group's members are not needed.
    expect(resolveRecipients({ ...ladder.steps[1]!, via: ['mention'] }, 'C0INC', data)).toMatchObject({ resolved: { recipients: [{ channel: 'C0INC', mentions: { users: [], groups: ['S0SRE'] } }, { channel: 'C0WAR' }] } });
  });

  it('with the data: a DM each, one channel page naming people and groups by id, and why someone is missing', () => {
    const data = emptyRecipientData();
    data.groupMembers.set('S0SRE', { members: ['U0SRE1', 'U0SRE2'] });
    expect(resolveRecipients(ladder.steps[1]!, 'C0INC', data)).toEqual({
      resolved: {
        recipients: [{ dm: 'U0SRE1' }, { dm: 'U0SRE2' }, { channel: 'C0INC', mentions: { users: ['U0SRE1', 'U0SRE2'], groups: ['S0SRE'] } }, { channel: 'C0WAR', mentions: { users: [], groups: [] } }],
        users: ['U0SRE1', 'U0SRE2'], groups: ['S0SRE'], channels: ['C0WAR'], missing: [],
      },
    });
    data.groupMembers.set('S0SRE', { error: 'missing_scope' });
    expect(resolveRecipients(ladder.steps[1]!, 'C0INC', data)).toMatchObject({ resolved: { missing: ['members of user group S0SRE could not be read (missing_scope)'] } });
    data.onCall.set('primary', undefined);
    expect(resolveRecipients(ladder.steps[0]!, 'C0INC', data)).toMatchObject({ resolved: { recipients: [], missing: ['rotation primary has nobody on call'] } });
  });
});

describe('planTimer', () => {
  it('discards a timer that is not the incident\'s active one under its epoch', () => {
    const data = emptyRecipientData();
    expect(planTimer({ timer: timer('sev2:s0a0', { epoch: 2 }), incident: incident(), now: new Date(T0), incidentsChannel: 'C0INC', data })).toEqual({ kind: 'discard' });
    expect(planTimer({ timer: timer('sev2:s0a0', { id: '10' }), incident: incident(), now: new Date(T0), incidentsChannel: 'C0INC', data })).toEqual({ kind: 'discard' });
    expect(planTimer({ timer: timer('sev2:s0a0'), incident: undefined, now: new Date(T0), incidentsChannel: 'C0INC', data })).toEqual({ kind: 'discard' });
  });

  it('nobody on call: says so in the thread and goes on to the next level, asking for its data first', () => {
    const data = emptyRecipientData();
    const at = { timer: timer('sev2:s0a0'), incident: incident(), now: new Date(T0), incidentsChannel: 'C0INC', data };
    expect(planTimer(at)).toEqual({ kind: 'needs', needs: { groups: [], rotations: ['primary'] } });
    data.onCall.set('primary', undefined);
    expect(planTimer(at)).toEqual({ kind: 'needs', needs: { groups: ['S0SRE'], rotations: [] } });
    data.groupMembers.set('S0SRE', { members: ['U0SRE1'] });
    const plan = planTimer(at);
    expect(plan).toMatchObject({ kind: 'fire', donePoints: ['sev2:s0a0', 'sev2:s1a0'] });
    if (plan.kind !== 'fire') return;
    expect(plan.pages.map((p) => p.key)).toEqual(['INC-7/sev2:s0a0/thread', 'INC-7/sev2:s1a0/dm:U0SRE1', 'INC-7/sev2:s1a0/channel:C0INC', 'INC-7/sev2:s1a0/channel:C0WAR']);
    expect(plan.events).toEqual([
      { kind: 'nobody_to_page', line: [{ type: 'text', text: 'Nobody to page for on-call (rotation primary has nobody on call): paging the next level now.' }] },
      { kind: 'page', line: [{ type: 'text', text: 'Paging sre: ' }, { type: 'user', id: 'U0SRE1' }, { type: 'text', text: ', ' }, { type: 'group', id: 'S0SRE' }, { type: 'text', text: ', ' }, { type: 'channel', id: 'C0WAR' }] },
    ]);
  });

  it('a level whose role is not defined pages nobody and says which role', () => {
    const plan = planTimer({ timer: timer('sev2:s2a0'), incident: incident({ donePoints: ['sev2:s0a0', 'sev2:s1a0', 'sev2:deadline'] }), now: new Date(T0 + 2 * HOUR), incidentsChannel: 'C0INC', data: emptyRecipientData() });
    expect(plan).toMatchObject({ kind: 'fire', events: [{ kind: 'nobody_to_page', line: [{ text: 'Nobody to page for lead (role team-lead is not defined in incidents.roles): paging the next level now.' }] }] });
  });
});

describe('WakeLoop.sleepMs', () => {
  it('sleeps until the next due time, at most 10 s, and not at all when something is overdue', () => {
    const now = new Date(T0);
    expect(WakeLoop.sleepMs(new Date(T0 + 2_500), now)).toBe(2_500);
    expect(WakeLoop.sleepMs(new Date(T0 - 1), now)).toBe(0);
    expect(WakeLoop.sleepMs(new Date(T0 + HOUR), now)).toBe(10_000);
    expect(WakeLoop.sleepMs(undefined, now)).toBe(10_000);
  });
});
