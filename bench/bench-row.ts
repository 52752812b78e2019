// One line of the benchmark table that `npm run bench` prints at the end and writes to
// bench/results.md: a figure a part measured, with its target when it has one.

/** How a figure's numbers are shown: `ms` milliseconds, `MB`/`MiB` memory, `x` a ratio, `/s` a rate, `MB/min` a trend, `` a count. */
export type BenchUnit = 'ms' | 's' | 'MB' | 'MiB' | 'x' | '/s' | 'MB/min' | '';

export interface BenchRow {
  /** The BENCH_ONLY word of the part that measured it (`report`, `ack`, `soak`...). */
  part: string;
  /** What was measured, in a few words (`/diag db, 2,000 tables`). */
  name: string;
  /** The figure: `report time`, `ack p99`, `RSS growth`... */
  figure: string;
  unit?: BenchUnit;
  /** A single measured value (a count, a memory figure, a slope) when there is no distribution. */
  value?: number;
  median?: number;
  p95?: number;
  p99?: number;
  /** This figure over the one it is compared with in the same run (`/diag db` over bare Bolt). */
  ratio?: number;
  /** The target as words (`<= 1.5x`, `p99 < 1 s`); absent when the figure has none. */
  target?: string;
  /** Whether the target is met; absent when there is no target or it could not be judged. */
  met?: boolean;
  /** Set when the figure could not be measured here: the reason, shown instead of numbers. */
  skipped?: string;
  /** Set when the part failed: what went wrong. */
  failed?: string;
  /** Anything the reader needs to weigh the figure (runs, machine load, what the ratio compares). */
  note?: string;
}
