// Where the bot may answer through a request's response_url: Slack's own hooks, the origin of
// SLACK_API_URL (a proxy in front of Slack, or a local stand-in in tests) and any base named in
// SLACK_RESPONSE_URL_BASE. A request naming any other URL is refused: an answer (a confirmation
// prompt, a report with its signed buttons) must go to Slack, never to whoever forged the request.
import { UserError } from '../user-error.ts';

const SLACK_HOOKS = 'https://hooks.slack.com/';

export function responseUrlBases(env: NodeJS.ProcessEnv): string[] {
  const bases = [SLACK_HOOKS];
  if (env.SLACK_API_URL) bases.push(`${originOf(env.SLACK_API_URL, 'SLACK_API_URL')}/`);
  for (const base of (env.SLACK_RESPONSE_URL_BASE ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    bases.push(`${originOf(base, 'SLACK_RESPONSE_URL_BASE')}/`);
  }
  return bases;
}

/** Whether `url` is one the bot may answer to: it parses, and its origin is one of `bases`. */
export function isTrustedResponseUrl(url: unknown, bases: readonly string[]): boolean {
  if (typeof url !== 'string') return false;
  try {
    const u = new URL(url);
    return bases.includes(`${u.origin}/`) && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

/** The response URLs a request names (interactivity payloads and slash commands), trusted or not. */
export function responseUrlsOf(body: Record<string, unknown>): unknown[] {
  const urls: unknown[] = [];
  if ('response_url' in body) urls.push(body.response_url);
  if (Array.isArray(body.response_urls)) for (const r of body.response_urls) urls.push((r as { response_url?: unknown } | null)?.response_url);
  return urls;
}

function originOf(url: string, name: string): string {
  try {
    return new URL(url).origin;
  } catch {
    throw new UserError(`${name} is not a URL: "${url.slice(0, 80)}"`);
  }
}
