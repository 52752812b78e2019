// The AlertPoster over Slack's Web API. Its client neither retries nor waits out rate limits by
// itself: the outbox keeps retries durable (a restart does not forget them) and honours
// Retry-After. Each message and diagnosis reply carries its key as message metadata, so a post
// interrupted before its ts was recorded is found in the channel (or the thread) instead of
// being sent twice.
import { ErrorCode, WebClient } from '@slack/web-api';
import type { Message } from '../message/message.ts';
import { redactSecrets } from '../redact-secrets.ts';
import type { ValueSigner } from '../security/value-signer.ts';
import { sealMessage } from './seal-message.ts';
import { SLACK_BUDGET } from './slack-budget.ts';
import { AlertPostError, type AlertPoster } from '../alerts/alert-poster.ts';

const ALERT_EVENT = 'chatops_alert';
/** A call ends well within the outbox's 30 s claim: a hung one is retried, not left to a second replica to repeat. */
const CALL_TIMEOUT_MS = 10_000;
/** Looking for an interrupted post: messages per call, calls at most. */
const PER_PAGE = 200;
const MAX_PAGES = 5;
/** Started this long before the post can have been sent: our clock and Slack's may differ. */
const LOOKUP_MARGIN_MS = 5 * 60_000;
/** Errors no retry soon can fix (the bot not in the channel, a channel archived). */
const PERMANENT = new Set(['channel_not_found', 'not_in_channel', 'is_archived', 'invalid_auth', 'account_inactive', 'missing_scope', 'not_authed', 'restricted_action', 'msg_too_long', 'invalid_blocks', 'no_text', 'cant_update_message']);

export interface SlackAlertPosterOptions {
  token: string;
  apiUrl?: string;
  signer: ValueSigner;
  secrets?: readonly string[];
}

export function createSlackAlertPoster(options: SlackAlertPosterOptions): AlertPoster {
  const client = new WebClient(options.token, { ...(options.apiUrl && { slackApiUrl: options.apiUrl }), retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, timeout: CALL_TIMEOUT_MS });
  const seal = (m: Message) => sealMessage(m, options.signer, options.secrets);

  async function call<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      throw toPostError(doing, cause);
    }
  }

  async function find(doing: string, page: (cursor: string | undefined) => Promise<{ messages?: Array<{ ts?: string; metadata?: { event_payload?: unknown } }>; response_metadata?: { next_cursor?: string } }>, key: string): Promise<string | undefined> {
    let cursor: string | undefined;
    for (let n = 0; n < MAX_PAGES; n++) {
      const res = await call(doing, () => page(cursor));
      const ts = res.messages?.find((m) => (m.metadata?.event_payload as { key?: unknown } | undefined)?.key === key)?.ts;
      if (ts) return ts;
      cursor = res.response_metadata?.next_cursor || undefined;
      if (!cursor) return undefined;
    }
    return undefined;
  }

  return {
    budget: SLACK_BUDGET,
    async post(channel, message, key) {
      const m = seal(message);
      const res = await call(`while posting an alert to ${channel}`, () =>
        client.chat.postMessage({ channel, text: m.text, blocks: m.blocks, metadata: { event_type: ALERT_EVENT, event_payload: { key } }, unfurl_links: false, unfurl_media: false }));
      return { channel: res.channel ?? channel, ts: res.ts! };
    },
    async update(ref, message) {
      const m = seal(message);
      await call(`while updating the alert message in ${ref.channel}`, () => client.chat.update({ channel: ref.channel, ts: ref.ts, text: m.text, blocks: m.blocks }));
    },
    async reply(parent, message, key) {
      const m = seal(message);
      const res = await call(`while replying in ${parent.channel} (thread ${parent.ts})`, () =>
        client.chat.postMessage({ channel: parent.channel, thread_ts: parent.ts, text: m.text, blocks: m.blocks, metadata: { event_type: ALERT_EVENT, event_payload: { key } }, unfurl_links: false, unfurl_media: false }));
      return { channel: res.channel ?? parent.channel, ts: res.ts! };
    },
    async findPosted(channel, key, since) {
      const oldest = slackTs(since.getTime() - LOOKUP_MARGIN_MS);
      const ts = await find(`while looking for alert ${key} in ${channel}`, (cursor) => client.conversations.history({ channel, limit: PER_PAGE, oldest, include_all_metadata: true, ...(cursor && { cursor }) }), key);
      return ts ? { channel, ts } : undefined;
    },
    async findReply(parent, key) {
      const ts = await find(`while looking for ${key} in the thread of ${parent.channel}`, (cursor) =>
        client.conversations.replies({ channel: parent.channel, ts: parent.ts, limit: PER_PAGE, include_all_metadata: true, ...(cursor && { cursor }) }), key);
      return ts ? { channel: parent.channel, ts } : undefined;
    },
  };
}

/** A time as a Slack message timestamp: seconds with six decimals. */
function slackTs(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(6);
}

function toPostError(doing: string, cause: unknown): AlertPostError {
  const e = cause as { code?: string; retryAfter?: number; data?: { error?: string } } | undefined;
  if (e?.code === ErrorCode.RateLimitedError) return new AlertPostError(`${doing}: rate limited by Slack`, { retryAfterMs: Math.max(1, e.retryAfter ?? 1) * 1000, cause });
  const slackError = e?.code === ErrorCode.PlatformError ? e.data?.error : undefined;
  const message = redactSecrets(`${doing}: ${slackError ?? (cause instanceof Error ? cause.message : String(cause))}`);
  return new AlertPostError(message, { permanent: slackError !== undefined && PERMANENT.has(slackError), messageGone: slackError === 'message_not_found', cause });
}
