// A slash command as the engine sees it: text in, messages out. No Slack library here; the
// adapter in src/slack/ turns Bolt's ack/respond/client into a Replier.
import type { AppServices } from './app-services.ts';
import type { Budget } from './message/budget.ts';
import type { Message } from './message/message.ts';
import type { Status } from './report.ts';

/** What a command answers with: the neutral message, rendered by its transport's edge. */
export type { Message };

export interface PostedMessage {
  /** Replaces the message in place ("running..." -> the report). */
  update(message: Message): Promise<void>;
  /** Answers in the message's thread (or below it where threads are not possible). */
  reply(message: Message): Promise<void>;
}

/** Where a command was typed: Slack, a terminal (`bin/chatops`) or the playground's page. Audit rows record it as their source. */
export type CommandSource = 'slack' | 'cli' | 'playground';

export interface Replier {
  /** Which transport answers. Commands that change state from Slack only refuse the terminal. */
  readonly source: CommandSource;
  /** How much one message can hold (Slack: SLACK_BUDGET; a terminal: UNLIMITED_BUDGET). */
  readonly budget: Budget;
  /** Only the invoking user sees it. */
  ephemeral(message: Message): Promise<void>;
  /** Visible in the channel; returns a handle to replace it later. */
  post(message: Message): Promise<PostedMessage>;
}

export interface CommandInvocation {
  text: string;
  userId: string;
  channelId: string;
  reply: Replier;
  services: AppServices;
  /** Whether the invoking user is in a Slack user group. */
  inGroup(group: string): Promise<boolean>;
}

/** How a command ended, for a transport that reports it (a terminal's exit code); Slack shows only the messages. */
export interface CommandOutcome {
  status: Status;
  /** What the command found, as data, for a caller that prints data (`chatops diag --json`). */
  data?: unknown;
}

export interface SlashCommand {
  /** With the slash: `/diag`. */
  name: string;
  description: string;
  usageHint: string;
  run(invocation: CommandInvocation): Promise<CommandOutcome | void>;
}
