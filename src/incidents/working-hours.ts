// Working hours: the days and local hours in which a ladder step marked `during: working-hours`
// may page. A step that falls due outside them pages at the next start of working hours. Pure:
// the time is an argument; the hours are read in their own IANA time zone, DST included.

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface WorkingHours {
  days: Weekday[];
  /** Local start, "HH:MM". */
  from: string;
  /** Local end, "HH:MM", later than `from` on the same day. */
  to: string;
  /** IANA time zone the hours are read in. */
  timezone: string;
}

/** Monday to Friday, 09:00 to 17:00 UTC. */
export const DEFAULT_WORKING_HOURS: WorkingHours = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00', timezone: 'UTC' };

const DAY_MS = 86_400_000;

/** `at` itself when it is within working hours, else the next start of working hours. */
export function nextWorkingTime(at: number, hours: WorkingHours): number {
  const local = localParts(hours.timezone, at);
  const [fh, fm] = hours.from.split(':').map(Number) as [number, number];
  const [th, tm] = hours.to.split(':').map(Number) as [number, number];
  // A week and a day ahead always holds a working day (the config refuses an empty list).
  for (let d = 0; d <= 8; d++) {
    const weekday = WEEKDAYS[(new Date(Date.UTC(local.year, local.month - 1, local.day + d)).getUTCDay() + 6) % 7]!;
    if (!hours.days.includes(weekday)) continue;
    const start = localTime(hours.timezone, local.year, local.month, local.day + d, fh, fm);
    const end = localTime(hours.timezone, local.year, local.month, local.day + d, th, tm);
    if (at < start) return start;
    if (at < end) return at;
  }
  return at;
}

/** "mon-fri 09:00-17:00 Europe/Berlin". */
export function describeWorkingHours(hours: WorkingHours): string {
  return `${describeDays(hours.days)} ${hours.from}-${hours.to} ${hours.timezone}`;
}

function describeDays(days: readonly Weekday[]): string {
  const sorted = WEEKDAYS.filter((d) => days.includes(d));
  const first = WEEKDAYS.indexOf(sorted[0]!);
  const consecutive = sorted.length > 2 && sorted.every((d, n) => WEEKDAYS.indexOf(d) === first + n);
  return consecutive ? `${sorted[0]}-${sorted.at(-1)}` : sorted.join(',');
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
 * The instant a local wall-clock time happens (day may overflow the month). A time repeated when
 * clocks go back is its first occurrence; one skipped when they go forward is read with the offset
 * from before the change (02:30 becomes 03:30).
 */
function localTime(timeZone: string, year: number, month: number, day: number, hour: number, minute: number): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const before = offsetAt(timeZone, wall - DAY_MS);
  const after = offsetAt(timeZone, wall + DAY_MS);
  const first = wall - before;
  if (offsetAt(timeZone, first) === before) return first;
  const second = wall - after;
  return offsetAt(timeZone, second) === after ? second : first;
}
