// `/diag all` for Slack: the neutral summary message under Slack's budget. Kept for the callers
// that have not moved to summaryMessage.
import type { Message } from '../message/message.ts';
import { summaryMessage } from '../render/summary-message.ts';
import type { ReportSet } from '../report.ts';
import { SLACK_BUDGET } from './slack-budget.ts';

/** summaryMessage under SLACK_BUDGET; the reports of the targets that need attention go in the thread. */
export function renderSummaryBlocks(set: ReportSet, options: { detailsInThread: boolean }): Message {
  return summaryMessage(set, { budget: SLACK_BUDGET, ...(options.detailsInThread && { details: 'thread' as const }) });
}
