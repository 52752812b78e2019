// The engine's Pager over the Web API. Its WebClient neither retries nor waits out rate limits by
// itself: the engine keeps retries durable (a restart does not forget them) and honours
// Retry-After. Every page carries its key as message metadata, so an interrupted delivery can be
// found in the channel's history (or the card's thread) instead of being sent twice. A page to
// the channel the incident card is in goes in the card's thread (@here pages are also sent to the
// channel, so they still wake it); DMs stay DMs.
import { WebClient, ErrorCode } from '@slack/web-api';
import { pagePlacement } from '../incidents/page-placement.ts';
import { PageError, type Delivered, type OutgoingPage, type Pager } from '../incidents/pager.ts';
import type { Clock } from '../incidents/clock.ts';
import { redactSecrets } from '../redact-secrets.ts';
import { incidentCardMessage } from '../incidents/incident-card-message.ts';
import { pageMessage } from '../incidents/page-message.ts';
import type { ValueSigner } from '../security/value-signer.ts';
import { sealMessage } from './seal-message.ts';
import { countSlackApiCalls } from './count-slack-api-calls.ts';

const PAGE_EVENT = 'chatops_page';
/** Looking for an interrupted page in a thread: replies per call, calls at most (after `oldest`). */
const REPLIES_PER_PAGE = 200;
const MAX_REPLY_PAGES = 10;
/** Started this long before the page can have been sent: our clock and Slack's may differ. */
const LOOKUP_MARGIN_MS = 5 * 60_000;
/** Errors no retry can fix. */
const PERMANENT = new Set(['user_not_found', 'channel_not_found', 'not_in_channel', 'is_archived', 'invalid_auth', 'account_inactive', 'cannot_dm_bot', 'user_disabled', 'missing_scope', 'not_authed', 'restricted_action', 'msg_too_long', 'invalid_blocks', 'no_text']);

export interface SlackPagerOptions {
  token: string;
  apiUrl?: string;
  incidentsChannel: string;
  clock: Clock;
  /** Signs the Acknowledge/Escalate/Resolve buttons of pages and incident messages. */
  signer: ValueSigner;
  /** Configured secrets, masked in every page and incident message. */
  secrets?: readonly string[];
}

export function createSlackPager(options: SlackPagerOptions): Pager {
  countSlackApiCalls();
  const client = new WebClient(options.token, {
    ...(options.apiUrl && { slackApiUrl: options.apiUrl }),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
  const dmChannels = new Map<string, string>();

  async function call<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      throw toPageError(doing, cause);
    }
  }

  /** Where a page goes; `threadTs`: in the incident card's thread. */
  async function channelOf(page: OutgoingPage): Promise<{ channel: string; threadTs?: string; broadcast?: boolean }> {
    const r = page.recipient;
    if ('dm' in r) {
      let channel = dmChannels.get(r.dm);
      if (!channel) {
        const res = await call(`while opening a DM with ${r.dm}`, () => client.conversations.open({ users: r.dm }));
        channel = res.channel?.id;
        if (!channel) throw new PageError(`conversations.open gave no channel for ${r.dm}`);
        dmChannels.set(r.dm, channel);
      }
      return { channel };
    }
    return pagePlacement(page, options.incidentsChannel);
  }

  /**
   * A page in the card's thread, by its key. Slack answers a thread oldest first, a page of replies
   * at a time: the search starts a margin before the page can have been sent and follows the
   * cursor, for a bounded number of pages (beyond them the page counts as not found).
   */
  async function findInThread(page: OutgoingPage, channel: string, threadTs: string): Promise<string | undefined> {
    const oldest = page.sentNotBefore ? slackTs(page.sentNotBefore.getTime() - LOOKUP_MARGIN_MS) : undefined;
    let cursor: string | undefined;
    for (let n = 0; n < MAX_REPLY_PAGES; n++) {
      const replies = await call(`while looking for page ${page.key} in the thread of ${channel}`, () =>
        client.conversations.replies({ channel, ts: threadTs, limit: REPLIES_PER_PAGE, include_all_metadata: true, ...(oldest && { oldest }), ...(cursor && { cursor }) }).catch((err: unknown) => {
          // A card deleted since: its thread is gone, and the page with it.
          if ((err as { data?: { error?: string } }).data?.error === 'thread_not_found') return { messages: [], response_metadata: undefined };
          throw err;
        }));
      const ts = keyed(replies.messages, page.key);
      if (ts) return ts;
      cursor = replies.response_metadata?.next_cursor || undefined;
      if (!cursor) return undefined;
    }
    return undefined;
  }

  return {
    async send(page) {
      const where = await channelOf(page);
      const placement = where.threadTs && !('thread' in page.recipient) ? 'card-thread' : 'alone';
      const message = sealMessage(pageMessage(page, options.clock.now(), placement), options.signer, options.secrets);
      const res = await call(`while paging ${where.channel}`, () =>
        client.chat.postMessage({
          channel: where.channel,
          text: message.text,
          blocks: message.blocks,
          ...(where.threadTs && (where.broadcast ? { thread_ts: where.threadTs, reply_broadcast: true } : { thread_ts: where.threadTs })),
          metadata: { event_type: PAGE_EVENT, event_payload: { key: page.key } },
          unfurl_links: false,
        }));
      return { channel: res.channel ?? where.channel, ts: res.ts! };
    },

    async findSent(page) {
      if ('thread' in page.recipient) return undefined;
      const { channel, threadTs } = await channelOf(page);
      if (threadTs) {
        const ts = await findInThread(page, channel, threadTs);
        if (ts) return { channel, ts };
      }
      // Also a page sent before the card was posted, which went to the channel itself.
      const res = await call(`while looking for page ${page.key} in ${channel}`, () =>
        client.conversations.history({ channel, limit: 100, include_all_metadata: true }));
      const ts = keyed(res.messages, page.key);
      return ts ? { channel, ts } : undefined;
    },

    async showIncident(channel, display): Promise<Delivered> {
      const message = sealMessage(incidentCardMessage(display, options.clock.now()), options.signer, options.secrets);
      const i = display.incident;
      if (i.messageTs && i.channel) {
        await call(`while updating ${i.channel}`, () => client.chat.update({ channel: i.channel!, ts: i.messageTs!, text: message.text, blocks: message.blocks }));
        return { channel: i.channel, ts: i.messageTs };
      }
      const res = await call(`while posting to ${channel}`, () => client.chat.postMessage({ channel, text: message.text, blocks: message.blocks }));
      return { channel: res.channel ?? channel, ts: res.ts! };
    },

    async createIncidentChannel(name, invite) {
      const res = await call(`while creating #${name}`, () => client.conversations.create({ name }));
      const id = res.channel?.id;
      if (!id) throw new PageError(`conversations.create gave no channel id for #${name}`);
      if (invite.length > 0) await call(`while inviting to #${name}`, () => client.conversations.invite({ channel: id, users: invite.join(',') }));
      return id;
    },
  };
}

/** The ts of the message carrying this page key in its metadata. */
function keyed(messages: Array<{ ts?: string; metadata?: { event_payload?: unknown } }> | undefined, key: string): string | undefined {
  return messages?.find((m) => (m.metadata?.event_payload as { key?: unknown } | undefined)?.key === key)?.ts;
}

/** A time as a Slack message timestamp: seconds with six decimals. */
function slackTs(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(6);
}

function toPageError(doing: string, cause: unknown): PageError {
  const e = cause as { code?: string; retryAfter?: number; data?: { error?: string } } | undefined;
  if (e?.code === ErrorCode.RateLimitedError) {
    return new PageError(`${doing}: rate limited by Slack`, { retryAfterMs: Math.max(1, e.retryAfter ?? 1) * 1000, cause });
  }
  const slackError = e?.code === ErrorCode.PlatformError ? e.data?.error : undefined;
  const message = redactSecrets(`${doing}: ${slackError ?? (cause instanceof Error ? cause.message : String(cause))}`);
  return new PageError(message, { permanent: slackError !== undefined && PERMANENT.has(slackError), cause });
}
