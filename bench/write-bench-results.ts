// Writes the results of `npm run bench` to bench/results.md, and the same rows as data to
// bench/results.json beside it. A run of some parts only (BENCH_ONLY=soak) replaces the rows of
// those parts and keeps every other part's rows from the earlier runs, each part still said with
// the date and machine load of the run that measured it: one part can be measured again on a quiet
// machine without running the others again, and the table never mixes runs without saying so.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { benchResults, type BenchRun, type PartRun } from './bench-results.ts';

interface StoredRuns {
  version: 1;
  parts: PartRun[];
}

/** The data file kept beside the Markdown one (`results.md` -> `results.json`). */
export function benchDataFile(markdownFile: string): string {
  return markdownFile.replace(/\.md$/, '') + '.json';
}

/** The earlier runs' parts from the data file; none when it is missing or not ours (a warning says why). */
export function readStoredRuns(file: string, warn: (line: string) => void): PartRun[] {
  if (!existsSync(file)) return [];
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as Partial<StoredRuns>;
    if (data.version !== 1 || !Array.isArray(data.parts)) throw new Error('not a version 1 results file');
    return data.parts.filter((p) => typeof p?.part === 'string' && Array.isArray(p.rows));
  } catch (err) {
    warn(`${file}: ${(err as Error).message}; the other parts' earlier rows are not kept`);
    return [];
  }
}

/**
 * The parts of this run, then the earlier runs' parts this run did not measure, in `order` (the
 * bench's own order of parts). Returns the Markdown written.
 */
export function writeBenchResults(a: { file: string; run: BenchRun; order: readonly string[]; warn: (line: string) => void }): string {
  const dataFile = benchDataFile(a.file);
  const now = a.run.parts.map((part): PartRun => ({
    part,
    startedAt: a.run.startedAt.toISOString(),
    endedAt: a.run.endedAt.toISOString(),
    loadAtStart: [...a.run.loadAtStart],
    loadAtEnd: os.loadavg(),
    rows: a.run.rows.filter((r) => r.part === part),
  }));
  const kept = readStoredRuns(dataFile, a.warn).filter((p) => !a.run.parts.includes(p.part));
  const rank = (part: string) => (a.order.includes(part) ? a.order.indexOf(part) : a.order.length);
  const parts = [...now, ...kept].sort((x, y) => rank(x.part) - rank(y.part));
  const markdown = benchResults(a.run, kept, parts.flatMap((p) => p.rows));
  writeFileSync(a.file, markdown);
  writeFileSync(dataFile, `${JSON.stringify({ version: 1, parts } satisfies StoredRuns, null, 1)}\n`);
  return markdown;
}
