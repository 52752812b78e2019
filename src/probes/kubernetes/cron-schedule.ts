// A CronJob's schedule as the Kubernetes controller reads it (robfig/cron's standard parser): five
// fields (minute hour day-of-month month day-of-week) with lists, ranges, steps and names, the
// @yearly/@monthly/@weekly/@daily/@hourly macros, @every <duration>, and a time zone (the
// CronJob's spec.timeZone, or a CRON_TZ=/TZ= prefix). It answers one question: when is the next
// run after a given moment, so the cronjobs check can count the runs a CronJob missed.

/** A schedule that cannot be parsed: the message names the part at fault. */
export class CronScheduleError extends Error {
  override name = 'CronScheduleError';
}

export interface CronSchedule {
  /** The first run strictly after `afterMs` (ms since the epoch), or undefined when it never runs (Feb 30). */
  next(afterMs: number): number | undefined;
  /** The zone the fields are read in: the CronJob's, or UTC. */
  timeZone: string;
}

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const MINUTE_MS = 60_000;
/** Steps of the search for a next run before it gives up (a date that never comes, like Feb 30). */
const MAX_STEPS = 20_000;

interface Field {
  values: boolean[];
  /** `*` or `?` without a step: for the day-of-month / day-of-week rule. */
  star: boolean;
}

interface FieldSpec {
  label: string;
  min: number;
  max: number;
  names?: string[];
  /** Day-of-week: 7 is Sunday too. */
  sevenIsZero?: boolean;
}

const SPECS: FieldSpec[] = [
  { label: 'minute', min: 0, max: 59 },
  { label: 'hour', min: 0, max: 23 },
  { label: 'day of month', min: 1, max: 31 },
  { label: 'month', min: 1, max: 12, names: MONTHS },
  { label: 'day of week', min: 0, max: 6, names: DAYS, sevenIsZero: true },
];

function valueOf(word: string, spec: FieldSpec, whole: string): number {
  const lower = word.toLowerCase();
  const named = spec.names?.indexOf(lower) ?? -1;
  if (named >= 0) return named + (spec.label === 'month' ? 1 : 0);
  if (!/^\d+$/.test(word)) throw new CronScheduleError(`"${word}" in the ${spec.label} field of "${whole}" is not a number${spec.names ? ' or a name' : ''}`);
  let n = Number(word);
  if (spec.sevenIsZero && n === 7) n = 0;
  if (n < spec.min || n > spec.max) throw new CronScheduleError(`${word} in the ${spec.label} field of "${whole}" is outside ${spec.min}-${spec.max}`);
  return n;
}

function parseField(text: string, spec: FieldSpec, whole: string): Field {
  const values = new Array<boolean>(spec.max + 1).fill(false);
  let star = false;
  for (const part of text.split(',')) {
    const [range, stepText, extra] = part.split('/');
    if (extra !== undefined || !range) throw new CronScheduleError(`"${part}" in the ${spec.label} field of "${whole}" is not a value, range or step`);
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) throw new CronScheduleError(`step "${stepText}" in the ${spec.label} field of "${whole}" is not a positive number`);
      step = Number(stepText);
    }
    let start: number;
    let end: number;
    if (range === '*' || range === '?') {
      start = spec.min;
      end = spec.max;
      if (step === 1) star = true;
    } else if (range.includes('-')) {
      const [a, b, more] = range.split('-');
      if (more !== undefined || !a || !b) throw new CronScheduleError(`"${range}" in the ${spec.label} field of "${whole}" is not a range`);
      start = valueOf(a, spec, whole);
      // 5-7 in day-of-week: 7 is Sunday, the end of the week.
      end = spec.sevenIsZero && b === '7' ? 7 : valueOf(b, spec, whole);
      if (start > end) throw new CronScheduleError(`range "${range}" in the ${spec.label} field of "${whole}" ends before it starts`);
    } else {
      start = valueOf(range, spec, whole);
      // "5/15" means from 5 to the end, every 15.
      end = stepText !== undefined ? spec.max : start;
    }
    for (let v = start; v <= end; v += step) values[spec.sevenIsZero && v === 7 ? 0 : v] = true;
  }
  return { values, star };
}

/** Go durations as @every takes them: 1h30m, 90s, 2h. */
function parseDuration(text: string, whole: string): number {
  const units: Record<string, number> = { ms: 1, s: 1_000, m: MINUTE_MS, h: 3_600_000 };
  let ms = 0;
  let rest = text;
  while (rest.length > 0) {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)/.exec(rest);
    if (!m) throw new CronScheduleError(`"${text}" in "${whole}" is not a duration like 1h30m`);
    ms += Number(m[1]) * units[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  if (ms < 1_000) throw new CronScheduleError(`"${whole}": @every needs at least one second`);
  return Math.floor(ms / 1_000) * 1_000;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    } catch {
      throw new CronScheduleError(`time zone "${timeZone}" is not known (an IANA name like Europe/Berlin is expected)`);
    }
    formats.set(timeZone, f);
  }
  return f;
}

/** The wall clock of `ms` in the zone, as if it were UTC (so UTC getters read the zone's fields). */
function wallClock(ms: number, timeZone: string): number {
  if (timeZone === 'UTC') return ms;
  const parts: Record<string, number> = {};
  for (const p of formatFor(timeZone).formatToParts(new Date(ms))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!) + (ms % 1_000 + 1_000) % 1_000;
}

const HOUR_MS = 3_600_000;

/**
 * The instants a wall-clock time of the zone happens, earliest first: none in the gap when the
 * clock is moved forward (robfig/cron skips those runs), two in the hour repeated when it is moved
 * back (robfig/cron runs at both). A zone changes its offset at most once within a day.
 */
function instantsOf(wall: number, timeZone: string): number[] {
  if (timeZone === 'UTC') return [wall];
  const offsets = new Set([wall - 12 * HOUR_MS, wall + 12 * HOUR_MS].map((x) => wallClock(x, timeZone) - x));
  if (offsets.size === 1) return [wall - [...offsets][0]!];
  return [...offsets].map((o) => wall - o).filter((at) => wallClock(at, timeZone) === wall).sort((a, b) => a - b);
}

export function parseCronSchedule(expression: string, timeZone?: string): CronSchedule {
  let expr = expression.trim();
  let zone = timeZone;
  const prefix = /^(?:CRON_TZ|TZ)=(\S+)\s+/.exec(expr);
  if (prefix) {
    zone ??= prefix[1];
    expr = expr.slice(prefix[0].length);
  }
  const tz = zone ?? 'UTC';
  if (tz !== 'UTC') formatFor(tz);
  const every = /^@every\s+(\S+)$/i.exec(expr);
  if (every) {
    const ms = parseDuration(every[1]!, expression);
    return { timeZone: tz, next: (after) => after - (after % 1_000) + ms };
  }
  if (expr.startsWith('@')) {
    const macro = MACROS[expr.toLowerCase()];
    if (!macro) throw new CronScheduleError(`"${expr}" is not a schedule macro (@yearly, @monthly, @weekly, @daily, @hourly or @every <duration>)`);
    expr = macro;
  }
  const words = expr.split(/\s+/);
  if (words.length !== 5) throw new CronScheduleError(`"${expression}" has ${words.length} fields; a schedule has 5 (minute hour day-of-month month day-of-week) or is a macro like @hourly`);
  const [minute, hour, dom, month, dow] = words.map((w, i) => parseField(w, SPECS[i]!, expression)) as [Field, Field, Field, Field, Field];
  const dayMatches = (d: Date) =>
    dom.star || dow.star ? dom.values[d.getUTCDate()]! && dow.values[d.getUTCDay()]! : dom.values[d.getUTCDate()]! || dow.values[d.getUTCDay()]!;
  return {
    timeZone: tz,
    next(after) {
      // When the clock is moved back within the next hour, wall times before `after`'s come again:
      // the search starts that much earlier (runs at or before `after` are passed over).
      const offset = wallClock(after, tz) - after;
      const back = tz === 'UTC' ? 0 : Math.max(0, offset - (wallClock(after + HOUR_MS, tz) - (after + HOUR_MS)));
      let wall = Math.floor((offset + after - back) / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
      for (let steps = 0; steps < MAX_STEPS; steps++) {
        const d = new Date(wall);
        const [y, mo, day, h] = [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours()];
        if (!month.values[mo + 1]) wall = Date.UTC(y, mo + 1, 1);
        else if (!dayMatches(d)) wall = Date.UTC(y, mo, day + 1);
        else if (!hour.values[h]) wall = Date.UTC(y, mo, day, h + 1);
        else if (!minute.values[d.getUTCMinutes()]) wall += MINUTE_MS;
        else {
          const at = instantsOf(wall, tz).find((i) => i > after);
          if (at !== undefined) return at;
          wall += MINUTE_MS;
        }
      }
      return undefined;
    },
  };
}
