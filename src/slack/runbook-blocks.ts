// A runbook as Block Kit, within Slack's limits (3000 characters a section, 50 blocks).
import { markdownToMrkdwn, splitText } from '../render/markdown-to-mrkdwn.ts';
import type { Runbook } from '../runbooks/runbook.ts';
import type { Message } from '../slash-command.ts';

const SECTION_MAX = 3000;
const MAX_BLOCKS = 50;

export function renderRunbookBlocks(runbook: Runbook): Message {
  const blocks: object[] = [
    { type: 'header', text: { type: 'plain_text', text: runbook.title.slice(0, 150) } },
    { type: 'section', text: { type: 'mrkdwn', text: `${runbook.summary}\n\n*Symptoms*\n${runbook.symptoms.map((s) => `• ${s}`).join('\n')}`.slice(0, SECTION_MAX) } },
  ];
  if (runbook.checks.length) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Explains: ${runbook.checks.map((c) => `\`${c}\``).join(', ')}`.slice(0, 2000) }] });
  }
  blocks.push({ type: 'divider' });
  const chunks = splitText(markdownToMrkdwn(runbook.body), SECTION_MAX);
  const room = MAX_BLOCKS - blocks.length - 1;
  for (const chunk of chunks.slice(0, room)) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: chunk } });
  if (chunks.length > room) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `${chunks.length - room} more parts not shown: see runbooks/${runbook.id}.md` }] });
  }
  return { text: `Runbook: ${runbook.title}`, blocks };
}
