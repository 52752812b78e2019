// The engine's ChannelPoster over the Web API: messages through chat.postMessage, pictures through
// files.uploadV2 (getUploadURLExternal, the bytes to the upload URL, completeUploadExternal).
// Failures are rethrown with the channel they were for; the token never appears in them.
import type { WebClient } from '@slack/web-api';
import type { ChannelPoster, PostedRef } from '../channel-poster.ts';
import { redactSecrets } from '../redact-secrets.ts';
import type { Message } from '../slash-command.ts';
import type { ValueSigner } from '../security/value-signer.ts';
import { sealMessage } from './seal-message.ts';
import { SLACK_BUDGET } from './slack-budget.ts';

/** Button values are signed on the way out (sealMessage). */
export function createChannelPoster(client: WebClient, signer: ValueSigner, secrets: readonly string[] = []): ChannelPoster {
  async function postMessage(channel: string, unsealed: Message, threadTs: string | undefined, doing: string): Promise<PostedRef> {
    const message = sealMessage(unsealed, signer, secrets);
    try {
      const res = await client.chat.postMessage({
        channel,
        text: message.text,
        blocks: message.blocks,
        ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
      });
      if (!res.ts) throw new Error('chat.postMessage answered without a ts');
      return { channel: res.channel ?? channel, ts: res.ts };
    } catch (cause) {
      throw wrap(doing, cause);
    }
  }

  return {
    budget: SLACK_BUDGET,
    async post(channel, message, options) {
      await options?.beforeSend?.();
      return await postMessage(channel, message, undefined, `while posting to ${channel}`);
    },
    reply(parent, message) {
      return postMessage(parent.channel, message, parent.ts, `while replying in ${parent.channel} (thread ${parent.ts})`);
    },
    async uploadPng(channel, png, options) {
      const where = options.parent ? `${channel} (thread ${options.parent.ts})` : channel;
      try {
        const upload = {
          channel_id: channel,
          file: png,
          filename: options.filename,
          title: options.title,
          ...(options.comment === undefined ? {} : { initial_comment: options.comment }),
        };
        // The argument types want thread_ts either set to a string or absent, not undefined.
        await (options.parent ? client.files.uploadV2({ ...upload, thread_ts: options.parent.ts }) : client.files.uploadV2(upload));
      } catch (cause) {
        throw wrap(`while uploading ${options.filename} to ${where}`, cause);
      }
    },
  };
}

/** "while posting to C123: channel_not_found", keeping the Web API error as the cause. */
function wrap(doing: string, cause: unknown): Error {
  const code = (cause as { data?: { error?: unknown } } | undefined)?.data?.error;
  const detail = typeof code === 'string' ? code : cause instanceof Error ? cause.message : String(cause);
  return new Error(redactSecrets(`${doing}: ${detail}`), { cause });
}
