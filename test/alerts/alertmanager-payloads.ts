// Alertmanager's webhook payloads (version 4) as its notifier builds them: the group's key as the
// route tree renders it, the group and common labels and annotations, each alert with its
// fingerprint, Go's zero time as endsAt of a firing alert from a rule (or the estimate Alertmanager
// keeps), and the resolved alerts of the group while send_resolved is on. The firing fixture in
// fixtures/ is one such body as Alertmanager 0.27 sent it; these builders vary it.
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface FixtureAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

export type Payload = Record<string, unknown> & { alerts: FixtureAlert[] };

export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

export function postgresDownFiring(): Payload {
  return JSON.parse(readFileSync(path.join(import.meta.dirname, 'fixtures/postgres-down-firing.json'), 'utf8')) as Payload;
}

/** An alert of the HighErrorRate rule for one service. */
export function errorRateAlert(service: string, startsAt: string, fingerprint: string, resolvedAt?: string): FixtureAlert {
  return {
    status: resolvedAt ? 'resolved' : 'firing',
    labels: { alertname: 'HighErrorRate', job: 'api', namespace: 'shop', service, severity: 'warning', prometheus: 'monitoring/k8s' },
    annotations: { summary: `5xx ratio above 5% on ${service}`, description: `${service} answered more than 5% of requests with a 5xx over the last 5 minutes.` },
    startsAt,
    endsAt: resolvedAt ?? GO_ZERO_TIME,
    generatorURL: 'http://prometheus-k8s-0:9090/graph?g0.expr=sum+by+%28service%29+%28rate%28http_requests_total%7Bcode%3D~%225..%22%7D%5B5m%5D%29%29&g0.tab=1',
    fingerprint,
  };
}

/** The HighErrorRate group's notification for these alerts (status: firing while any is). */
export function errorRateGroup(alerts: FixtureAlert[], groupKey = '{}:{alertname="HighErrorRate"}'): Payload {
  const status = alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved';
  const common = Object.fromEntries(Object.entries(alerts[0]!.labels).filter(([k, v]) => alerts.every((a) => a.labels[k] === v)));
  const commonAnnotations = Object.fromEntries(Object.entries(alerts[0]!.annotations).filter(([k, v]) => alerts.every((a) => a.annotations[k] === v)));
  return {
    receiver: 'chatops',
    status,
    alerts,
    groupLabels: { alertname: 'HighErrorRate' },
    commonLabels: common,
    commonAnnotations,
    externalURL: 'http://alertmanager-main-0:9093',
    version: '4',
    groupKey,
    truncatedAlerts: 0,
  };
}

/** The firing fixture turned resolved at `endsAt`, as Alertmanager sends it with send_resolved. */
export function resolvedOf(p: Payload, endsAt: string): Payload {
  const alerts = p.alerts.map((a) => ({ ...a, status: 'resolved' as const, endsAt }));
  return { ...p, status: 'resolved', alerts };
}
