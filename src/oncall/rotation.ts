// On-call rotations as configured: members take turns, handing over at a local time of day, daily
// or weekly, counted from a start date. Overrides (stored, set with /oncall override) win while
// they last. Pure: the time is an argument.

import { localParts, localTime } from '../local-time.ts';

export interface Rotation {
  name: string;
  /** Slack user ids, in turn order. */
  members: string[];
  every: 'daily' | 'weekly';
  /** Local time of the handoff, "HH:MM". */
  handoff: string;
  /** IANA time zone the handoff is read in. */
  timezone: string;
  /** Local date ("YYYY-MM-DD") whose handoff starts the first member's shift. */
  start: string;
}

export interface Override {
  rotation: string;
  user: string;
  startsAt: Date;
  endsAt: Date;
  createdBy: string;
}

export interface OnCallShift {
  user: string;
  from: Date;
  until: Date;
  /** Set when an override put this person on call. */
  override?: Override;
}

const DAY_MS = 86_400_000;

/** Who the schedule alone puts on call at `at`; undefined when the rotation has no members. */
export function shiftAt(rotation: Rotation, at: Date): OnCallShift | undefined {
  const n = rotation.members.length;
  if (n === 0) return undefined;
  const days = rotation.every === 'daily' ? 1 : 7;
  const [sy, sm, sd] = rotation.start.split('-').map(Number) as [number, number, number];
  const [hh, mm] = rotation.handoff.split(':').map(Number) as [number, number];
  // Shifts are counted in local calendar days, so a handoff keeps its wall-clock time across DST.
  const begin = (k: number): Date => new Date(localTime(rotation.timezone, sy, sm, sd + k * days, hh, mm));
  const local = localParts(rotation.timezone, at.getTime());
  const dayDiff = Math.round((Date.UTC(local.year, local.month - 1, local.day) - Date.UTC(sy, sm - 1, sd)) / DAY_MS);
  let k = Math.floor(dayDiff / days);
  while (at < begin(k)) k--;
  while (at >= begin(k + 1)) k++;
  // Before the start, k is negative: the turn order runs backwards from the first member.
  return { user: rotation.members[((k % n) + n) % n]!, from: begin(k), until: begin(k + 1) };
}

/**
 * Who is on call at `at`: an override covering it wins over the schedule. `overrides` are latest
 * created first (as OverrideStore returns them), so among overlapping ones the first wins. The
 * shift's from/until are the override's, or the schedule's cut where an override begins or ends.
 */
export function onCallAt(rotation: Rotation, at: Date, overrides: readonly Override[]): OnCallShift | undefined {
  const own = overrides.filter((o) => o.rotation === rotation.name);
  const winner = own.findIndex((o) => covers(o, at));
  if (winner >= 0) {
    const o = own[winner]!;
    // Only overrides created later (earlier in the list) interrupt this one.
    return clip({ user: o.user, from: o.startsAt, until: o.endsAt, override: o }, at, own.slice(0, winner));
  }
  const scheduled = shiftAt(rotation, at);
  return scheduled && clip(scheduled, at, own);
}

/** The shift at `at` and the ones after it, `count` at most: "now and next". */
export function nextShifts(rotation: Rotation, at: Date, overrides: readonly Override[], count: number): OnCallShift[] {
  const shifts: OnCallShift[] = [];
  let t = at;
  while (shifts.length < count) {
    const shift = onCallAt(rotation, t, overrides);
    if (!shift) break;
    shifts.push(shift);
    t = shift.until;
  }
  return shifts;
}

function covers(o: Override, at: Date): boolean {
  return o.startsAt <= at && at < o.endsAt;
}

/** Narrows a shift to the part around `at` that none of `interrupting` takes over. */
function clip(shift: OnCallShift, at: Date, interrupting: readonly Override[]): OnCallShift {
  let { from, until } = shift;
  for (const o of interrupting) {
    if (o.startsAt > at && o.startsAt < until) until = o.startsAt;
    if (o.endsAt <= at && o.endsAt > from) from = o.endsAt;
  }
  return { ...shift, from, until };
}

