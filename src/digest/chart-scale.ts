// Axis scales and ticks for the trend chart. All dates are handled in UTC so the output does not
// depend on the machine's time zone.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TIME_STEPS = [HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 28 * DAY];
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export interface TimeTick {
  at: number;
  label: string;
}

function pad2(v: number): string {
  return String(v).padStart(2, '0');
}

/** "Tue 3 Jun" */
export function formatDay(ms: number): string {
  const d = new Date(ms);
  return `${WEEKDAYS[d.getUTCDay()]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
}

/** "2025-06-03 06:00" */
export function formatDateTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
}

/**
 * Ticks over [from, to] at UTC-aligned steps (day ticks at UTC midnight for a week), the smallest
 * step that gives at most maxTicks ticks.
 */
export function timeTicks(from: number, to: number, maxTicks: number): TimeTick[] {
  const span = to - from;
  const limit = Math.max(2, maxTicks);
  const step = TIME_STEPS.find((s) => span / s <= limit) ?? Math.ceil(span / limit / DAY) * DAY;
  const ticks: TimeTick[] = [];
  for (let at = Math.ceil(from / step) * step; at <= to; at += step) {
    const label = at % DAY === 0 ? formatDay(at) : `${pad2(new Date(at).getUTCHours())}:00`;
    ticks.push({ at, label });
  }
  return ticks;
}

/** Rounds up to 1, 2, 2.5 or 5 times a power of ten. */
function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

export interface ValueScale {
  min: number;
  max: number;
  ticks: number[];
}

/** A scale from 0 to a round maximum at or above maxValue, with about four steps. */
export function valueScale(maxValue: number, integerSteps: boolean): ValueScale {
  const top = Number.isFinite(maxValue) && maxValue > 0 ? maxValue : 1;
  let step = niceStep(top / 4);
  if (integerSteps) step = Math.max(1, Math.ceil(step));
  const max = Math.ceil(top / step - 1e-9) * step;
  return { min: 0, max, ticks: stepTicks(0, max, step) };
}

/** Smallest span of a percentage axis, in points: a steady 99.9% is not drawn as noise. */
const MIN_PERCENT_SPAN = 5;

/**
 * A percentage axis fitted to what it shows (the values and the thresholds drawn as bands), within
 * 0-100: a cache hit rate falling from 99.5% to 97% spans most of the plot instead of a sliver at
 * the top of 0-100. At least MIN_PERCENT_SPAN points, a little room either side, round ends.
 */
export function percentScale(values: readonly number[]): ValueScale {
  const finite = values.filter((v) => Number.isFinite(v)).map((v) => Math.min(100, Math.max(0, v)));
  if (finite.length === 0) return { min: 0, max: 100, ticks: [0, 25, 50, 75, 100] };
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  const pad = Math.max((hi - lo) * 0.1, 0.5);
  lo -= pad;
  hi += pad;
  if (hi - lo < MIN_PERCENT_SPAN) {
    const mid = (lo + hi) / 2;
    lo = mid - MIN_PERCENT_SPAN / 2;
    hi = mid + MIN_PERCENT_SPAN / 2;
  }
  // Keep within 0-100, moving the window rather than shrinking it.
  if (hi > 100) [lo, hi] = [lo - (hi - 100), 100];
  if (lo < 0) [lo, hi] = [0, Math.min(100, hi - lo)];
  const step = niceStep((hi - lo) / 4);
  const min = Math.max(0, Math.floor(lo / step + 1e-9) * step);
  const max = Math.min(100, Math.ceil(hi / step - 1e-9) * step);
  return { min: round6(min), max: round6(max), ticks: stepTicks(min, max, step) };
}

function stepTicks(min: number, max: number, step: number): number[] {
  const ticks: number[] = [];
  for (let i = 0; min + i * step <= max + 1e-9; i++) ticks.push(round6(min + i * step));
  return ticks;
}

function round6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

/** Axis label text: 1200 -> "1.2k", 2.5 -> "2.5". */
export function formatValue(v: number): string {
  if (Math.abs(v) >= 10_000) return `${Math.round(v / 1000)}k`;
  if (Math.abs(v) >= 1000) return `${Math.round(v / 100) / 10}k`;
  return String(Math.round(v * 100) / 100);
}
