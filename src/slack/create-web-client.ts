// The Web API client the bot calls Slack with outside a request: digests, the thread notes of
// interrupted remedies, user-group members for the ladder and the access rules, the ladder's
// pre-flight check. It is made from the settings alone, before the Bolt app, so every service that
// posts exists before the app is handed the services. Same options as the app's own client.
import { retryPolicies, WebClient } from '@slack/web-api';
import { countSlackApiCalls } from './count-slack-api-calls.ts';
import type { SlackSettings } from './slack-settings.ts';

export function createWebClient(settings: Pick<SlackSettings, 'botToken' | 'apiUrl'>): WebClient {
  // Every client's calls are counted from here on, Bolt's included (one patch of WebClient's apiCall).
  countSlackApiCalls();
  // A call lost to a network blip is retried for a few minutes, not the default half hour.
  return new WebClient(settings.botToken, { slackApiUrl: settings.apiUrl, retryConfig: retryPolicies.fiveRetriesInFiveMinutes });
}
