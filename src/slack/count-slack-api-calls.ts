// Every Slack Web API call the bot makes, counted in one place: WebClient's apiCall, which every
// client goes through (Bolt's listeners' clients, the digests' and pages' own, the directory's).
// Patched once per process on the class, so a client made anywhere, by us or by Bolt, is counted.
import { WebClient } from '@slack/web-api';
import { metrics } from '../metrics/metrics.ts';

const PATCHED = Symbol.for('chatops.countSlackApiCalls');
/** Slack's method names (chat.postMessage, admin.conversations.search); anything else is `other`, keeping the label bounded. */
const METHOD = /^[a-z]+(\.[a-zA-Z]+){1,3}$/;

type Proto = { apiCall: WebClient['apiCall']; emit: (event: string | symbol, ...args: unknown[]) => boolean; [PATCHED]?: true };

export function countSlackApiCalls(): void {
  const proto = WebClient.prototype as unknown as Proto;
  if (proto[PATCHED]) return;
  proto[PATCHED] = true;
  const apiCall = proto.apiCall;
  proto.apiCall = async function (this: WebClient, method, options) {
    const label = methodLabel(method);
    try {
      const result = await apiCall.call(this, method, options);
      metrics.slackApiCallsTotal.inc({ method: label, outcome: 'ok' });
      return result;
    } catch (error) {
      metrics.slackApiCallsTotal.inc({ method: label, outcome: isRateLimited(error) ? 'rate_limited' : 'error' });
      throw error;
    }
  } as WebClient['apiCall'];
  // The client says `rate_limited` on each 429, also the ones it waits out and retries.
  const emit = proto.emit;
  proto.emit = function (this: WebClient, event, ...args) {
    if (event === 'rate_limited') {
      const url = (args[1] as { url?: unknown } | undefined)?.url;
      metrics.slackRateLimitedTotal.inc({ method: methodLabel(typeof url === 'string' ? url.slice(url.lastIndexOf('/') + 1) : '') });
    }
    return emit.call(this, event, ...args);
  };
}

function methodLabel(method: string): string {
  return METHOD.test(method) ? method : 'other';
}

/** Given up on a 429: refused at once (rejectRateLimitedCalls), or retried until the retries ran out. */
function isRateLimited(error: unknown): boolean {
  const e = error as { code?: unknown; original?: { message?: unknown } } | undefined;
  if (e?.code === 'slack_webapi_rate_limited_error') return true;
  return e?.code === 'slack_webapi_request_error' && typeof e.original?.message === 'string' && e.original.message.startsWith('A rate limit was exceeded');
}
