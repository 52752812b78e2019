// The benchmark table as Markdown: one row per figure, the same text printed at the end of
// `npm run bench` and written to bench/results.md.
import type { BenchRow, BenchUnit } from './bench-row.ts';

const COLUMNS = ['Part', 'Benchmark', 'Figure', 'Value', 'Median', 'p95', 'p99', 'Ratio', 'Target', 'Met', 'Note'] as const;

/** A number in its unit, with the precision that unit deserves; `-` when there is none. */
export function formatFigure(v: number | undefined, unit: BenchUnit = ''): string {
  if (v === undefined) return '-';
  if (!Number.isFinite(v)) return String(v);
  switch (unit) {
    case 'ms':
      return `${v.toFixed(Math.abs(v) >= 100 ? 0 : 1)} ms`;
    case 's':
      return `${v.toFixed(2)} s`;
    case 'x':
      return `${v.toFixed(2)}x`;
    case 'MB':
    case 'MiB':
      return `${v.toFixed(1)} ${unit}`;
    case 'MB/min':
      return `${v.toFixed(2)} MB/min`;
    case '/s':
      return `${v.toFixed(0)}/s`;
    default:
      return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toFixed(2);
  }
}

function metCell(row: BenchRow): string {
  if (row.failed !== undefined) return 'FAILED';
  if (row.skipped !== undefined) return 'skipped';
  if (row.target === undefined) return '-';
  if (row.met === undefined) return 'unknown';
  return row.met ? 'yes' : 'NO';
}

// A `|` inside a cell would end it; line breaks would end the row.
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

export function formatBenchTable(rows: readonly BenchRow[]): string {
  const lines = [`| ${COLUMNS.join(' | ')} |`, `|${COLUMNS.map(() => '---').join('|')}|`];
  for (const row of rows) {
    const note = [row.failed && `failed: ${row.failed}`, row.skipped && `not measured: ${row.skipped}`, row.note].filter(Boolean).join('; ');
    const values = [
      row.part,
      row.name,
      row.figure,
      formatFigure(row.value, row.unit),
      formatFigure(row.median, row.unit),
      formatFigure(row.p95, row.unit),
      formatFigure(row.p99, row.unit),
      formatFigure(row.ratio, 'x'),
      row.target ?? '-',
      metCell(row),
      note || '-',
    ];
    lines.push(`| ${values.map(cell).join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}
