// The metrics a digest's "What changed" may name: only what a person acts on (a pool filling up,
// a cache hit rate falling, replication falling behind), each with the words and unit it is shown
// in and which way is worse. Anything not listed is never named there: the bot's own connect
// latency, the sampling windows of its counters, raw byte counts and cumulative totals, ids and
// versions. A status change still says what happened; this list only decides which metric moves
// are worth a line.

/** How a value is written: `%` "97.1%", `ms` "480 ms", `s` "5 min", `count` "12", `days` "9 days", `ratio` "1.8". */
export type DigestMetricUnit = '%' | 'ms' | 's' | 'count' | 'days' | 'ratio';

/** How far a value must move to be listed. */
export type DigestMetricMove =
  /** Percentage points (a `%` metric): 99.5% -> 97.1% is 2.4 points. */
  | { points: number }
  /** The larger value at least `factor` times the smaller, and the two at least `minDelta` apart. */
  | { factor: number; minDelta: number };

export interface DigestMetric {
  /** The finding's check id: `postgres.connections`. */
  check: string;
  /** The key in the finding's metrics. */
  metric: string;
  /** What a person calls it: "connections", "cache hit". */
  label: string;
  unit: DigestMetricUnit;
  /** The direction that is worse: `up` for a pool filling, `down` for a hit rate. */
  worse: 'up' | 'down';
  moved: DigestMetricMove;
}

export const DIGEST_METRICS: readonly DigestMetric[] = [
  { check: 'postgres.connections', metric: 'pct', label: 'connections', unit: '%', worse: 'up', moved: { points: 20 } },
  { check: 'postgres.cache_hit', metric: 'hit_pct', label: 'cache hit', unit: '%', worse: 'down', moved: { points: 1 } },
  { check: 'postgres.replication', metric: 'lag_s', label: 'replication lag', unit: 's', worse: 'up', moved: { factor: 2, minDelta: 30 } },
  { check: 'postgres.replication', metric: 'max_lag_s', label: 'replication lag', unit: 's', worse: 'up', moved: { factor: 2, minDelta: 30 } },
  { check: 'postgres.replication', metric: 'inactive_slots', label: 'inactive replication slots', unit: 'count', worse: 'up', moved: { factor: 2, minDelta: 1 } },
  { check: 'postgres.slow_queries', metric: 'max_mean_ms', label: 'slowest statement mean', unit: 'ms', worse: 'up', moved: { factor: 2, minDelta: 50 } },
  { check: 'postgres.wraparound', metric: 'max_pct', label: 'transaction ID wraparound', unit: '%', worse: 'up', moved: { points: 10 } },
  { check: 'postgres.sequences', metric: 'max_pct', label: 'fullest sequence', unit: '%', worse: 'up', moved: { points: 10 } },
  { check: 'postgres.deadlocks', metric: 'rollback_pct', label: 'rollbacks', unit: '%', worse: 'up', moved: { points: 10 } },
  { check: 'redis.memory', metric: 'pct', label: 'memory used', unit: '%', worse: 'up', moved: { points: 20 } },
  { check: 'redis.hit_rate', metric: 'hit_pct', label: 'cache hit', unit: '%', worse: 'down', moved: { points: 5 } },
  { check: 'redis.clients', metric: 'pct', label: 'clients', unit: '%', worse: 'up', moved: { points: 20 } },
  { check: 'redis.fragmentation', metric: 'ratio', label: 'fragmentation ratio', unit: 'ratio', worse: 'up', moved: { factor: 1.5, minDelta: 0.5 } },
  { check: 'redis.replication', metric: 'max_lag_s', label: 'replication lag', unit: 's', worse: 'up', moved: { factor: 2, minDelta: 30 } },
  { check: 'http.latency', metric: 'latency_ms', label: 'response time', unit: 'ms', worse: 'up', moved: { factor: 2, minDelta: 100 } },
  { check: 'http.rate_limit', metric: 'headroom_pct', label: 'rate-limit headroom', unit: '%', worse: 'down', moved: { points: 20 } },
  { check: 'http.certificate', metric: 'days_left', label: 'certificate expires in', unit: 'days', worse: 'down', moved: { factor: 2, minDelta: 7 } },
  { check: 'prometheus.targets', metric: 'down', label: 'scrape targets down', unit: 'count', worse: 'up', moved: { factor: 2, minDelta: 1 } },
  { check: 'prometheus.rules', metric: 'failing', label: 'failing rules', unit: 'count', worse: 'up', moved: { factor: 2, minDelta: 1 } },
  { check: 'prometheus.alerts', metric: 'firing', label: 'alerts firing', unit: 'count', worse: 'up', moved: { factor: 2, minDelta: 3 } },
  { check: 'alertmanager.alerts', metric: 'firing', label: 'alerts firing', unit: 'count', worse: 'up', moved: { factor: 2, minDelta: 3 } },
  { check: 'k8s.deployments', metric: 'unavailable_pct', label: 'replicas unavailable', unit: '%', worse: 'up', moved: { points: 20 } },
  { check: 'k8s.readiness', metric: 'pods', label: 'pods not ready', unit: 'count', worse: 'up', moved: { factor: 2, minDelta: 2 } },
  { check: 'k8s.crashloop', metric: 'pods', label: 'pods crash-looping', unit: 'count', worse: 'up', moved: { factor: 2, minDelta: 1 } },
  { check: 'stripe.payment_failures', metric: 'failure_pct', label: 'payment failures', unit: '%', worse: 'up', moved: { points: 5 } },
  { check: 'stripe.undelivered_events', metric: 'undelivered', label: 'undelivered webhook events', unit: 'count', worse: 'up', moved: { factor: 2, minDelta: 5 } },
  { check: 'openai.headroom', metric: 'headroom_pct', label: 'OpenAI rate-limit headroom', unit: '%', worse: 'down', moved: { points: 20 } },
  { check: 'sendgrid.delivery', metric: 'bounce_pct', label: 'bounce rate', unit: '%', worse: 'up', moved: { points: 2 } },
  { check: 'sendgrid.spam_reports', metric: 'spam_pct', label: 'spam-report rate', unit: '%', worse: 'up', moved: { points: 0.1 } },
  { check: 'sendgrid.reputation', metric: 'reputation', label: 'sender reputation', unit: 'count', worse: 'down', moved: { factor: 1.05, minDelta: 3 } },
];
