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
  max: number;
  ticks: number[];
}

/** A scale from 0 to a round maximum at or above maxValue, with about four steps. */
export function valueScale(maxValue: number, integerSteps: boolean): ValueScale {
  const top = Number.isFinite(maxValue) && maxValue > 0 ? maxValue : 1;
  let step = niceStep(top / 4);
  if (integerSteps) step = Math.max(1, Math.ceil(step));
  const max = Math.ceil(top / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let i = 0; i * step <= max + 1e-9; i++) ticks.push(Math.round(i * step * 1e6) / 1e6);
  return { max, ticks };
}

export const PERCENT_SCALE: ValueScale = { max: 100, ticks: [0, 25, 50, 75, 100] };

/** Axis label text: 1200 -> "1.2k", 2.5 -> "2.5". */
export function formatValue(v: number): string {
  if (Math.abs(v) >= 10_000) return `${Math.round(v / 1000)}k`;
  if (Math.abs(v) >= 1000) return `${Math.round(v / 100) / 10}k`;
  return String(Math.round(v * 100) / 100);
}
