// A diagnostics report for Slack: the neutral report message under Slack's budget (renderMessage
// turns it into Block Kit as it is sent). Kept for the callers that have not moved to reportMessage.
import type { Message } from '../message/message.ts';
import { reportMessage, type ReportMessageOptions } from '../render/report-message.ts';
import type { Report, Status } from '../report.ts';
import { ICON_EMOJI } from './icon-emoji.ts';
import { SLACK_BUDGET } from './slack-budget.ts';

/** @deprecated a status's emoji is ICON_EMOJI[status]; kept for commands/digest.ts. */
export const STATUS_EMOJI: Record<Status, string> = { crit: ICON_EMOJI.crit, warn: ICON_EMOJI.warn, unknown: ICON_EMOJI.unknown, ok: ICON_EMOJI.ok };

export type ReportBlocksOptions = Omit<ReportMessageOptions, 'budget'>;

/** reportMessage under SLACK_BUDGET. */
export function renderReportBlocks(report: Report, options: ReportBlocksOptions = {}): Message {
  return reportMessage(report, { budget: SLACK_BUDGET, ...options });
}
