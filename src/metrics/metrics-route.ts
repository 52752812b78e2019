// GET /metrics on the bot's HTTP port (both modes, next to /healthz and /readyz): the registry in
// Prometheus' text format. Not logged: a scrape every few seconds would drown the operations lines.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger.ts';
import { metrics } from './metrics.ts';

/** A scrape-time measurement slower than this is skipped: the scrape answers with its last value. */
const MEASURE_BUDGET_MS = 2_000;

/** A custom route as Bolt's receivers take it (both modes serve the same routes). */
export interface MetricsRoute {
  path: string;
  method: string[];
  handler(req: IncomingMessage, res: ServerResponse): void;
}

export function metricsRoute(log: Logger): MetricsRoute {
  return {
    path: '/metrics',
    method: ['GET'],
    handler: (_req, res) => {
      void (async () => {
        await Promise.all([...metrics.beforeScrape].map((measure) => withinBudget(measure(), log)));
        const body = await metrics.registry.metrics();
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(body);
      })().catch((err: unknown) => {
        log.warn({ err }, 'the metrics could not be read for a scrape');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('metrics unavailable: see the bot\'s log');
      });
    },
  };
}

async function withinBudget(measure: Promise<void>, log: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, MEASURE_BUDGET_MS);
  });
  await Promise.race([measure.catch((err: unknown) => log.warn({ err }, 'a scrape-time measurement failed: its gauge keeps its last value')), late]);
  clearTimeout(timer);
}
