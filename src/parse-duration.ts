// Durations as people write them in config and commands: "15m", "1h", "90s", "1d", "1h30m",
// "500ms". Anything else is refused with the accepted form.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;

/** Milliseconds, or undefined when `text` is not a duration. */
export function parseDuration(text: string): number | undefined {
  const s = text.trim().toLowerCase();
  if (s === '' || s === '0') return s === '0' ? 0 : undefined;
  PART.lastIndex = 0;
  let total = 0;
  let end = 0;
  for (let m = PART.exec(s); m; m = PART.exec(s)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    end = PART.lastIndex;
  }
  return end === s.length ? Math.round(total) : undefined;
}

export const DURATION_FORMS = 'a duration like 30s, 15m, 1h, 1h30m, 1d or 1w';
