// The parts of the Prometheus HTTP API (/api/v1) the checks read. Every answer is the envelope
// {"status":"success","data":...}; fields that differ between versions are optional, and
// unknown fields are ignored.
import { z } from 'zod';

const labels = z.record(z.string(), z.string());

function envelope<T extends z.ZodType>(data: T) {
  return z.object({ status: z.literal('success'), data, warnings: z.array(z.string()).optional() });
}

export const buildInfoSchema = envelope(z.object({ version: z.string(), revision: z.string().optional() }));

/**
 * /api/v1/status/runtimeinfo: startTime is RFC 3339 with nanoseconds ("2025-07-14T16:15:23.123456789Z");
 * serverTime (Prometheus 3) is the server's clock when it answered.
 */
export const runtimeInfoSchema = envelope(z.object({ startTime: z.string(), serverTime: z.string().optional() }));

export const targetsSchema = envelope(
  z.object({
    activeTargets: z.array(
      z.object({
        labels: labels.optional(),
        discoveredLabels: labels.optional(),
        scrapePool: z.string().optional(),
        scrapeUrl: z.string().optional(),
        lastError: z.string().optional(),
        lastScrape: z.string().optional(),
        lastScrapeDuration: z.number().optional(),
        health: z.string(),
      }),
    ),
  }),
);
export type ActiveTarget = z.infer<typeof targetsSchema>['data']['activeTargets'][number];

export const alertsSchema = envelope(
  z.object({
    alerts: z.array(
      z.object({
        labels,
        annotations: labels.optional(),
        state: z.string(),
        activeAt: z.string().optional(),
        value: z.string().optional(),
      }),
    ),
  }),
);

export const rulesSchema = envelope(
  z.object({
    groups: z.array(
      z.object({
        name: z.string(),
        file: z.string().optional(),
        /** Seconds. */
        interval: z.number().optional(),
        /** Seconds the last evaluation of the whole group took. */
        evaluationTime: z.number().optional(),
        lastEvaluation: z.string().optional(),
        rules: z.array(
          z.object({
            name: z.string(),
            type: z.string().optional(),
            health: z.string().optional(),
            lastError: z.string().optional(),
          }),
        ),
      }),
    ),
  }),
);

export const alertmanagersSchema = envelope(
  z.object({
    activeAlertmanagers: z.array(z.object({ url: z.string() })),
    droppedAlertmanagers: z.array(z.object({ url: z.string() })).optional(),
  }),
);
