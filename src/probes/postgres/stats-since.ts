// How a finding says since when a cumulative statistics view has counted: its stats_reset as a
// UTC minute, or that the counters were never reset.

/** "since stats reset 2026-12-01 09:30 UTC", or "since the statistics began" when never reset. */
export function statsSince(reset: Date | null): string {
  return reset ? `since stats reset ${utcMinute(reset)}` : 'since the statistics began';
}

/** "2026-12-01 09:30 UTC". */
export function utcMinute(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
