// Presses a button of the bot the way Slack sends it: a signed block_actions payload. Tests use
// this one entry point for every press, so that how a button value is made (and confirmed) lives
// in one place.
import { blockActionBody } from './signed-slack-request.ts';
import type { HttpTestBot } from './test-bot.ts';

export interface PressOptions {
  /** The block action id; default `remedy:<action>` for a remedy value, else required. */
  actionId?: string;
  userId?: string;
  /** The response_url id the fake Slack API records the bot's answers under. */
  responseId?: string;
  channelId?: string;
}

/** A remedy as a report's button carries it. */
export interface RemedyValue {
  action: string;
  params: Record<string, unknown>;
  target: string;
}

/** Presses a remedy button with this value (a button the bot offered for it). */
export async function pressRemedy(t: HttpTestBot, value: RemedyValue, options: PressOptions = {}): Promise<Response> {
  return await t.send(
    blockActionBody({
      actionId: options.actionId ?? `remedy:${value.action}`,
      value: JSON.stringify(value),
      responseUrl: t.slack.responseUrl(options.responseId ?? 'p'),
      ...(options.userId && { userId: options.userId }),
      ...(options.channelId && { channelId: options.channelId }),
    }),
  );
}
