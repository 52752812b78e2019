// Checks the bot token with auth.test before the app starts, so that a wrong token or an
// unreachable Slack stops the bot with a clear message (Bolt would otherwise call auth.test in
// the background and crash on an unhandled rejection). The ids it returns spare Bolt the call.
import { WebClient, type WebAPICallError } from '@slack/web-api';
import { UserError } from '../user-error.ts';

export interface BotIdentity {
  botId: string;
  botUserId: string;
  teamId?: string;
}

const REJECTED_TOKEN = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'not_allowed_token_type']);

export async function verifyBotToken(token: string, apiUrl: string | undefined): Promise<BotIdentity> {
  const client = new WebClient(token, { slackApiUrl: apiUrl, retryConfig: { retries: 1, minTimeout: 200, maxTimeout: 1_000 } });
  const where = apiUrl ?? 'https://slack.com/api/';
  try {
    const res = await client.auth.test();
    if (!res.bot_id || !res.user_id) {
      throw new UserError('SLACK_BOT_TOKEN is not a bot token (auth.test returned no bot id): use the Bot User OAuth Token (xoxb-...) from OAuth & Permissions');
    }
    return { botId: res.bot_id, botUserId: res.user_id, teamId: res.team_id };
  } catch (error) {
    if (error instanceof UserError) throw error;
    const e = error as WebAPICallError & { data?: { error?: string } };
    const code = e.data?.error;
    if (code && REJECTED_TOKEN.has(code)) {
      throw new UserError(`SLACK_BOT_TOKEN was rejected by Slack (${code}): copy the Bot User OAuth Token (xoxb-...) of the installed app from OAuth & Permissions`, { cause: error });
    }
    throw new UserError(`cannot reach the Slack Web API at ${where} to check SLACK_BOT_TOKEN (${code ?? e.message}); check the network, proxy or SLACK_API_URL`, { cause: error });
  }
}
