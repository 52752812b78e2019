// /healthz, /readyz and /metrics on the bot's HTTP port, served the same by every transport (Slack's
// receivers and the playground's server): answered without a log line, since probes and scrapes
// come every few seconds.
import type { Logger } from '../logger.ts';
import { metricsRoute, type MetricsRoute } from './metrics-route.ts';

/** Whether the bot can take work, and why not. */
export interface Readiness {
  ready: boolean;
  reasons: string[];
}

export function healthRoutes(readiness: () => Promise<Readiness>, log: Logger): MetricsRoute[] {
  return [
    metricsRoute(log),
    {
      path: '/healthz',
      method: ['GET'],
      handler: (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true }));
      },
    },
    {
      path: '/readyz',
      method: ['GET'],
      handler: (_req, res) => {
        readiness()
          .catch((e: unknown) => ({ ready: false, reasons: [`readiness check failed: ${(e as Error).message}`] }))
          .then((r) => {
            res.writeHead(r.ready ? 200 : 503, { 'content-type': 'application/json' });
            res.end(JSON.stringify(r));
          });
      },
    },
  ];
}
