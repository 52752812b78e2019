// Turns Bolt's respond() and Web API client into the engine's Replier. Visible messages go through
// chat.postMessage so they have a ts to update and thread under; where the bot may not post
// (a private channel it is not in, a DM), response_url is the fallback.
import type { RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.ts';
import type { Message, PostedMessage, Replier } from '../slash-command.ts';
import type { ValueSigner } from '../security/value-signer.ts';
import { sealMessage } from './seal-message.ts';
import { SLACK_BUDGET } from './slack-budget.ts';

const FALLBACK_ERRORS = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);

/** Every message goes out with its button values signed (sealMessage). */
export function createReplier(args: { respond: RespondFn; client: WebClient; channelId: string; log: Logger; signer: ValueSigner; secrets: readonly string[] }): Replier {
  const { respond, client, channelId, log, signer, secrets } = args;
  const seal = (m: Message) => sealMessage(m, signer, secrets);
  return {
    source: 'slack',
    budget: SLACK_BUDGET,
    async ephemeral(unsealed) {
      const message = seal(unsealed);
      await respond({ response_type: 'ephemeral', text: message.text, blocks: message.blocks });
    },
    async post(unsealed): Promise<PostedMessage> {
      const message = seal(unsealed);
      try {
        const res = await client.chat.postMessage({ channel: channelId, text: message.text, blocks: message.blocks });
        const ts = res.ts!;
        const channel = res.channel ?? channelId;
        return {
          async update(unsealedNext: Message) {
            const next = seal(unsealedNext);
            await client.chat.update({ channel, ts, text: next.text, blocks: next.blocks });
          },
          async reply(unsealedNext: Message) {
            const next = seal(unsealedNext);
            await client.chat.postMessage({ channel, thread_ts: ts, text: next.text, blocks: next.blocks });
          },
        };
      } catch (err) {
        const code = (err as { data?: { error?: string } }).data?.error;
        if (!code || !FALLBACK_ERRORS.has(code)) throw err;
        log.info({ channel: channelId, error: code }, 'cannot post in channel, answering through response_url');
        await respond({ response_type: 'in_channel', text: message.text, blocks: message.blocks });
        return {
          async update(unsealedNext: Message) {
            const next = seal(unsealedNext);
            await respond({ replace_original: true, response_type: 'in_channel', text: next.text, blocks: next.blocks });
          },
          // response_url messages cannot be threaded: follow-ups go below (five per command at most).
          async reply(unsealedNext: Message) {
            const next = seal(unsealedNext);
            await respond({ replace_original: false, response_type: 'in_channel', text: next.text, blocks: next.blocks });
          },
        };
      }
    },
  };
}
