// Slack's limits (https://docs.slack.dev/reference/block-kit), as the budget producers fit into.
import type { Budget } from '../message/budget.ts';
import { SIGNED_OVERHEAD } from '../security/value-signer.ts';
import { encodeIntent } from './encode-intent.ts';
import { escapeMrkdwn } from './escape-mrkdwn.ts';

/** Blocks in one message. */
export const MAX_BLOCKS = 50;
/** Characters in the text of a section block (and of any mrkdwn text object). */
export const MAX_SECTION_TEXT = 3000;
/** Characters in the text of a header block. */
export const MAX_HEADER_TEXT = 150;
/** Characters in the text of a button. */
export const MAX_BUTTON_TEXT = 75;
/** Characters in the value of a button. */
export const MAX_BUTTON_VALUE = 2000;
/** Characters in the url of a button. */
export const MAX_BUTTON_URL = 3000;
/** Characters in an action_id. */
export const MAX_ACTION_ID = 255;
/** Elements in an actions block. */
export const MAX_ACTIONS_ELEMENTS = 25;
/** Fields in a section, and characters of each. */
export const MAX_FIELDS = 10;
export const MAX_FIELD_TEXT = 2000;
/** Characters of a context element and of the fallback text we send. */
export const MAX_CONTEXT_TEXT = 3000;
/**
 * Our budget for all the text of one message's blocks. Slack rejects chat.postMessage with
 * `msg_blocks_too_long` above an undocumented cumulative limit (about 12,000 characters, reported
 * rejections from ~11,300), well below 50 full sections; 10,000 leaves room for the JSON around it.
 */
export const MAX_MESSAGE_TEXT = 10_000;

export const SLACK_BUDGET: Budget = {
  maxBlocks: MAX_BLOCKS,
  maxSectionText: MAX_SECTION_TEXT,
  maxHeaderText: MAX_HEADER_TEXT,
  maxButtonText: MAX_BUTTON_TEXT,
  maxButtons: MAX_ACTIONS_ELEMENTS,
  maxMessageText: MAX_MESSAGE_TEXT,
  // Slack counts mrkdwn after escaping (& is 5 characters).
  measure: (text) => escapeMrkdwn(text).length,
  // What renderMessage would leave out: a value over Slack's limit once signed (SIGNED_OVERHEAD
  // more characters), or an action id too long even with the `:<n>` that keeps it unique.
  fitsButton: (intent) => {
    const { actionId, value } = encodeIntent(intent);
    return value.length <= MAX_BUTTON_VALUE - SIGNED_OVERHEAD && `${actionId}:${MAX_ACTIONS_ELEMENTS}`.length <= MAX_ACTION_ID;
  },
};
