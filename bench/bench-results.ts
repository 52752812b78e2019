// The benchmark results as a Markdown document: when and where they were measured (cores, memory,
// Node, the load on the machine, which parts ran and with which BENCH_* settings), then the table.
// `npm run bench` prints it at the end and writes it to bench/results.md.
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

const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
const load = (l: readonly number[]) => l.map((v) => v.toFixed(2)).join(' / ');

export function benchResults(run: BenchRun): string {
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
    '',
    formatBenchTable(run.rows),
  ].join('\n');
}
