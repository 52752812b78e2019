// A diagnostics report for the terminal: the neutral report message with no budget, as the
// terminal renderer writes it. Kept for src/cli/main.ts until it renders reportMessage itself.
import { renderTerminal } from '../cli/render-terminal.ts';
import { UNLIMITED_BUDGET } from '../message/budget.ts';
import type { Report } from '../report.ts';
import { reportMessage } from './report-message.ts';

export interface ReportTextOptions {
  /** ANSI colours (red crit, yellow warn, grey unknown, green ok). */
  color: boolean;
}

/** @deprecated renderTerminal(reportMessage(report, { budget: UNLIMITED_BUDGET }), options) */
export function renderReportText(report: Report, options: ReportTextOptions): string {
  return renderTerminal(reportMessage(report, { budget: UNLIMITED_BUDGET }), options);
}
