// A Prometheus that started seconds ago has not discovered its scrape targets or its
// Alertmanagers yet: an empty list then means "too early to tell", not a broken configuration.
// How long ago it started comes from /api/v1/status/runtimeinfo (startTime), asked once per run
// and only by a check that found an empty list.
import type { ApiCheckContext } from '../http/failed-call.ts';
import { formatDuration } from '../format.ts';
import { runtimeInfoSchema } from './api-types.ts';

/** Service discovery fills the lists within seconds; after this long an empty one is judged. */
export const STARTUP_GRACE_S = 120;

const asked = new WeakMap<ApiCheckContext, Promise<number | undefined>>();

/** Seconds since Prometheus started, or undefined when the runtime information is not available. */
export function secondsSinceStart(ctx: ApiCheckContext): Promise<number | undefined> {
  let p = asked.get(ctx);
  if (!p) {
    p = ctx.api.getJson('api/v1/status/runtimeinfo', runtimeInfoSchema).then((res) => {
      if (!res.ok) return undefined;
      const started = Date.parse(res.data.data.startTime);
      // The server's own clock when it has one in the answer: no skew between the two hosts.
      const serverNow = Date.parse(res.data.data.serverTime ?? '');
      const now = Number.isFinite(serverNow) ? serverNow : Date.now();
      return Number.isFinite(started) ? Math.max(0, (now - started) / 1000) : undefined;
    });
    asked.set(ctx, p);
  }
  return p;
}

/** "started 12 s ago" when Prometheus started within the grace period, else undefined. */
export async function justStarted(ctx: ApiCheckContext): Promise<string | undefined> {
  const s = await secondsSinceStart(ctx);
  return s !== undefined && s < STARTUP_GRACE_S ? `started ${formatDuration(s)} ago` : undefined;
}
