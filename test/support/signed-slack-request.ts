// Builds requests the way Slack sends them: form-encoded slash commands and interactivity
// payloads, signed with v0 HMAC-SHA256 over `v0:<timestamp>:<body>`.
import { createHmac } from 'node:crypto';

export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SignedPostOptions {
  secret: string;
  /** Seconds since the epoch; defaults to now. */
  timestamp?: number;
  /** Overrides the computed signature (forgery tests). */
  signature?: string;
  /** More headers, e.g. Slack's x-slack-retry-num on a redelivery. */
  headers?: Record<string, string>;
}

export async function postSigned(url: string, body: string, options: SignedPostOptions): Promise<Response> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': options.signature ?? slackSignature(options.secret, timestamp, body),
      ...options.headers,
    },
    body,
  });
}

/** Slack gives every request its own trigger_id and action_ts: so do these builders. */
let sequence = 0;
function nextId(): string {
  sequence += 1;
  return `${Math.floor(Date.now() / 1000)}.${String(process.pid % 100_000).padStart(5, '0')}${String(sequence).padStart(6, '0')}`;
}

export interface SlashCommand {
  command: string;
  text: string;
  responseUrl: string;
  userId?: string;
  channelId?: string;
  /** Default: a new one per call, as Slack does (a replay sends the same body again). */
  triggerId?: string;
}

/** The fields of a slash command as Slack sends them: the form body over HTTP, the envelope payload in Socket Mode. */
export function slashCommandPayload(fields: SlashCommand): Record<string, string> {
  return {
    token: 'deprecated-verification-token',
    team_id: 'T0FAKE',
    team_domain: 'fake',
    channel_id: fields.channelId ?? 'C0OPS',
    channel_name: 'ops',
    user_id: fields.userId ?? 'U0ALICE',
    user_name: 'alice',
    command: fields.command,
    text: fields.text,
    api_app_id: 'A0APP',
    is_enterprise_install: 'false',
    response_url: fields.responseUrl,
    trigger_id: fields.triggerId ?? `${nextId()}.abcdef`,
  };
}

export function slashCommandBody(fields: SlashCommand): string {
  return new URLSearchParams(slashCommandPayload(fields)).toString();
}

export function blockActionBody(fields: { actionId: string; value: string; responseUrl: string; userId?: string; channelId?: string; actionTs?: string; messageTs?: string }): string {
  const messageTs = fields.messageTs ?? '1700000001.000100';
  const payload = {
    type: 'block_actions',
    team: { id: 'T0FAKE', domain: 'fake' },
    user: { id: fields.userId ?? 'U0ALICE', username: 'alice', team_id: 'T0FAKE' },
    api_app_id: 'A0APP',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: messageTs, channel_id: fields.channelId ?? 'C0OPS', is_ephemeral: false },
    trigger_id: `${nextId()}.abcdef`,
    channel: { id: fields.channelId ?? 'C0OPS', name: 'ops' },
    message: { type: 'message', ts: messageTs, text: 'report' },
    response_url: fields.responseUrl,
    actions: [{ type: 'button', action_id: fields.actionId, block_id: 'b1', value: fields.value, action_ts: fields.actionTs ?? nextId(), text: { type: 'plain_text', text: 'x' } }],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** A modal's submission: the view as the bot opened it, with the values the user typed. */
export function viewSubmissionBody(fields: { callbackId: string; privateMetadata: string; values: Record<string, Record<string, { type: string; value: string }>>; userId?: string }): string {
  const payload = {
    type: 'view_submission',
    team: { id: 'T0FAKE', domain: 'fake' },
    user: { id: fields.userId ?? 'U0ALICE', username: 'alice', team_id: 'T0FAKE' },
    api_app_id: 'A0APP',
    token: 'deprecated-verification-token',
    trigger_id: `${nextId()}.abcdef`,
    view: {
      id: `V0VIEW${sequence}`,
      team_id: 'T0FAKE',
      type: 'modal',
      callback_id: fields.callbackId,
      private_metadata: fields.privateMetadata,
      state: { values: fields.values },
      hash: `${nextId()}.abc`,
      blocks: [],
      app_id: 'A0APP',
      bot_id: 'B0BOT',
    },
    response_urls: [],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
