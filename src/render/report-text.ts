// A diagnostics report for the terminal, from the same display model as the Slack message.
import { cutText, toDisplayReport } from './display-report.ts';
import type { DisplayFinding } from './display-report.ts';
import type { Report, Status } from '../report.ts';
import { TAG_WIDTH, terminalStyle } from './terminal-style.ts';

export interface ReportTextOptions {
  /** ANSI colours (red crit, yellow warn, grey unknown, green ok). */
  color: boolean;
}

const INDENT = ' '.repeat(TAG_WIDTH);

export function renderReportText(report: Report, options: ReportTextOptions): string {
  const d = toDisplayReport(report);
  const { paint, tag, dim, status } = terminalStyle(options.color);

  const lines: string[] = [`${tag(d.status)} ${paint('1', d.headline)}`, `${INDENT}${dim(`in ${d.duration} at ${d.startedAt}`)}`];
  for (const f of d.findings) lines.push('', ...findingLines(f, tag, dim));
  if (d.omittedLine || d.okLine) lines.push('');
  if (d.omittedLine) lines.push(dim(d.omittedLine));
  if (d.okLine) lines.push(status('ok', d.okLine));
  return `${lines.join('\n')}\n`;
}

function findingLines(f: DisplayFinding, tag: (s: Status) => string, dim: (t: string) => string): string[] {
  const lines = [`${tag(f.status)} ${f.title}`];
  for (const l of f.detail) lines.push(`${INDENT}${l}`);
  if (f.note) lines.push(`${INDENT}${dim(f.note)}`);
  for (const r of f.remedies) lines.push(`${INDENT}${dim('action:')} ${r.label} ${dim(`(${r.action}${formatParams(r.params)})`)}`);
  if (f.runbook) lines.push(`${INDENT}${dim('runbook:')} ${f.runbook.id}`);
  return lines;
}

function formatParams(params: Record<string, string | number>): string {
  return Object.entries(params)
    .map(([k, v]) => {
      // JSON quoting also escapes control characters, which must not reach the terminal raw.
      const shown = typeof v === 'string' && !/^[\w.:/@-]*$/.test(v) ? JSON.stringify(v) : String(v);
      return ` ${k}=${cutText(shown.replace(/[\u007f-\u009f]/g, '?'), 60)}`;
    })
    .join('');
}
