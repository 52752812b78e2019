// Small Block Kit messages for the rest of the app. No Slack library: plain objects that
// chat.postMessage / respond() accept as they are.
import { cutText } from '../render/cut-text.ts';
import { MAX_SECTION_TEXT } from './slack-budget.ts';
import { escapeMrkdwn } from './escape-mrkdwn.ts';

export interface SlackMessage {
  /** Plain fallback, used for notifications and by clients that cannot show blocks. */
  text: string;
  blocks: object[];
}

export { escapeMrkdwn };

/** Length of text once escaped: what Slack counts against its limits. */
export function mrkdwnLength(text: string): number {
  return escapeMrkdwn(text).length;
}

/** A one-section message. `mrkdwn` is used as it is: escape anything interpolated into it. */
export function textMessage(mrkdwn: string): SlackMessage {
  const text = cutText(mrkdwn, MAX_SECTION_TEXT);
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

/** An error for the user. `text` is plain text (an exception message, user input): it is escaped. */
export function errorMessage(text: string): SlackMessage {
  // A plain user mention is the one piece of markup kept: it names someone ("acknowledged by @x")
  // and cannot broadcast the way <!channel> can.
  const escaped = escapeMrkdwn(cutText(text, MAX_SECTION_TEXT - 4, mrkdwnLength)).replace(/&lt;@([UW][A-Z0-9]{2,})&gt;/g, '<@$1>');
  return textMessage(`:x: ${escaped}`);
}

/** A "working on it" message, to be replaced by the result. `mrkdwn` is used as it is. */
export function progressMessage(mrkdwn: string): SlackMessage {
  return textMessage(`:hourglass_flowing_sand: ${mrkdwn}`);
}
