// /runbook [id]: lists the runbooks, or shows one.
import { UserError } from '../src/user-error.ts';
import { runbookMessage } from '../src/runbooks/runbook-message.ts';
import { code, command, line, section, spans, strong, type Message, type Paragraph } from '../src/message/message.ts';
import type { RunbookIndex } from '../src/runbooks/load-runbooks.ts';
import type { SlashCommand } from '../src/slash-command.ts';

export const runbookCommand: SlashCommand = {
  name: '/runbook',
  description: 'Show a troubleshooting runbook',
  usageHint: '[runbook-id]',
  async run({ text, reply, services }) {
    const id = text.trim().split(/\s+/)[0] ?? '';
    const { runbooks } = services;
    if (id === '' || id === 'help' || id === 'list') {
      await reply.ephemeral(runbookListMessage(runbooks));
      return;
    }
    const runbook = runbooks.byId.get(id);
    if (!runbook) {
      throw new UserError(`unknown runbook "${id}"; available: ${runbooks.all.map((r) => r.id).join(', ') || 'none'}`);
    }
    await reply.ephemeral(runbookMessage(runbook, { budget: reply.budget }));
  },
};

/** Every runbook: its id (what /runbook takes) and its title. */
export function runbookListMessage(runbooks: Pick<RunbookIndex, 'all'>): Message {
  const title = spans(strong('Runbooks'), ' (', command('runbook', '<id>'), ' shows one):');
  const items = runbooks.all.map((r) => spans(code(r.id), `: ${r.title}`));
  const list: Paragraph = items.length ? { type: 'list', items } : line('none yet: add Markdown files to the runbooks directory (runbooks.dir)');
  return { notification: title, blocks: [section({ type: 'line', spans: title }, list)] };
}
