// A run of the prometheus kind: the JSON-API session (one client, one deadline; see
// ../http/api-session.ts) with the target's PromQL queries added to what the checks receive.
import type { KindRuntime } from '../probe-definition.ts';
import { apiSession } from '../http/api-session.ts';
import type { PrometheusContext } from './check-context.ts';
import { describeQueryIssues, parseQueryConfig } from './query-config.ts';
import type { PrometheusTarget } from './prometheus-target.ts';

export const prometheusSession: KindRuntime<PrometheusTarget, PrometheusContext> = {
  async open(target, run) {
    const opened = await apiSession.open(target, run);
    if (!('ctx' in opened)) return opened;
    const targetKey = `targets.${target.name}`;
    const parsed = parseQueryConfig(target, targetKey);
    const ctx: PrometheusContext = parsed.ok
      ? { ...opened.ctx, queries: parsed.queries, targetKey }
      : { ...opened.ctx, queries: [], queryProblem: describeQueryIssues(targetKey, parsed.issues), targetKey };
    return { ...opened, ctx };
  },
};
