// A rate in percent as the email checks show it: small rates keep their decimals (0.05%), since
// the thresholds that matter for spam reports are tenths of a percent.

/** 0.047 -> "0.05%", 6.25 -> "6.3%", 12 -> "12%". */
export function formatRate(pct: number): string {
  if (pct === 0) return '0%';
  if (pct < 1) return `${Number(pct.toFixed(2)) === 0 ? '<0.01' : pct.toFixed(2)}%`;
  if (pct < 10) return `${pct.toFixed(1)}%`;
  return `${Math.round(pct)}%`;
}
