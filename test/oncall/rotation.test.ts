// The schedule's arithmetic: turns daily and weekly, cycling, before the start date, handoffs that
// keep their local time across DST, and overrides that win while they last.
import { describe, expect, it } from 'vitest';
import { nextShifts, onCallAt, shiftAt, type Override, type Rotation } from '../../src/oncall/rotation.ts';

const weekly: Rotation = { name: 'primary', members: ['U0ALICE', 'U0BOB', 'U0CAROL'], every: 'weekly', handoff: '09:00', timezone: 'Europe/Berlin', start: '2026-01-05' };
const daily: Rotation = { ...weekly, name: 'db', every: 'daily', handoff: '18:30', timezone: 'UTC', start: '2026-03-01' };
const at = (iso: string) => new Date(iso);

function override(user: string, startsAt: string, endsAt: string, rotation = 'primary'): Override {
  return { rotation, user, startsAt: at(startsAt), endsAt: at(endsAt), createdBy: 'U0BOSS' };
}

describe('shiftAt', () => {
  it('hands a weekly rotation over at the local handoff time, in turn', () => {
    // 2026-01-05 09:00 in Berlin (CET) is 08:00 UTC.
    expect(shiftAt(weekly, at('2026-01-05T08:00:00Z'))).toEqual({ user: 'U0ALICE', from: at('2026-01-05T08:00:00Z'), until: at('2026-01-12T08:00:00Z') });
    expect(shiftAt(weekly, at('2026-01-12T07:59:59Z'))?.user).toBe('U0ALICE');
    expect(shiftAt(weekly, at('2026-01-12T08:00:00Z'))?.user).toBe('U0BOB');
    expect(shiftAt(weekly, at('2026-01-20T12:00:00Z'))).toEqual({ user: 'U0CAROL', from: at('2026-01-19T08:00:00Z'), until: at('2026-01-26T08:00:00Z') });
  });

  it('cycles back to the first member', () => {
    expect(shiftAt(weekly, at('2026-01-26T08:00:00Z'))?.user).toBe('U0ALICE');
    // 52 weeks later: 52 % 3 = 1.
    expect(shiftAt(weekly, at('2027-01-04T10:00:00Z'))?.user).toBe('U0BOB');
  });

  it('hands a daily rotation over every day', () => {
    expect(shiftAt(daily, at('2026-03-01T18:29:00Z'))).toEqual({ user: 'U0CAROL', from: at('2026-02-28T18:30:00Z'), until: at('2026-03-01T18:30:00Z') });
    expect(shiftAt(daily, at('2026-03-01T18:30:00Z'))?.user).toBe('U0ALICE');
    expect(shiftAt(daily, at('2026-03-02T19:00:00Z'))?.user).toBe('U0BOB');
    expect(shiftAt(daily, at('2026-03-04T00:00:00Z'))).toEqual({ user: 'U0CAROL', from: at('2026-03-03T18:30:00Z'), until: at('2026-03-04T18:30:00Z') });
    expect(shiftAt(daily, at('2026-03-04T18:30:00Z'))?.user).toBe('U0ALICE');
  });

  it('counts backwards before the start date, so someone is always on call', () => {
    expect(shiftAt(weekly, at('2026-01-05T07:59:00Z'))).toEqual({ user: 'U0CAROL', from: at('2025-12-29T08:00:00Z'), until: at('2026-01-05T08:00:00Z') });
    expect(shiftAt(weekly, at('2025-12-23T12:00:00Z'))?.user).toBe('U0BOB');
    expect(shiftAt(weekly, at('2025-12-16T12:00:00Z'))?.user).toBe('U0ALICE');
    expect(shiftAt(weekly, at('2025-12-09T12:00:00Z'))?.user).toBe('U0CAROL');
  });

  it('has no one on call without members', () => {
    expect(shiftAt({ ...weekly, members: [] }, at('2026-02-01T00:00:00Z'))).toBeUndefined();
  });

  it('keeps the handoff at 09:00 Berlin time when clocks go forward (2026-03-29)', () => {
    // Handoff Monday 2026-03-23 09:00 CET (08:00Z); the next is Monday 2026-03-30 09:00 CEST (07:00Z).
    const before = shiftAt(weekly, at('2026-03-29T12:00:00Z'))!;
    expect(before.from).toEqual(at('2026-03-23T08:00:00Z'));
    expect(before.until).toEqual(at('2026-03-30T07:00:00Z'));
    expect(before.until.getTime() - before.from.getTime()).toBe(7 * 86_400_000 - 3_600_000);
    expect(shiftAt(weekly, at('2026-03-30T06:59:00Z'))?.user).toBe(before.user);
    expect(shiftAt(weekly, at('2026-03-30T07:00:00Z'))?.from).toEqual(at('2026-03-30T07:00:00Z'));

    // Daily in Berlin, across the night the clocks change.
    const berlinDaily: Rotation = { ...weekly, every: 'daily' };
    expect(shiftAt(berlinDaily, at('2026-03-29T06:00:00Z'))).toMatchObject({ from: at('2026-03-28T08:00:00Z'), until: at('2026-03-29T07:00:00Z') });
    expect(shiftAt(berlinDaily, at('2026-03-29T07:00:00Z'))).toMatchObject({ from: at('2026-03-29T07:00:00Z'), until: at('2026-03-30T07:00:00Z') });
  });

  it('keeps the handoff at 09:00 Berlin time when clocks go back (2026-10-25)', () => {
    const berlinDaily: Rotation = { ...weekly, every: 'daily' };
    const across = shiftAt(berlinDaily, at('2026-10-25T03:00:00Z'))!;
    expect(across.from).toEqual(at('2026-10-24T07:00:00Z'));
    expect(across.until).toEqual(at('2026-10-25T08:00:00Z'));
    expect(across.until.getTime() - across.from.getTime()).toBe(25 * 3_600_000);
    expect(shiftAt(weekly, at('2026-10-25T12:00:00Z'))).toMatchObject({ from: at('2026-10-19T07:00:00Z'), until: at('2026-10-26T08:00:00Z') });
  });

  it('reads handoffs inside the DST gap and overlap predictably', () => {
    const night: Rotation = { ...weekly, every: 'daily', handoff: '02:30' };
    // 02:30 does not exist on 2026-03-29: the handoff is at 03:30 CEST (01:30Z).
    expect(shiftAt(night, at('2026-03-29T12:00:00Z'))?.from).toEqual(at('2026-03-29T01:30:00Z'));
    // 02:30 happens twice on 2026-10-25: the first one (CEST, 00:30Z).
    expect(shiftAt(night, at('2026-10-25T12:00:00Z'))?.from).toEqual(at('2026-10-25T00:30:00Z'));
    expect(shiftAt(night, at('2026-10-26T12:00:00Z'))?.from).toEqual(at('2026-10-26T01:30:00Z'));
  });

  it('reads the handoff in time zones west of UTC', () => {
    const ny: Rotation = { ...weekly, timezone: 'America/New_York', handoff: '21:00' };
    // 2026-01-05 21:00 EST is 2026-01-06 02:00 UTC.
    expect(shiftAt(ny, at('2026-01-06T02:00:00Z'))).toMatchObject({ user: 'U0ALICE', from: at('2026-01-06T02:00:00Z') });
    expect(shiftAt(ny, at('2026-01-06T01:59:00Z'))?.user).toBe('U0CAROL');
  });
});

describe('onCallAt', () => {
  const now = at('2026-01-07T12:00:00Z'); // Alice's week

  it('follows the schedule without overrides, or with ones for other rotations', () => {
    expect(onCallAt(weekly, now, [])).toEqual(shiftAt(weekly, now));
    expect(onCallAt(weekly, now, [override('U0DAVE', '2026-01-07T00:00:00Z', '2026-01-08T00:00:00Z', 'db')])?.user).toBe('U0ALICE');
  });

  it('lets a covering override win, with its own from and until', () => {
    const o = override('U0DAVE', '2026-01-07T10:00:00Z', '2026-01-07T14:00:00Z');
    expect(onCallAt(weekly, now, [o])).toEqual({ user: 'U0DAVE', from: o.startsAt, until: o.endsAt, override: o });
  });

  it('lets the latest created override win where they overlap', () => {
    const older = override('U0DAVE', '2026-01-07T00:00:00Z', '2026-01-08T00:00:00Z');
    const newer = override('U0ERIN', '2026-01-07T11:00:00Z', '2026-01-07T13:00:00Z');
    expect(onCallAt(weekly, now, [newer, older])?.user).toBe('U0ERIN');
    expect(onCallAt(weekly, at('2026-01-07T13:00:00Z'), [newer, older])).toMatchObject({ user: 'U0DAVE', from: at('2026-01-07T13:00:00Z'), until: older.endsAt });
  });

  it('hands back to the schedule when the override ends', () => {
    const o = override('U0DAVE', '2026-01-07T10:00:00Z', '2026-01-07T14:00:00Z');
    expect(onCallAt(weekly, at('2026-01-07T13:59:59Z'), [o])?.user).toBe('U0DAVE');
    expect(onCallAt(weekly, at('2026-01-07T14:00:00Z'), [o])).toEqual({ user: 'U0ALICE', from: o.endsAt, until: at('2026-01-12T08:00:00Z') });
    // A scheduled shift ends early where an override begins.
    expect(onCallAt(weekly, at('2026-01-07T09:00:00Z'), [o])).toEqual({ user: 'U0ALICE', from: at('2026-01-05T08:00:00Z'), until: o.startsAt });
  });

  it('puts the override on call even when the rotation has no members', () => {
    const empty = { ...weekly, members: [] };
    expect(onCallAt(empty, now, [])).toBeUndefined();
    expect(onCallAt(empty, now, [override('U0DAVE', '2026-01-07T10:00:00Z', '2026-01-07T14:00:00Z')])?.user).toBe('U0DAVE');
  });
});

describe('nextShifts', () => {
  it('lists now and next from the schedule', () => {
    const shifts = nextShifts(weekly, at('2026-01-07T12:00:00Z'), [], 3);
    expect(shifts.map((s) => [s.user, s.from.toISOString()])).toEqual([
      ['U0ALICE', '2026-01-05T08:00:00.000Z'],
      ['U0BOB', '2026-01-12T08:00:00.000Z'],
      ['U0CAROL', '2026-01-19T08:00:00.000Z'],
    ]);
  });

  it('puts an upcoming override between the scheduled shifts', () => {
    const o = override('U0DAVE', '2026-01-08T10:00:00Z', '2026-01-08T14:00:00Z');
    const shifts = nextShifts(weekly, at('2026-01-07T12:00:00Z'), [o], 4);
    expect(shifts.map((s) => [s.user, s.from.toISOString(), s.until.toISOString(), Boolean(s.override)])).toEqual([
      ['U0ALICE', '2026-01-05T08:00:00.000Z', '2026-01-08T10:00:00.000Z', false],
      ['U0DAVE', '2026-01-08T10:00:00.000Z', '2026-01-08T14:00:00.000Z', true],
      ['U0ALICE', '2026-01-08T14:00:00.000Z', '2026-01-12T08:00:00.000Z', false],
      ['U0BOB', '2026-01-12T08:00:00.000Z', '2026-01-19T08:00:00.000Z', false],
    ]);
  });

  it('is empty for a rotation without members or overrides', () => {
    expect(nextShifts({ ...weekly, members: [] }, at('2026-01-07T12:00:00Z'), [], 2)).toEqual([]);
    expect(nextShifts(weekly, at('2026-01-07T12:00:00Z'), [], 0)).toEqual([]);
  });
});
