// `diag all` for the terminal: the summary lines, then the full report of each target that needs
// attention. Kept for src/cli/main.ts until it renders summaryMessage itself.
import { renderTerminal } from '../cli/render-terminal.ts';
import { UNLIMITED_BUDGET } from '../message/budget.ts';
import type { ReportSet } from '../report.ts';
import { summaryMessage } from './summary-message.ts';

/** @deprecated renderTerminal(summaryMessage(set, { budget: UNLIMITED_BUDGET, details: 'inline' }), options) */
export function renderSummaryText(set: ReportSet, options: { color: boolean }): string {
  return renderTerminal(summaryMessage(set, { budget: UNLIMITED_BUDGET, details: 'inline' }), options);
}
