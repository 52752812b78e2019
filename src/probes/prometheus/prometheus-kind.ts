// The prometheus kind: health, scrape targets, alerts, rule evaluation and Alertmanager
// discovery, all read from the HTTP API at once within the target's timeout (api-session.ts).
// Every failed call (no answer, 5xx, an error body, malformed JSON) is a finding, never an exception.
import type { CheckDefinition, KindDefinition } from '../probe-definition.ts';
import { apiTargetSchema, type ApiTarget } from '../http/api-target.ts';
import type { ApiCheckContext } from '../http/failed-call.ts';
import { describeHttpEndpoint } from '../http/describe-endpoint.ts';
import { targetSecrets } from '../http/secrets.ts';
import { KIND, type PrometheusCheckName } from './check-context.ts';
import { checkAlertmanagers } from './checks/alertmanagers.ts';
import { checkAlerts } from './checks/alerts.ts';
import { checkReachable } from './checks/reachable.ts';
import { checkRules } from './checks/rules.ts';
import { checkTargets } from './checks/targets.ts';

type PrometheusCheck = CheckDefinition<ApiCheckContext> & { name: PrometheusCheckName };

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
];

export const prometheusKind: KindDefinition<ApiTarget, ApiCheckContext> = {
  kind: KIND,
  aliases: ['prom'],
  description: 'Prometheus: health, scrape targets down by job, firing alerts, rule evaluation errors, Alertmanager connection',
  targetSchema: apiTargetSchema,
  fromUrl: (url) => ({ url }),
  checks,
  actions: [],
  trends: [],
  secrets: (target) => targetSecrets(target.url, target.headers),
  describeEndpoint: (target) => describeHttpEndpoint(target.url),
  runtime: async () => (await import('../http/api-session.ts')).apiSession,
};
