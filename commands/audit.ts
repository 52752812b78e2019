// /audit [n]: the last n actions and commands, for the users `access.audit` names.
import { isAllowed } from '../src/actions/authorize-action.ts';
import type { Budget } from '../src/message/budget.ts';
import { code, date, simpleMessage, spans, strong, text, user, type Line, type Message } from '../src/message/message.ts';
import type { SlashCommand } from '../src/slash-command.ts';
import type { AuditRow } from '../src/store/audit-log.ts';
import { UserError } from '../src/user-error.ts';
import { fitList } from './parts/fit-list.ts';

const MAX_ROWS = 50;

export const auditCommand: SlashCommand = {
  name: '/audit',
  description: 'Show the last actions and diagnostics run through the bot',
  usageHint: '[n]',
  async run({ text: typed, userId, channelId, reply, services, inGroup }) {
    const word = typed.trim() || '10';
    const n = Number(word);
    if (!Number.isInteger(n) || n < 1 || n > MAX_ROWS) throw new UserError(`n must be a whole number from 1 to ${MAX_ROWS}, got "${word}"`);
    // A terminal reads the audit log with the state store's own credentials: the access rules,
    // which name Slack users, groups and channels, are for Slack.
    if (reply.source !== 'cli' && !(await isAllowed(services.config.access, 'audit', { user: userId, channel: channelId, inGroup }))) {
      throw new UserError('You are not allowed to read the audit log: ask for a place under access.audit in the bot\'s config.');
    }
    await reply.ephemeral(auditMessage(await services.audit.recent(n), reply.budget));
  },
};

/** The rows, newest first: when, who, what on which target, how it ended. */
export function auditMessage(rows: readonly AuditRow[], budget: Budget): Message {
  if (rows.length === 0) return simpleMessage('The audit log is empty.');
  const title = spans(strong(`Last ${rows.length} audit rows`));
  return {
    notification: title,
    blocks: fitList(title, rows.map(auditLine), budget, (left) => `${left} older rows not shown`),
  };
}

function auditLine(r: AuditRow): Line {
  const who = r.actor.startsWith('cli:') ? text(r.actor) : user(r.actor);
  const params = r.params && Object.keys(r.params).length ? [text(' '), code(JSON.stringify(r.params))] : [];
  const took = r.durationMs === undefined ? '' : ` (${r.durationMs} ms)`;
  return spans(date(r.at, 'datetime-secs'), ' ', who, ' ', strong(r.action), ` ${r.target ?? ''}`, ...params, `: ${r.outcome}${took}`);
}
