// The command registry: every slash command the bot answers. Names must be unique, and the help
// text and the manifest check are built from this same list.
import { code, section, spans, type Message } from '../src/message/message.ts';
import type { SlashCommand } from '../src/slash-command.ts';
import { diagCommand } from './diag.ts';
import { runbookCommand } from './runbook.ts';
import { digestCommand } from './digest.ts';
import { auditCommand } from './audit.ts';
import { oncallCommand } from './oncall.ts';
import { incidentCommand } from './incident.ts';

export const COMMANDS: readonly SlashCommand[] = registerCommands([diagCommand, runbookCommand, digestCommand, auditCommand, oncallCommand, incidentCommand]);

export function registerCommands(commands: SlashCommand[]): SlashCommand[] {
  const names = new Set<string>();
  for (const c of commands) {
    if (!/^\/[a-z][a-z0-9-]{0,31}$/.test(c.name)) throw new Error(`invalid slash command name "${c.name}"`);
    if (names.has(c.name)) throw new Error(`slash command ${c.name} is registered twice`);
    names.add(c.name);
  }
  return commands;
}

/**
 * One line per command: how to call it and what it does. `typed` is how a command is typed where
 * the help is read: `/diag` in Slack (the default), `chatops diag` in a terminal.
 */
export function commandHelp(commands: readonly SlashCommand[] = COMMANDS, typed: (name: string) => string = (name) => name): Message {
  const items = commands.map((c) => spans(code(`${typed(c.name)} ${c.usageHint}`), `: ${c.description}`));
  return { notification: spans('Commands'), blocks: [section({ type: 'list', items })] };
}
