// The alertmanager kind: alive and ready, and the active alerts nobody has silenced, read from its
// HTTP API at once within the target's timeout (api-session.ts). Failed calls are findings.
import type { CheckDefinition, KindDefinition } from '../probe-definition.ts';
import { apiTargetSchema, type ApiTarget } from '../http/api-target.ts';
import type { ApiCheckContext } from '../http/failed-call.ts';
import { describeHttpEndpoint } from '../http/describe-endpoint.ts';
import { targetSecrets } from '../http/secrets.ts';
import { KIND, type AlertmanagerCheckName } from './check-context.ts';
import { checkAlerts } from './checks/alerts.ts';
import { checkReachable } from './checks/reachable.ts';

type AlertmanagerCheck = CheckDefinition<ApiCheckContext> & { name: AlertmanagerCheckName };

const checks: readonly AlertmanagerCheck[] = [
  {
    name: 'reachable',
    label: 'Reachability',
    description: '/-/healthy and /-/ready: unreachable or unhealthy is critical, healthy but not ready a warning. A host name that does not resolve is the bot\'s configuration (unknown).',
    run: checkReachable,
  },
  {
    name: 'alerts',
    label: 'Active alerts',
    description: 'Active, unsilenced, uninhibited alerts (/api/v2/alerts) by severity label and alertname: a critical one is critical, a warning one a warning.',
    run: checkAlerts,
  },
];

export const alertmanagerKind: KindDefinition<ApiTarget, ApiCheckContext> = {
  kind: KIND,
  aliases: ['am'],
  description: 'Alertmanager: healthy and ready, active unsilenced alerts by severity',
  targetSchema: apiTargetSchema,
  fromUrl: (url) => ({ url }),
  checks,
  actions: [],
  trends: [],
  secrets: (target) => targetSecrets(target.url, target.headers),
  describeEndpoint: (target) => describeHttpEndpoint(target.url),
  runtime: async () => (await import('../http/api-session.ts')).apiSession,
};
