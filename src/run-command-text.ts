// Runs a slash command from the words typed after it, the same for every chat transport (Slack and
// the playground): the text cleaned (or refused with the command's usage), the command run, any
// error answered privately to the user in the error's own words, and the outcome counted.
import { describeErrorLine } from './answer-error.ts';
import { cleanCommandText } from './clean-command-text.ts';
import type { Logger } from './logger.ts';
import { errorMessage } from './message/message.ts';
import type { ObservedCommand } from './metrics/observe-command.ts';
import type { CommandInvocation, SlashCommand } from './slash-command.ts';
import { isUserError } from './user-error.ts';

export async function runCommandText(command: SlashCommand, typed: string, invocation: Omit<CommandInvocation, 'text'>, observed: ObservedCommand, log: Logger): Promise<void> {
  try {
    const text = cleanCommandText(typed, `Usage: \`${command.name} ${command.usageHint}\``);
    await command.run({ ...invocation, text });
    observed.end('ok');
  } catch (error) {
    const line = describeErrorLine(error, log, { command: command.name, text: typed, user: invocation.userId });
    await invocation.reply.ephemeral(errorMessage(line)).catch((err: unknown) => log.error({ err }, 'while answering an error'));
    observed.end(isUserError(error) ? 'user_error' : 'error');
  }
}
