// A health digest for Slack: the neutral digest message under Slack's budget. Kept for the Details
// handler's action id until the edge decodes presses into intents.
import type { DigestChanges } from '../digest/digest-changes.ts';
import { digestMessage, type DigestMessageOptions } from '../digest/digest-message.ts';
import type { DigestConfig } from '../config/config.ts';
import type { Message } from '../message/message.ts';
import type { ReportSet } from '../report.ts';
import { SLACK_BUDGET } from './slack-budget.ts';

/**
 * Action id of the Details buttons (encodeIntent's for digest.details): the first button of the
 * block carries it as it is, the next ones with `:2`, `:3`… (ids must differ within a block).
 */
export const DIGEST_DETAILS_ACTION = 'digest:details';

export type DigestBlocksOptions = Omit<DigestMessageOptions, 'budget'>;

/** digestMessage under SLACK_BUDGET. */
export function renderDigestBlocks(digest: DigestConfig, set: ReportSet, changes: DigestChanges, options: DigestBlocksOptions): Message {
  return digestMessage(digest, set, changes, { budget: SLACK_BUDGET, ...options });
}
