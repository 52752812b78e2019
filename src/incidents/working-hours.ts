// Working hours: the days and local hours in which a ladder step marked `during: working-hours`
// may page. A step that falls due outside them pages at the next start of working hours. Pure:
// the time is an argument; the hours are read in their own IANA time zone, DST included.

import { localParts, localTime } from '../local-time.ts';

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

