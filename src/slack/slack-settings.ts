// The Slack credentials and transport settings, from the environment. Missing ones stop the bot
// with a message saying which and where they come from.
import { UserError } from '../user-error.ts';
import { responseUrlBases } from './response-urls.ts';

export interface SlackSettings {
  botToken: string;
  signingSecret?: string;
  /** Set: Socket Mode. Unset: HTTP on `port` at /slack/events. */
  appToken?: string;
  apiUrl?: string;
  port: number;
  /** Where the bot may answer through a response_url (responseUrlBases). */
  responseUrlBases: string[];
}

export function readSlackSettings(env: NodeJS.ProcessEnv = process.env): SlackSettings {
  const appToken = env.SLACK_APP_TOKEN || undefined;
  const required = appToken ? ['SLACK_BOT_TOKEN'] : ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET'];
  const missing = required.filter((k) => !env[k]);
  if (missing.length) {
    throw new UserError(
      `missing ${missing.join(' and ')}. Create the Slack app from manifest.yml (api.slack.com/apps -> Create New App -> From a manifest), ` +
        'install it to your workspace, then set SLACK_BOT_TOKEN to its Bot User OAuth Token (OAuth & Permissions, xoxb-...) and ' +
        'SLACK_SIGNING_SECRET to its Signing Secret (Basic Information). For Socket Mode instead of a public URL, also set ' +
        'SLACK_APP_TOKEN to an app-level token with connections:write (xapp-...). See README.md, "Create the Slack app".',
    );
  }
  if (appToken && !appToken.startsWith('xapp-')) throw new UserError('SLACK_APP_TOKEN must be an app-level token starting with xapp-');
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`PORT must be a port number 0-65535, got "${env.PORT}"`);
  return { botToken: env.SLACK_BOT_TOKEN!, signingSecret: env.SLACK_SIGNING_SECRET, appToken, apiUrl: env.SLACK_API_URL || undefined, port, responseUrlBases: responseUrlBases(env) };
}
