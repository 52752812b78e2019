// A bench run of some parts replaces those parts' rows in bench/results.md and keeps the others'
// from earlier runs, said with the date and load of the run that measured them.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchDataFile, writeBenchResults } from '../../bench/write-bench-results.ts';
import type { BenchRow } from '../../bench/bench-row.ts';

const ORDER = ['report', 'ack', 'soak'];
const row = (part: string, median: number): BenchRow => ({ part, name: `${part} bench`, figure: 'time', unit: 'ms', median });
const run = (parts: string[], rows: BenchRow[], at: string) => ({ startedAt: new Date(at), endedAt: new Date(at), parts, loadAtStart: [0.5, 0.25, 0.125], rows });

describe('writing the bench results', () => {
  it('a run of one part replaces its rows and keeps the other parts of the earlier run, naming their run', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-results-')), 'results.md');
    const warnings: string[] = [];
    const warn = (l: string) => warnings.push(l);
    writeBenchResults({ file, run: run(['report', 'ack', 'soak'], [row('report', 10), row('ack', 3), row('soak', 500)], '2026-12-01T10:00:00Z'), order: ORDER, warn });
    const first = readFileSync(file, 'utf8');
    expect(first).not.toContain('Kept from earlier runs');
    expect(first).toContain('| soak | soak bench | time | - | 500 ms |');

    writeBenchResults({ file, run: run(['soak'], [row('soak', 60)], '2026-12-02T12:00:00Z'), order: ORDER, warn });
    const second = readFileSync(file, 'utf8');
    expect(second).toContain('- Parts run: soak');
    expect(second).toMatch(/Kept from earlier runs \(not measured by this one\): report, ack \(the run of 2026-12-01T10:00:00\.000Z, load 0\.50 \/ 0\.25 \/ 0\.13 at its start, [\d.]+ \/ [\d.]+ \/ [\d.]+ at its end\)\n/);
    // The new soak figure replaced the old one; the others kept, in the bench's order.
    expect(second).toContain('| soak | soak bench | time | - | 60.0 ms |');
    expect(second).not.toContain('500 ms');
    const parts = second.split('\n').filter((l) => /^\| (report|ack|soak) \|/.test(l)).map((l) => l.split('|')[1]!.trim());
    expect(parts).toEqual(['report', 'ack', 'soak']);
    expect(warnings).toEqual([]);
  });

  it('an unreadable data file is said and the table holds this run only', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-results-')), 'results.md');
    writeFileSync(benchDataFile(file), '{ not json');
    const warnings: string[] = [];
    writeBenchResults({ file, run: run(['ack'], [row('ack', 3)], '2026-12-02T12:00:00Z'), order: ORDER, warn: (l) => warnings.push(l) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("the other parts' earlier rows are not kept");
    const md = readFileSync(file, 'utf8');
    expect(md.split('\n').filter((l) => /^\| (report|ack|soak) \|/.test(l))).toHaveLength(1);
    expect(JSON.parse(readFileSync(benchDataFile(file), 'utf8')).parts.map((p: { part: string }) => p.part)).toEqual(['ack']);
  });
});
