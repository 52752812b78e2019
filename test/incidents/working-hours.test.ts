// Working hours as the ladder reads them (the next start of working hours, in their own time zone,
// across a change of daylight saving time) and as the config states them (each mistake named with
// what is accepted); a ladder configured for one severity leaves the others at their default.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.ts';
import { ladderPoints } from '../../src/incidents/escalation-plan.ts';
import { defaultLadder, snapshotLadder, type LadderSnapshot } from '../../src/incidents/ladder.ts';
import { DEFAULT_WORKING_HOURS, describeWorkingHours, nextWorkingTime, type WorkingHours } from '../../src/incidents/working-hours.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const at = (text: string) => Date.parse(text);
const BERLIN: WorkingHours = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00', timezone: 'Europe/Berlin' };

describe('nextWorkingTime', () => {
  it('keeps a time within working hours, and moves one outside them to the next start', () => {
    const hours = DEFAULT_WORKING_HOURS;
    expect(iso(nextWorkingTime(at('2026-11-23T10:00:00Z'), hours))).toBe('2026-11-23T10:00:00.000Z');
    expect(iso(nextWorkingTime(at('2026-11-23T08:59:59Z'), hours))).toBe('2026-11-23T09:00:00.000Z');
    // The end is outside: 17:00 moves to the next morning.
    expect(iso(nextWorkingTime(at('2026-11-23T17:00:00Z'), hours))).toBe('2026-11-24T09:00:00.000Z');
    // Friday evening, Saturday, Sunday: Monday morning.
    for (const t of ['2026-11-27T18:00:00Z', '2026-11-28T12:00:00Z', '2026-11-29T23:59:00Z']) expect(iso(nextWorkingTime(at(t), hours))).toBe('2026-11-30T09:00:00.000Z');
  });

  it('reads the hours in their time zone, across the spring change of clocks', () => {
    // Friday 27 March 2026, 18:00 in Berlin (CET, UTC+1); clocks go forward on Sunday 29 March:
    // Monday 09:00 in Berlin is 07:00 UTC (CEST, UTC+2).
    expect(iso(nextWorkingTime(at('2026-03-27T17:00:00Z'), BERLIN))).toBe('2026-03-30T07:00:00.000Z');
    // 08:30 UTC on a Monday in winter is 09:30 in Berlin: within working hours.
    expect(iso(nextWorkingTime(at('2026-11-23T08:30:00Z'), BERLIN))).toBe('2026-11-23T08:30:00.000Z');
    expect(iso(nextWorkingTime(at('2026-11-23T16:00:00Z'), BERLIN))).toBe('2026-11-24T08:00:00.000Z');
  });

  it('skips days that are not working days', () => {
    const weekend: WorkingHours = { days: ['sat', 'sun'], from: '10:00', to: '14:00', timezone: 'UTC' };
    expect(iso(nextWorkingTime(at('2026-11-23T10:00:00Z'), weekend))).toBe('2026-11-28T10:00:00.000Z');
    expect(describeWorkingHours(weekend)).toBe('sat,sun 10:00-14:00 UTC');
    expect(describeWorkingHours(BERLIN)).toBe('mon-fri 09:00-17:00 Europe/Berlin');
  });
});

describe('the default ladders', () => {
  const roles = { 'team-lead': [{ user: 'U0LEAD' }], 'engineering-manager': [{ user: 'U0EM' }], 'vp-engineering': [{ user: 'U0VP' }] };
  const pages = (severity: 1 | 2 | 3 | 4, declared: string) =>
    ladderPoints(snapshotLadder(defaultLadder(), severity, roles), new Date(declared)).filter((p) => p.kind === 'page' && p.attempt === 0).map((p) => [p.label, iso(p.dueAt)]);

  it('SEV-1 and SEV-2 page at once at any hour and climb to the VP; SEV-3 and SEV-4 wait for working hours and stop at the manager', () => {
    expect(pages(1, '2026-11-28T03:00:00Z')).toEqual([
      ['on-call', '2026-11-28T03:00:00.000Z'], ['team lead', '2026-11-28T04:00:00.000Z'], ['engineering manager', '2026-11-28T07:00:00.000Z'], ['VP of engineering', '2026-11-29T03:00:00.000Z'],
    ]);
    expect(pages(2, '2026-11-28T03:00:00Z').map(([label]) => label)).toEqual(['on-call', 'team lead', 'engineering manager', 'VP of engineering']);
    expect(pages(3, '2026-11-23T10:00:00Z')).toEqual([
      ['on-call', '2026-11-23T14:00:00.000Z'], ['team lead', '2026-11-24T10:00:00.000Z'], ['engineering manager', '2026-11-26T10:00:00.000Z'],
    ]);
    expect(pages(4, '2026-11-28T10:00:00Z')).toEqual([
      ['on-call', '2026-11-30T09:00:00.000Z'], ['team lead', '2026-12-02T09:00:00.000Z'], ['engineering manager', '2026-12-07T09:00:00.000Z'],
    ]);
  });

  it('an incident snapshotted before working hours existed pages as its steps said then', () => {
    const old = snapshotLadder(defaultLadder(), 2, roles);
    expect(old.workingHours).toBeUndefined();
    const sev3 = snapshotLadder(defaultLadder(), 3, roles, BERLIN);
    expect(sev3.workingHours).toEqual(BERLIN);
    // Without stored hours, a working-hours step reads the default ones.
    const { workingHours: _, ...stored } = sev3;
    expect(ladderPoints(stored, new Date('2026-11-28T10:00:00Z')).find((p) => p.id === 'sev3:s0a0')!.dueAt).toBe(at('2026-11-30T09:00:00Z'));
  });
});

describe('repeats of a step that pages in working hours only', () => {
  const MIN = 60_000;
  /** One level, paged at once and twice more 5 min apart until acknowledged, in working hours only. */
  const ladder = (hours?: WorkingHours): LadderSnapshot => ({
    severity: 3,
    ackWithinMs: 60 * MIN,
    steps: [{ label: 'on-call', afterMs: 0, notify: [{ user: 'U0ALICE' }], via: ['dm'], until: 'acknowledged', repeat: { times: 2, everyMs: 5 * MIN }, during: 'working-hours' }],
    ...(hours && { workingHours: hours }),
  });
  const repeats = (declared: string, hours?: WorkingHours) =>
    ladderPoints(ladder(hours), new Date(declared)).filter((p) => p.kind === 'page').map((p) => [p.attempt, iso(p.dueAt)]);

  it('keep their spacing after the next start of working hours instead of all going out at it', () => {
    // Friday 16:56 UTC: the first page at once, the repeats due at 17:01 and 17:06 wait for Monday.
    expect(repeats('2026-11-27T16:56:00Z')).toEqual([[0, '2026-11-27T16:56:00.000Z'], [1, '2026-11-30T09:00:00.000Z'], [2, '2026-11-30T09:05:00.000Z']]);
    // Within working hours they are simply 5 min apart.
    expect(repeats('2026-11-23T10:00:00Z')).toEqual([[0, '2026-11-23T10:00:00.000Z'], [1, '2026-11-23T10:05:00.000Z'], [2, '2026-11-23T10:10:00.000Z']]);
    // Declared on Saturday: the first page on Monday at the start, the repeats 5 and 10 min later.
    expect(repeats('2026-11-28T12:00:00Z')).toEqual([[0, '2026-11-30T09:00:00.000Z'], [1, '2026-11-30T09:05:00.000Z'], [2, '2026-11-30T09:10:00.000Z']]);
    // In the hours' own time zone: Friday 16:58 in Berlin, the repeats from Monday 09:00 Berlin (08:00 UTC).
    expect(repeats('2026-11-27T15:58:00Z', BERLIN)).toEqual([[0, '2026-11-27T15:58:00.000Z'], [1, '2026-11-30T08:00:00.000Z'], [2, '2026-11-30T08:05:00.000Z']]);
  });
});

describe('incidents.workingHours and per-severity ladders in chatops.yml', () => {
  const load = (incidents: Record<string, unknown>) => parseConfig({ incidents: { channel: 'C0INC', ...incidents } }, 'chatops.yml', {});

  it('defaults to Monday to Friday, 09:00 to 17:00 UTC; a partial block fills the rest', () => {
    expect(load({}).incidents!.workingHours).toEqual(DEFAULT_WORKING_HOURS);
    expect(load({ workingHours: { timezone: 'Europe/Berlin' } }).incidents!.workingHours).toEqual({ ...DEFAULT_WORKING_HOURS, timezone: 'Europe/Berlin' });
  });

  it.each([
    ['a time zone that does not exist', { timezone: 'Europe/Atlantis' }, /incidents\.workingHours\.timezone: not an IANA time zone \(e\.g\. "Europe\/Berlin", "UTC"\) \(got "Europe\/Atlantis"\)/],
    ['a day that is not one', { days: ['mon', 'funday'] }, /incidents\.workingHours\.days\.1: .*\(got "funday"\); accepted: "mon", "tue", "wed", "thu", "fri", "sat", "sun"/],
    ['no day', { days: [] }, /incidents\.workingHours\.days: /],
    ['a time that is not one', { from: '9am' }, /incidents\.workingHours\.from: a local time like 09:00 \(got "9am"\)/],
    ['hours that end before they start', { from: '17:00', to: '09:00' }, /incidents\.workingHours\.to: ends before it starts: working hours run from "from" \(17:00\) to a later "to" on the same day \(got "09:00"\)/],
    ['an unknown key', { weekdays: ['mon'] }, /incidents\.workingHours: unknown key weekdays/],
  ])('refuses %s, naming it', (_, workingHours, message) => {
    expect(() => load({ workingHours })).toThrow(message);
  });

  it('a ladder for one severity overrides only that severity; its steps may page in working hours only', () => {
    const incidents = load({
      ladder: { sev4: { ackWithin: '2d', steps: [{ label: 'triage', after: '2d', notify: [{ channel: 'C0TRIAGE' }], until: 'resolved', during: 'working-hours' }] } },
    }).incidents!;
    expect(incidents.ladder.sev4).toEqual({
      ackWithinMs: 2 * 86_400_000,
      steps: [{ label: 'triage', afterMs: 2 * 86_400_000, notify: [{ channel: 'C0TRIAGE' }], via: ['dm', 'mention'], until: 'resolved', repeat: { times: 0, everyMs: 0 }, during: 'working-hours' }],
    });
    expect(incidents.ladder.sev1).toEqual(defaultLadder().sev1);
    expect(incidents.ladder.sev3).toEqual(defaultLadder().sev3);
    // A configured step pages at any time unless it says otherwise.
    const anyTime = load({ ladder: { sev1: { ackWithin: '5m', steps: [{ label: 'all', after: '0s', notify: [{ user: 'U0A' }], until: 'resolved' }] } } }).incidents!;
    expect(anyTime.ladder.sev1.steps[0]!.during).toBeUndefined();
    expect(() => load({ ladder: { sev2: { ackWithin: '5m', steps: [{ label: 'x', after: '0s', notify: [{ user: 'U0A' }], until: 'resolved', during: 'nights' }] } } }))
      .toThrow(/incidents\.ladder\.sev2\.steps\.0\.during: .*\(got "nights"\); accepted: "any-time", "working-hours"/);
  });
});
