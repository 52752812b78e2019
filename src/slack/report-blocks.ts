// A diagnostics report for Slack: the neutral report message under Slack's budget (renderMessage
// turns it into Block Kit as it is sent). Kept for the callers that have not moved to reportMessage.
import type { Message } from '../message/message.ts';
import { reportMessage, type ReportMessageOptions } from '../render/report-message.ts';
import type { Report } from '../report.ts';
import { SLACK_BUDGET } from './slack-budget.ts';

export type ReportBlocksOptions = Omit<ReportMessageOptions, 'budget'>;

/** reportMessage under SLACK_BUDGET. */
export function renderReportBlocks(report: Report, options: ReportBlocksOptions = {}): Message {
  return reportMessage(report, { budget: SLACK_BUDGET, ...options });
}
