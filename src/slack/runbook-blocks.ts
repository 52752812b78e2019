// A runbook for Slack: the neutral runbook message under Slack's budget. Kept for the callers that
// have not moved to runbookMessage.
import type { Message } from '../message/message.ts';
import type { Runbook } from '../runbooks/runbook.ts';
import { runbookMessage } from '../runbooks/runbook-message.ts';
import { SLACK_BUDGET } from './slack-budget.ts';

/** runbookMessage under SLACK_BUDGET. */
export function renderRunbookBlocks(runbook: Runbook): Message {
  return runbookMessage(runbook, { budget: SLACK_BUDGET });
}
