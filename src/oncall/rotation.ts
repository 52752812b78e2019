// On-call rotations as configured: members take turns, handing over at a local time of day, daily
// or weekly, counted from a start date. Overrides (stored, set with /oncall override) win while
// they last. Pure: the time is an argument.

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
  const begin = (k: number): Date => localTime(rotation.timezone, sy, sm, sd + k * days, hh, mm);
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

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function localParts(timeZone: string, ms: number): LocalParts {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formats.set(timeZone, format);
  }
  const parts: Record<string, number> = {};
  for (const p of format.formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return parts as unknown as LocalParts;
}

/** Milliseconds the zone is ahead of UTC at the instant `ms`. */
function offsetAt(timeZone: string, ms: number): number {
  const p = localParts(timeZone, ms);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant a local wall-clock time happens in `timeZone` (day may overflow the month). A time
 * repeated when clocks go back is its first occurrence; one skipped when they go forward is read
 * with the offset from before the change (02:30 becomes 03:30).
 */
function localTime(timeZone: string, year: number, month: number, day: number, hour: number, minute: number): Date {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const before = offsetAt(timeZone, wall - DAY_MS);
  const after = offsetAt(timeZone, wall + DAY_MS);
  // The earlier offset when it still names this wall time, else the later one.
  const first = wall - before;
  if (offsetAt(timeZone, first) === before) return new Date(first);
  const second = wall - after;
  return new Date(offsetAt(timeZone, second) === after ? second : first);
}
