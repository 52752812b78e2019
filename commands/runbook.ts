// /runbook [id]: lists the runbooks, or shows one.
import { UserError } from '../src/user-error.ts';
import { renderRunbookBlocks } from '../src/slack/runbook-blocks.ts';
import { textMessage } from '../src/slack/message-blocks.ts';
import type { SlashCommand } from '../src/slash-command.ts';

export const runbookCommand: SlashCommand = {
  name: '/runbook',
  description: 'Show a troubleshooting runbook',
  usageHint: '[runbook-id]',
  async run({ text, reply, services }) {
    const id = text.trim().split(/\s+/)[0] ?? '';
    const { runbooks } = services;
    if (id === '' || id === 'help' || id === 'list') {
      const lines = ['*Runbooks* (`/runbook <id>` shows one):', ...runbooks.all.map((r) => `• \`${r.id}\`: ${r.title}`)];
      await reply.ephemeral(textMessage(lines.join('\n')));
      return;
    }
    const runbook = runbooks.byId.get(id);
    if (!runbook) {
      throw new UserError(`unknown runbook "${id}"; available: ${runbooks.all.map((r) => r.id).join(', ') || 'none'}`);
    }
    await reply.ephemeral(renderRunbookBlocks(runbook));
  },
};
