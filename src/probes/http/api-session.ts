// A run of a JSON-API kind (prometheus, alertmanager): one client and one deadline for every
// check. The checks run at once; a check the deadline cuts short is `unknown` (the reachable one
// `crit`: the server did not answer), and when no call got any answer only the reachable finding
// is kept: the others would repeat its cause.
import type { KindRuntime } from '../probe-definition.ts';
import type { ApiTarget } from './api-target.ts';
import { failureMessage } from './classify-error.ts';
import type { ApiCheckContext } from './failed-call.ts';
import { ApiClient } from './json-api.ts';
import { Deadline, findingFor } from './probe-support.ts';

/** How long after the calls' own deadline the engine stops waiting (as Deadline.race allows). */
const DEADLINE_SLACK_MS = 250;

export const apiSession: KindRuntime<ApiTarget, ApiCheckContext> = {
  async open(target, run) {
    const finding = findingFor(target.kind);
    const deadline = new Deadline(run.signal, run.timeoutMs);
    const opened = performance.now();
    let api: ApiClient;
    try {
      api = new ApiClient(target.url, target.headers, deadline, run.secrets);
    } catch (e) {
      return { stop: [finding('reachable', 'crit', `Unreachable: invalid URL (${failureMessage(e)})`, { fix: 'write the base URL like http://prometheus:9090 (http or https).' })] };
    }
    return {
      ctx: { api, timeoutMs: deadline.timeoutMs, now: new Date(), url: target.url, urlKey: `targets.${target.name}.url` },
      // The calls end at the deadline on their own (a timeout finding names what did not answer);
      // the engine's cut comes a little later, for a check that would not stop.
      budgetMs: deadline.timeoutMs + DEADLINE_SLACK_MS - (performance.now() - opened),
      describeError: failureMessage,
      unfinished: (check, cancelled) =>
        finding(check.name, check.name === 'reachable' && !cancelled ? 'crit' : 'unknown', `${check.label}: could not check (${cancelled ? 'the probe was cancelled' : `no answer within ${deadline.timeoutMs} ms`})`),
      // Every check calls the server: when not one call got an answer, they all failed alike.
      finish: (findings, byCheck) => (api.answered === 0 ? byCheck.filter((r) => r.check.name === 'reachable').flatMap((r) => r.findings) : findings),
    };
  },
};
