// Posting to a channel without a command to answer (scheduled digests, pages). No Slack library
// here: src/slack/ implements it over the Web API.
import type { Budget } from './message/budget.ts';
import type { Message } from './slash-command.ts';

export interface PostedRef {
  channel: string;
  ts: string;
}

export interface ChannelPoster {
  /** What one message can hold where this poster posts: producers that choose what to leave out fit it. */
  readonly budget: Budget;
  /**
   * `beforeSend` runs just before the message goes out (for a paced poster, inside the channel's
   * turn); if it throws, nothing is sent and `post` rejects with its error.
   */
  post(channel: string, message: Message, options?: { beforeSend?: () => Promise<void> }): Promise<PostedRef>;
  /** A reply in the thread of `parent`. */
  reply(parent: PostedRef, message: Message): Promise<PostedRef>;
  /** Uploads a PNG into the channel (in the thread of `parent` when given), with a title. */
  uploadPng(channel: string, png: Buffer, options: { filename: string; title: string; parent?: PostedRef; comment?: string }): Promise<void>;
}
