// A run of the sendgrid kind: one client (the key as a Bearer token) and one deadline for every
// call. The key's scopes are read first (sendgrid.auth): a key SendGrid rejects, a rate limit, or
// no answer at all stops the run with that one finding (every other call would fail alike). The
// checks then run at once; the day stats are read once for the two checks that judge them.
import type { KindRuntime } from '../probe-definition.ts';
import { failureMessage } from '../http/classify-error.ts';
import { ApiClient } from '../http/json-api.ts';
import { Deadline } from '../http/probe-support.ts';
import { findingFor } from '../finding-for.ts';
import { finding, KIND, type SendgridContext } from './check-context.ts';
import { judgeAuth, scopesSchema } from './checks/auth.ts';
import { SendgridApi } from './sendgrid-api.ts';
import type { SendgridTarget } from './sendgrid-kind.ts';
import { readStatsWindow, type StatsWindow } from './stats-window.ts';

/** How long after the calls' own deadline the engine stops waiting (as Deadline.race allows). */
const DEADLINE_SLACK_MS = 250;
/** Requests (delivered messages for spam reports) below which a rate is not judged, unless the target sets minRequests. */
const DEFAULT_MIN_REQUESTS = 100;

export const sendgridSession: KindRuntime<SendgridTarget, SendgridContext> = {
  async open(target, run) {
    const deadline = new Deadline(run.signal, run.timeoutMs);
    const opened = performance.now();
    const at = `targets.${target.name}`;
    let client: ApiClient;
    try {
      client = new ApiClient(target.url, { authorization: `Bearer ${target.apiKey}` }, deadline, run.secrets);
    } catch (e) {
      return { stop: [finding('auth', 'unknown', `Not checked: invalid url (${failureMessage(e)})`, { fix: `write ${at}.url as scheme, host and port only, like https://api.sendgrid.com.`, config: true })] };
    }
    const now = new Date();
    const api = new SendgridApi(client, [target.apiKey, ...(run.secrets ?? [])]);
    const auth = judgeAuth(await api.getJson('v3/scopes', scopesSchema), { url: target.url, at });
    if ('stop' in auth) return { stop: auth.stop };
    let stats: Promise<StatsWindow> | undefined;
    return {
      lead: [auth.lead],
      ctx: {
        api,
        scopes: auth.scopes,
        // The schema lower-cases it; a target built in code may not have been parsed.
        sendingDomain: target.sendingDomain?.trim().toLowerCase().replace(/\.$/, '') || undefined,
        minRequests: target.minRequests ?? DEFAULT_MIN_REQUESTS,
        at,
        stats: () => (stats ??= readStatsWindow(api, now)),
      },
      // The calls end at the deadline on their own (a timeout finding names what did not answer);
      // the engine's cut comes a little later, for a check that would not stop.
      budgetMs: deadline.timeoutMs + DEADLINE_SLACK_MS - (performance.now() - opened),
      describeError: failureMessage,
      unfinished: (check, cancelled) => findingFor(KIND)(check.name, 'unknown', `${check.label}: could not check (${cancelled ? 'the probe was cancelled' : `no answer within ${deadline.timeoutMs} ms`})`),
    };
  },
};
