// A command of the registry: a slash command, and what of it a terminal can run. Forms that page,
// post or change state through Slack are refused by the command when typed in a terminal
// (`reply.source === 'cli'`); the terminal's help names them as Slack only.
import type { SlashCommand } from '../../src/slash-command.ts';

export interface ChatCommand extends SlashCommand {
  /** The forms a terminal runs, when it refuses some of `usageHint`'s: `list | history <target> [days]`. */
  terminalUsageHint?: string;
  /** The subcommands a terminal refuses (`now`), named in its help as Slack only. */
  slackOnly?: readonly string[];
}
