// `diag all` for the terminal: the summary lines, then the full report of each target that needs
// attention.
import type { ReportSet } from '../report.ts';
import { toDisplaySummary } from './display-summary.ts';
import { renderReportText } from './report-text.ts';
import { TAG_WIDTH, terminalStyle } from './terminal-style.ts';

export function renderSummaryText(set: ReportSet, options: { color: boolean }): string {
  const d = toDisplaySummary(set);
  const { paint, tag, dim, status } = terminalStyle(options.color);
  const lines = [`${tag(d.status)} ${paint('1', `diag all: ${d.headline}`)}`, `${' '.repeat(TAG_WIDTH)}${dim(`in ${d.duration} at ${d.startedAt}`)}`, ''];
  for (const l of d.sections.flat()) lines.push(`${tag(l.status)} ${paint('1', l.target)} (${l.kind}): ${l.text} ${dim(`[${l.duration}]`)}`);
  if (d.omittedLine) lines.push(dim(d.omittedLine));
  if (d.okLine) lines.push(status('ok', d.okLine));
  const details = set.reports.filter((r) => r.status !== 'ok').map((r) => renderReportText(r, options));
  return [`${lines.join('\n')}\n`, ...details].join(`\n${dim('─'.repeat(60))}\n\n`);
}
