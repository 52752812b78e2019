// The benchmark results as a Markdown document: when and where they were measured (cores, memory,
// Node, the load on the machine, which parts ran and with which BENCH_* settings), then the table.
// `npm run bench` prints it at the end and writes it to bench/results.md (write-bench-results.ts),
// with the rows of parts measured by earlier runs listed with their own date and load.
import os from 'node:os';
import type { BenchRow } from './bench-row.ts';
import { formatBenchTable } from './format-bench-table.ts';

export interface BenchRun {
  startedAt: Date;
  endedAt: Date;
  /** The parts that ran, by their BENCH_ONLY word. */
  parts: readonly string[];
  /** os.loadavg() when the run started: other work on the machine skews every figure. */
  loadAtStart: readonly number[];
  rows: readonly BenchRow[];
}

/** One part as a run measured it: kept in bench/results.json so that a later run of other parts keeps it. */
export interface PartRun {
  part: string;
  startedAt: string;
  endedAt: string;
  loadAtStart: number[];
  loadAtEnd: number[];
  rows: BenchRow[];
}

const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
const load = (l: readonly number[]) => l.map((v) => v.toFixed(2)).join(' / ');

/**
 * `kept`: parts this run did not measure, from earlier runs (their rows are in `rows` already,
 * in the table's order); each is listed with the date and load of its own run.
 */
export function benchResults(run: BenchRun, kept: readonly PartRun[] = [], rows: readonly BenchRow[] = run.rows): string {
  const cpus = os.cpus();
  const settings = Object.entries(process.env)
    .filter(([k]) => k.startsWith('BENCH_'))
    .map(([k, v]) => `${k}=${v}`)
    .sort();
  const minutes = (run.endedAt.getTime() - run.startedAt.getTime()) / 60_000;
  return [
    '# chatops benchmark results',
    '',
    `- Date: ${run.startedAt.toISOString()} (took ${minutes.toFixed(1)} min)`,
    `- Machine: ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown model'}), ${gib(os.totalmem())} memory, ${os.type()} ${os.release()}`,
    `- Node: ${process.version}`,
    `- Load average (1/5/15 min): ${load(run.loadAtStart)} at the start, ${load(os.loadavg())} at the end`,
    `- Parts run: ${run.parts.join(', ')}`,
    `- Settings: ${settings.length > 0 ? settings.join(', ') : 'defaults'}`,
    ...(kept.length > 0 ? [`- Kept from earlier runs (not measured by this one): ${keptRuns(kept)}`] : []),
    '',
    formatBenchTable(rows),
  ].join('\n');
}

/** The kept parts grouped by the run that measured them: "report, redis (run of <date>, load ...)". */
function keptRuns(kept: readonly PartRun[]): string {
  const runs = new Map<string, PartRun[]>();
  for (const p of kept) runs.set(p.startedAt, [...(runs.get(p.startedAt) ?? []), p]);
  return [...runs.values()]
    .map((parts) => `${parts.map((p) => p.part).join(', ')} (the run of ${parts[0]!.startedAt}, load ${load(parts[0]!.loadAtStart)} at its start, ${load(parts[0]!.loadAtEnd)} at its end)`)
    .join('; ');
}
