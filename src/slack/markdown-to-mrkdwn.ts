// A markdown block's text as mrkdwn: parsed into the neutral paragraphs (src/message/markdown-paragraphs.ts)
// and written the way the renderer writes any section, so hard-wrapped lines are joined, lists,
// code blocks and tables kept, and the text escaped. Slack's alone: src/slack/render-message.ts is its one user.
import { markdownParagraphs } from '../message/markdown-paragraphs.ts';
import type { Paragraph } from '../message/message.ts';
import { escapeMrkdwn } from './escape-mrkdwn.ts';
import { mrkdwn } from './render-message.ts';

export function markdownToMrkdwn(markdown: string): string {
  return markdownParagraphs(markdown)
    .map((part) => part.paragraphs.map(paragraphMrkdwn).join('\n'))
    .join('\n\n');
}

function paragraphMrkdwn(p: Paragraph): string {
  switch (p.type) {
    case 'line':
      return mrkdwn(p.spans);
    case 'code':
      return `\`\`\`\n${p.lines.map(escapeMrkdwn).join('\n')}\n\`\`\``;
    case 'list':
      return p.items.map((item) => `• ${mrkdwn(item)}`).join('\n');
  }
}
