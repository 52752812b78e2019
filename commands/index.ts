// The command registry: every slash command the bot answers. Names must be unique, and the help
// text and the manifest check are built from this same list.
import { code, command, section, spans, text, type Line, type Message } from '../src/message/message.ts';
import type { CommandSource } from '../src/slash-command.ts';
import type { ChatCommand } from './parts/chat-command.ts';
import { diagCommand } from './diag.ts';
import { runbookCommand } from './runbook.ts';
import { digestCommand } from './digest.ts';
import { auditCommand } from './audit.ts';
import { oncallCommand } from './oncall.ts';
import { incidentCommand } from './incident.ts';
import { triageCommand } from './triage.ts';

export type { ChatCommand };

export const COMMANDS: readonly ChatCommand[] = registerCommands([diagCommand, triageCommand, runbookCommand, digestCommand, auditCommand, oncallCommand, incidentCommand]);

export function registerCommands(commands: ChatCommand[]): ChatCommand[] {
  const names = new Set<string>();
  for (const c of commands) {
    if (!/^\/[a-z][a-z0-9-]{0,31}$/.test(c.name)) throw new Error(`invalid slash command name "${c.name}"`);
    if (names.has(c.name)) throw new Error(`slash command ${c.name} is registered twice`);
    names.add(c.name);
  }
  return commands;
}

/**
 * One line per command: how to call it and what it does. In Slack (the default) and the playground every form of
 * `/diag ...`; in a terminal (`cli`: `chatops diag ...`) only the forms a terminal runs, and the
 * subcommands it refuses named as Slack only.
 */
export function commandHelp(commands: readonly ChatCommand[] = COMMANDS, where: CommandSource = 'slack'): Message {
  const items = commands.map((c): Line => {
    if (where !== 'cli') return spans(code(`${c.name} ${c.usageHint}`), `: ${c.description}`);
    const slackOnly = c.slackOnly?.length ? [text(` (Slack only: ${c.slackOnly.join(', ')})`)] : [];
    return spans(command(c.name.slice(1), c.terminalUsageHint ?? c.usageHint), `: ${c.description}`, ...slackOnly);
  });
  return { notification: spans('Commands'), blocks: [section({ type: 'list', items })] };
}
