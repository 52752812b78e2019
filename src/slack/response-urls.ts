// Where the bot may answer through a request's response_url: Slack's own hooks (this workspace's
// command, action and app URLs), the origin of SLACK_API_URL (a proxy in front of Slack, or a local
// stand-in in tests) and any base named in SLACK_RESPONSE_URL_BASE. A request naming any other URL is refused: an answer (a confirmation
// prompt, a report with its signed buttons) must go to Slack, never to whoever forged the request.
import { UserError } from '../user-error.ts';

const SLACK_HOOKS = 'https://hooks.slack.com/';

/** Where answers may go: these origins, and on Slack's hooks only this workspace's URLs. */
export interface ResponseUrlPolicy {
  bases: readonly string[];
  /** The bot's own workspace (from auth.test): a hooks.slack.com URL must be one of its. */
  teamId?: string;
}

export function responseUrlBases(env: NodeJS.ProcessEnv): string[] {
  const bases = [SLACK_HOOKS];
  // A proxy in front of Slack, or a stand-in in tests; Slack's own API host answers nothing.
  if (env.SLACK_API_URL) {
    const origin = originOf(env.SLACK_API_URL, 'SLACK_API_URL');
    if (!/^https:\/\/([a-z0-9-]+\.)*slack\.com$/i.test(origin)) bases.push(`${origin}/`);
  }
  for (const base of (env.SLACK_RESPONSE_URL_BASE ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    bases.push(`${originOf(base, 'SLACK_RESPONSE_URL_BASE')}/`);
  }
  return bases;
}

/**
 * Whether `url` is one the bot may answer to: a string that parses, without credentials, on one
 * of the bases; on Slack's hooks, a command's, an action's or an app's URL of the bot's own
 * workspace (not an incoming webhook, not another workspace's).
 */
export function isTrustedResponseUrl(url: unknown, policy: ResponseUrlPolicy): boolean {
  if (typeof url !== 'string' || url === '') return false;
  try {
    const u = new URL(url);
    if (!policy.bases.includes(`${u.origin}/`) || u.username !== '' || u.password !== '') return false;
    if (`${u.origin}/` !== SLACK_HOOKS) return true;
    const team = /^\/(?:commands|actions|app)\/(T[A-Z0-9]+)\//.exec(u.pathname)?.[1];
    return team !== undefined && (policy.teamId === undefined || team === policy.teamId);
  } catch {
    return false;
  }
}

/**
 * Every response URL Bolt could answer to for this body, read the way Bolt reads them
 * (`response_url`, else `response_urls[0]`): a value that is not a string, or a `response_urls`
 * that is not an array, is listed as it is, and so is never trusted.
 */
export function responseUrlsOf(body: Record<string, unknown>): unknown[] {
  const urls: unknown[] = [];
  if ('response_url' in body) urls.push(body.response_url);
  if ('response_urls' in body) {
    const list = body.response_urls;
    if (!Array.isArray(list)) urls.push(list);
    else for (const r of list) urls.push(r && typeof r === 'object' ? (r as { response_url?: unknown }).response_url : r);
  }
  return urls;
}

function originOf(url: string, name: string): string {
  try {
    return new URL(url).origin;
  } catch {
    throw new UserError(`${name} is not a URL: "${url.slice(0, 80)}"`);
  }
}
