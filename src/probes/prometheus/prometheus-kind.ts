// The prometheus kind: health, scrape targets, alerts, rule evaluation, Alertmanager discovery and
// the target's PromQL checks (queries:, queryPacks:), all read from the HTTP API at once within
// the target's timeout (prometheus-session.ts over ../http/api-session.ts).
// Every failed call (no answer, 5xx, an error body, malformed JSON) is a finding, never an exception.
import type { CheckDefinition, KindDefinition } from '../probe-definition.ts';
import { describeHttpEndpoint } from '../http/describe-endpoint.ts';
import { targetSecrets } from '../http/secrets.ts';
import { KIND, type PrometheusCheckName, type PrometheusContext } from './check-context.ts';
import { checkAlertmanagers } from './checks/alertmanagers.ts';
import { checkAlerts } from './checks/alerts.ts';
import { checkQueries } from './checks/query.ts';
import { checkReachable } from './checks/reachable.ts';
import { checkRules } from './checks/rules.ts';
import { checkTargets } from './checks/targets.ts';
import { prometheusTargetSchema, type PrometheusTarget } from './prometheus-target.ts';
import { parseQueryConfig } from './query-config.ts';
import type { WorkloadRefWords } from '../kubernetes/logs/workload-ref.ts';

type PrometheusCheck = CheckDefinition<PrometheusContext> & { name: PrometheusCheckName };

const checks: readonly PrometheusCheck[] = [
  {
    name: 'reachable',
    label: 'Reachability',
    description: '/-/healthy answers 200 (or, where it is not exposed, /api/v1/status/buildinfo answers); the version; otherwise the error class. A host name that does not resolve is the bot\'s configuration (unknown).',
    run: checkReachable,
  },
  {
    name: 'targets',
    label: 'Scrape targets',
    description:
      'Active targets whose health is not up, with lastError, grouped by job: some down is a warning, a whole job down critical; none at all a warning. Within 2 minutes of Prometheus\' start (/api/v1/status/runtimeinfo startTime) no targets, or targets not scraped yet, are "just started" (unknown).',
    run: checkTargets,
  },
  {
    name: 'alerts',
    label: 'Alerts',
    description: 'Firing alerts counted by severity label (critical firing = crit, warning firing = warn); pending alerts listed.',
    run: checkAlerts,
  },
  {
    name: 'rules',
    label: 'Rules',
    description: 'Rules that fail to evaluate (health err, lastError) and groups slower than their interval: a warning.',
    run: checkRules,
  },
  {
    name: 'alertmanagers',
    label: 'Alertmanagers',
    description: 'Alertmanagers Prometheus sends alerts to; none active is a warning (alerts go nowhere), or "just started" (unknown) within 2 minutes of Prometheus\' start.',
    run: checkAlertmanagers,
  },
  {
    name: 'query',
    label: 'PromQL queries',
    description:
      'Each query of the target (queries:, and the packs switched on with queryPacks:) by instant query, as its own finding prometheus.query.<name>: warn or crit when a series is at or past the threshold (direction above or below), counting the series past it and naming the worst five; no series is ok ("no series") unless the metric the query reads (its requires; every pack query has one) does not exist at all, which is unknown ("no data"); an expression Prometheus rejects, a range vector or only NaN is unknown.',
    applies: (ctx) => ctx.queries.length > 0 || ctx.queryProblem !== undefined,
    run: checkQueries,
  },
];

export const prometheusKind: KindDefinition<PrometheusTarget, PrometheusContext> = {
  kind: KIND,
  aliases: ['prom'],
  description: 'Prometheus: health, scrape targets down by job, firing alerts, rule evaluation errors, Alertmanager connection, PromQL checks with thresholds',
  targetSchema: prometheusTargetSchema,
  fromUrl: (url) => ({ url }),
  checks,
  actions: [],
  trends: [],
  secrets: (target) => targetSecrets(target.url, target.headers),
  describeEndpoint: (target) => describeHttpEndpoint(target.url),
  runtime: async () => (await import('./prometheus-session.ts')).prometheusSession,
  evidence: async (target, findings, context) => {
    const parsed = parseQueryConfig(target);
    const byCheck = new Map<string, WorkloadRefWords>(parsed.ok ? parsed.queries.flatMap((q) => (q.workload ? [[`${KIND}.query.${q.name}`, q.workload] as const] : [])) : []);
    if (byCheck.size === 0) return [...findings];
    const { withWorkloadLogs } = await import('../kubernetes/logs/workload-evidence.ts');
    return await withWorkloadLogs(findings, context, (f) => (f.status === 'crit' || f.status === 'warn' ? byCheck.get(f.check) : undefined));
  },
};
