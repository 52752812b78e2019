// How the alert outbox reaches the channel, without a Slack library: a message posted with a key
// (so a post that may have gone out can be found instead of repeated), updated in place, and
// replies in its thread. src/alerts/slack/ implements it over the Web API.
import type { PostedRef } from '../channel-poster.ts';
import type { Budget } from '../message/budget.ts';
import type { Message } from '../message/message.ts';

export interface AlertPoster {
  readonly budget: Budget;
  post(channel: string, message: Message, key: string): Promise<PostedRef>;
  update(ref: PostedRef, message: Message): Promise<void>;
  reply(parent: PostedRef, message: Message, key: string): Promise<PostedRef>;
  /** The message posted with `key` in the channel since `since`, if any. */
  findPosted(channel: string, key: string, since: Date): Promise<PostedRef | undefined>;
  /** The reply posted with `key` in the thread of `parent`, if any. */
  findReply(parent: PostedRef, key: string): Promise<PostedRef | undefined>;
}

/** A delivery that failed: `retryAfterMs` when Slack asked to wait; `permanent` when no retry soon can help. */
export class AlertPostError extends Error {
  readonly retryAfterMs: number | undefined;
  readonly permanent: boolean;
  /** The message to update is gone (deleted in Slack): the next delivery posts it anew. */
  readonly messageGone: boolean;

  constructor(message: string, options: { retryAfterMs?: number; permanent?: boolean; messageGone?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.retryAfterMs = options.retryAfterMs;
    this.permanent = options.permanent ?? false;
    this.messageGone = options.messageGone ?? false;
  }
}
