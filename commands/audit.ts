// /audit [n]: the last n actions and commands, for the users `access.audit` names.
import { isAllowed } from '../src/actions/authorize-action.ts';
import { escapeMrkdwn, textMessage } from '../src/slack/message-blocks.ts';
import type { SlashCommand } from '../src/slash-command.ts';
import { UserError } from '../src/user-error.ts';

const MAX_ROWS = 50;

export const auditCommand: SlashCommand = {
  name: '/audit',
  description: 'Show the last actions and diagnostics run through the bot',
  usageHint: '[n]',
  async run({ text, userId, channelId, reply, services, inGroup }) {
    const word = text.trim() || '10';
    const n = Number(word);
    if (!Number.isInteger(n) || n < 1 || n > MAX_ROWS) throw new UserError(`n must be a whole number from 1 to ${MAX_ROWS}, got "${word}"`);
    if (!(await isAllowed(services.config.access, 'audit', { user: userId, channel: channelId, inGroup }))) {
      throw new UserError('You are not allowed to read the audit log: ask for a place under access.audit in the bot\'s config.');
    }
    const rows = await services.audit.recent(n);
    if (rows.length === 0) {
      await reply.ephemeral(textMessage('The audit log is empty.'));
      return;
    }
    const lines = rows.map((r) => {
      const who = r.actor.startsWith('cli:') ? r.actor : `<@${r.actor}>`;
      const params = r.params && Object.keys(r.params).length ? ` ${escapeMrkdwn(JSON.stringify(r.params))}` : '';
      const took = r.durationMs === undefined ? '' : ` (${r.durationMs} ms)`;
      return `• ${r.at.toISOString().slice(0, 19).replace('T', ' ')} ${who} *${escapeMrkdwn(r.action)}* ${escapeMrkdwn(r.target ?? '')}${params}: ${escapeMrkdwn(r.outcome)}${took}`;
    });
    await reply.ephemeral(textMessage(`*Last ${rows.length} audit rows*\n${lines.join('\n')}`));
  },
};
