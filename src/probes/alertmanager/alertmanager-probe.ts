// The Alertmanager probe: alive and ready, and the active alerts nobody has silenced, read from
// its HTTP API at once within the target's timeout. Failed calls are findings, never exceptions.
import type { Finding } from '../../report.ts';
import type { ProbeContext, ProbeDefinition } from '../probe-definition.ts';
import { apiTargetSchema, checkSpecs, runApiProbe, type ApiCheck, type ApiTarget } from '../http/api-probe.ts';
import { KIND } from './check-context.ts';
import { checkAlerts } from './checks/alerts.ts';
import { checkReachable } from './checks/reachable.ts';

export type AlertmanagerTarget = ApiTarget;

const CHECKS: readonly ApiCheck[] = [
  {
    name: 'reachable',
    label: 'Reachability',
    description: '/-/healthy and /-/ready: unreachable or unhealthy is critical, healthy but not ready a warning.',
    run: checkReachable,
  },
  {
    name: 'alerts',
    label: 'Active alerts',
    description: 'Active, unsilenced, uninhibited alerts (/api/v2/alerts) by severity label and alertname: a critical one is critical, a warning one a warning.',
    run: checkAlerts,
  },
];

export const alertmanagerProbe: ProbeDefinition<AlertmanagerTarget> = {
  kind: KIND,
  aliases: ['am'],
  description: 'Alertmanager: healthy and ready, active unsilenced alerts by severity',
  checks: checkSpecs(CHECKS),
  targetSchema: apiTargetSchema,
  fromUrl: (url) => ({ url }),
  run: (target: AlertmanagerTarget, ctx: ProbeContext): Promise<Finding[]> => runApiProbe(KIND, CHECKS, target, ctx),
};
