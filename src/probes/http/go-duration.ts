// Durations as Go writes them ("6m0s", "1h2m3.5s", "20ms"): how OpenAI-style rate-limit headers
// give their reset times.

const GO_DURATION = /^(?:\d+(?:\.\d+)?(?:h|ms|m|s|us|µs|ns))+$/;
const UNIT_S: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, µs: 1e-6, ns: 1e-9 };

/** Seconds, or undefined when `raw` is not a Go duration (or not a finite one). */
export function goDuration(raw: string): number | undefined {
  if (!GO_DURATION.test(raw)) return undefined;
  let total = 0;
  for (const m of raw.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) total += Number(m[1]) * UNIT_S[m[2]!]!;
  return Number.isFinite(total) ? total : undefined;
}
