// Text made safe for Slack mrkdwn.

/**
 * &, < and > escaped (so text cannot form links or mentions such as <!channel>), and runs of
 * backticks broken with a zero-width space so text cannot close the code block it is shown in.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/`(?=`)/g, '`\u200b');
}
