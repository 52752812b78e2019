// Which transport `npm start` runs (CHATOPS_MODE), and the playground's own settings from the
// environment. A bad value stops the start naming the variable, the value and what is accepted.
import { UserError } from '../user-error.ts';

export type ChatopsMode = 'slack' | 'playground';

export const PLAYGROUND_USER_PATTERN = /^[UW][A-Z0-9]{2,}$/;
export const DEFAULT_PLAYGROUND_USER = 'U0YOU';
export const DEFAULT_PLAYGROUND_HOST = '127.0.0.1';

export interface PlaygroundSettings {
  /** 0: any free port. */
  port: number;
  host: string;
  /** False when `host` is not the loopback address: the page is reachable from other machines and has no login. */
  loopbackOnly: boolean;
  /** The Slack-like id the page's person acts as (access rules name it). */
  userId: string;
  userName: string;
}

/**
 * CHATOPS_MODE: `slack` (today's start: the Slack credentials are required), `playground` (the page,
 * even with Slack credentials set), or unset: the playground when SLACK_BOT_TOKEN is not set.
 */
export function readChatopsMode(env: NodeJS.ProcessEnv): ChatopsMode {
  const mode = env.CHATOPS_MODE;
  if (mode === undefined || mode === '') return env.SLACK_BOT_TOKEN ? 'slack' : 'playground';
  if (mode === 'slack' || mode === 'playground') return mode;
  throw new UserError(`CHATOPS_MODE=${JSON.stringify(mode)} is not accepted: expected slack (run against Slack; needs the Slack credentials), playground (the bot in a browser page on this machine), or unset (the playground when SLACK_BOT_TOKEN is not set)`);
}

export function readPlaygroundSettings(env: NodeJS.ProcessEnv): PlaygroundSettings {
  const rawPort = env.PORT ?? '';
  const port = rawPort === '' ? 3000 : /^\d{1,5}$/.test(rawPort) ? Number(rawPort) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UserError(`PORT=${JSON.stringify(rawPort)} is not accepted: expected a port number 0-65535 (0: any free port; default 3000)`);
  }
  const host = env.PLAYGROUND_HOST || DEFAULT_PLAYGROUND_HOST;
  if (!isHostName(host)) {
    throw new UserError(`PLAYGROUND_HOST=${JSON.stringify(host)} is not accepted: expected an IP address or host name to listen on (default ${DEFAULT_PLAYGROUND_HOST}: this machine only; 0.0.0.0 or :: for every interface)`);
  }
  const userId = env.CHATOPS_PLAYGROUND_USER || DEFAULT_PLAYGROUND_USER;
  if (!PLAYGROUND_USER_PATTERN.test(userId)) {
    throw new UserError(`CHATOPS_PLAYGROUND_USER=${JSON.stringify(userId)} is not accepted: expected a Slack user id like U0123ABCD (U or W, then capital letters and digits; default ${DEFAULT_PLAYGROUND_USER})`);
  }
  return { port, host, loopbackOnly: host === DEFAULT_PLAYGROUND_HOST, userId, userName: 'you' };
}

/** An IPv4 or IPv6 address, or a DNS name: what net.Server#listen takes as a host. */
function isHostName(host: string): boolean {
  if (/^[0-9a-fA-F:.]+$/.test(host) && host.includes(':')) return true; // IPv6
  return host.length <= 253 && /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*$/.test(host);
}
