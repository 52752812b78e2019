// Wall-clock time in an IANA time zone, with nothing but Intl: the local date and time of an
// instant, and the instant a local date and time happens (daylight saving changes included).
// Rotations (hand-overs at a local time) and incident working hours read time through it.

const DAY_MS = 86_400_000;

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

export function localParts(timeZone: string, ms: number): LocalParts {
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
export function localTime(timeZone: string, year: number, month: number, day: number, hour: number, minute: number): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const before = offsetAt(timeZone, wall - DAY_MS);
  const after = offsetAt(timeZone, wall + DAY_MS);
  const first = wall - before;
  if (offsetAt(timeZone, first) === before) return first;
  const second = wall - after;
  return offsetAt(timeZone, second) === after ? second : first;
}
