// `/diag all` as a neutral message: one line per target that needs attention, worst first, the
// healthy ones folded into one line. The full report of each of those targets goes in the thread
// under it (Slack), or follows it (`details: 'inline'`, a terminal).
import type { Budget } from '../message/budget.ts';
import { context, date, em, header, icon, line, strong, text, type Block, type Message, type Paragraph } from '../message/message.ts';
import { isConfigProblem, type ReportSet } from '../report.ts';
import { toDisplaySummary, type DisplaySummary, type SummaryLine } from './display-summary.ts';
import { reportMessage, type ReportMessageOptions } from './report-message.ts';
import { withCode } from './with-code.ts';

export interface SummaryMessageOptions {
  /** What the transport can show. */
  budget: Budget;
  /**
   * Where the report of each target that needs attention is: `thread` adds a line saying they are
   * in the thread (the caller posts them there); `inline` appends them, each after a divider.
   */
  details?: 'thread' | 'inline';
  /** For the reports appended with `details: 'inline'`. */
  reportOptions?: Omit<ReportMessageOptions, 'budget'>;
}

export function summaryMessage(set: ReportSet, options: SummaryMessageOptions): Message {
  const d = toDisplaySummary(set, options.budget);
  const blocks: Block[] = [header(`diag all: ${d.headline}`, d.status), context(`${countsText(d)} · in ${d.duration} · `, date(d.startedAt, 'datetime-secs'))];
  for (const lines of d.sections) blocks.push({ type: 'section', paragraphs: lines.map(lineParagraph) });
  if (d.config) {
    blocks.push({
      type: 'section',
      paragraphs: [
        line(icon('unknown'), ' ', strong(d.config.headline)),
        { type: 'list', items: d.config.lines.map((l) => [text(l)]) },
        line(strong('Fix:'), ' ', ...withCode(d.config.fix)),
      ],
    });
  }
  if (d.omittedLine) blocks.push(context(em(d.omittedLine)));
  if (d.okLine) blocks.push(context(icon('ok'), ' ', d.okLine));
  if (options.details === 'thread' && d.sections.length > 0) blocks.push(context(icon('thread'), ' The report of each target that needs attention is in the thread.'));
  if (options.details === 'inline') {
    for (const r of set.reports.filter((r) => r.status !== 'ok' && !isConfigProblem(r))) {
      blocks.push({ type: 'divider' }, ...reportMessage(r, { ...options.reportOptions, budget: options.budget }).blocks);
    }
  }
  return { notification: [icon(d.status), text(` diag all: ${d.headline} (${countsText(d)})`)], blocks };
}

function lineParagraph(l: SummaryLine): Paragraph {
  return line(icon(l.status), ' ', strong(l.target), ` (${l.kind}): ${l.text} `, em(`[${l.duration}]`));
}

function countsText(d: DisplaySummary): string {
  return (['crit', 'warn', 'unknown', 'ok'] as const).filter((s) => d.counts[s] > 0).map((s) => `${d.counts[s]} ${s}`).join(', ') || 'no targets';
}
