// The default PromQL checks a prometheus target switches on with `queryPacks: [http, node,
// postgres, redis]`. Written against the metric names of node_exporter, postgres_exporter,
// redis_exporter and the usual HTTP server instrumentation (http_requests_total with a status or
// code label, the http_request_duration_seconds histogram); thresholds after the community's
// curated alerting rules (awesome-prometheus-alerts). Each one is explained in
// runbooks/prometheus-queries.md; a query of the target with the same name replaces the pack's.
import type { PromQuery } from './query-config.ts';

export const QUERY_PACK_NAMES = ['http', 'node', 'postgres', 'redis'] as const;
export type QueryPackName = (typeof QUERY_PACK_NAMES)[number];

type PackQuery = Omit<PromQuery, 'source' | 'pack' | 'description' | 'fix' | 'requires'> & { description: string; fix: string; requires: string };

/** Filesystems that are not a disk that fills up: memory, network and image mounts. */
const FS = 'fstype!~"tmpfs|ramfs|devtmpfs|overlay|squashfs|iso9660|fuse.*|nfs.*|cifs|autofs"';

const PACKS: Record<QueryPackName, readonly PackQuery[]> = {
  http: [
    {
      name: 'http_5xx_ratio',
      requires: 'http_requests_total',
      fix: "open the job's logs and error tracker for the 5xx responses; a deploy in the last hour is the usual cause (roll it back), else a dependency (database, upstream API) that fails.",
      description: 'Share of requests answered 5xx over 5 minutes, per job (label status or code); jobs with no traffic are left out.',
      expression:
        '100 * (sum by (job) (rate(http_requests_total{status=~"5.."}[5m]) or rate(http_requests_total{code=~"5.."}[5m])) or sum by (job) (rate(http_requests_total[5m])) * 0) / (sum by (job) (rate(http_requests_total[5m])) > 0)',
      warn: 5,
      crit: 10,
      direction: 'above',
      unit: '%',
    },
    {
      name: 'http_latency_p99',
      requires: 'http_request_duration_seconds_bucket',
      fix: "find the slow endpoint (the histogram's handler or path label), then what it waits on: database, upstream calls, CPU saturation or GC; scale out if every request is slow.",
      description: '99th percentile of request duration over 5 minutes, per job, from the http_request_duration_seconds histogram; jobs with no requests in the window are left out (their quantile is NaN, not a latency).',
      expression:
        'histogram_quantile(0.99, sum by (job, le) (rate(http_request_duration_seconds_bucket[5m]))) and on (job) sum by (job) (rate(http_request_duration_seconds_count[5m])) > 0',
      warn: 1,
      crit: 3,
      direction: 'above',
      unit: 's',
    },
  ],
  node: [
    {
      name: 'node_disk_free',
      requires: 'node_filesystem_avail_bytes',
      fix: 'free space on the listed mount (old logs, core dumps, docker images: `du -xh --max-depth=2 <mount> | sort -h | tail`) or grow the volume before it fills.',
      description: 'Free space of each writable disk filesystem (node_filesystem_avail_bytes: what non-root users can still write); a filesystem reporting size 0 is left out rather than divided by.',
      expression: `100 * node_filesystem_avail_bytes{${FS}} / (node_filesystem_size_bytes{${FS}} > 0) and on (instance, job, device, mountpoint) node_filesystem_readonly == 0`,
      warn: 10,
      crit: 5,
      direction: 'below',
      unit: '%',
    },
    {
      name: 'node_memory_available',
      requires: 'node_memory_MemAvailable_bytes',
      fix: 'find what grew on the host (`ps aux --sort=-rss | head`); restart a leaking process or move work off the host before the OOM killer picks one.',
      description: 'Memory the kernel can hand out without swapping (MemAvailable) as a share of all memory, per host.',
      expression: '100 * node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes',
      warn: 10,
      crit: 5,
      direction: 'below',
      unit: '%',
    },
    {
      name: 'node_cpu_busy',
      requires: 'node_cpu_seconds_total',
      fix: 'find the busy processes on the host (`top -o %CPU`); scale out or throttle the batch work that took the CPU.',
      description: 'Share of CPU time not idle over 5 minutes, all cores of each host together (idle time over all CPU time, so a gap in the samples does not skew it).',
      expression: '100 * (1 - sum by (instance, job) (rate(node_cpu_seconds_total{mode="idle"}[5m])) / sum by (instance, job) (rate(node_cpu_seconds_total[5m])))',
      warn: 80,
      crit: 95,
      direction: 'above',
      unit: '%',
    },
    {
      name: 'node_oom_kills',
      requires: 'node_vmstat_oom_kill',
      fix: 'read `journalctl -k | grep -i oom` on the host for which process was killed; raise its memory limit or fix its growth.',
      description: 'Processes the kernel killed for lack of memory in the last 15 minutes (node_vmstat_oom_kill).',
      expression: 'increase(node_vmstat_oom_kill[15m])',
      warn: 1,
      crit: 3,
      direction: 'above',
      unit: 'count',
    },
  ],
  postgres: [
    {
      name: 'postgres_up',
      requires: 'pg_up',
      fix: "check that PostgreSQL runs and accepts the exporter's connection (pg_isready, the exporter's log): a down database is the incident.",
      description: 'postgres_exporter could connect to its database (pg_up 1); 0 means the database is down or refuses the exporter.',
      expression: 'pg_up',
      warn: 0,
      crit: 0,
      direction: 'below',
      unit: 'count',
    },
    {
      name: 'postgres_connections_used',
      requires: 'pg_stat_activity_count',
      fix: 'find who holds the connections (pg_stat_activity grouped by application and state); close idle-in-transaction sessions, put a pooler in front or lower the pools of the apps.',
      description: 'Backends in use as a share of the connections ordinary roles may open (max_connections minus superuser_reserved_connections), per server.',
      expression:
        '100 * sum by (instance, job) (pg_stat_activity_count) / (min by (instance, job) (pg_settings_max_connections - pg_settings_superuser_reserved_connections) > 0)',
      warn: 80,
      crit: 90,
      direction: 'above',
      unit: '%',
    },
    {
      name: 'postgres_deadlocks',
      requires: 'pg_stat_database_deadlocks',
      fix: "read the PostgreSQL log for 'deadlock detected' (it names both statements); make the transactions take their locks in the same order.",
      description: 'Deadlocks detected in the last 5 minutes, per database (pg_stat_database_deadlocks).',
      expression: 'sum by (instance, job, datname) (increase(pg_stat_database_deadlocks{datname!~"template.*"}[5m]))',
      warn: 1,
      crit: 5,
      direction: 'above',
      unit: 'count',
    },
  ],
  redis: [
    {
      name: 'redis_up',
      requires: 'redis_up',
      fix: "check that Redis runs and answers the exporter (redis-cli ping, the exporter's log): a down Redis is the incident.",
      description: 'redis_exporter could reach its Redis (redis_up 1); 0 means Redis is down or refuses the exporter.',
      expression: 'redis_up',
      warn: 0,
      crit: 0,
      direction: 'below',
      unit: 'count',
    },
    {
      name: 'redis_memory_used',
      requires: 'redis_memory_used_bytes',
      fix: 'find the big keys (redis-cli --bigkeys), check the TTLs and the eviction policy; raise maxmemory if the host has room.',
      description: 'Memory used as a share of maxmemory, for instances that set one (past it Redis evicts or refuses writes).',
      expression: '100 * redis_memory_used_bytes / (redis_memory_max_bytes > 0)',
      warn: 90,
      crit: 95,
      direction: 'above',
      unit: '%',
    },
    {
      name: 'redis_rejected_connections',
      requires: 'redis_rejected_connections_total',
      fix: 'Redis is at maxclients: find the clients that hold connections (CLIENT LIST), fix the leaking pool, or raise maxclients.',
      description: 'Connections Redis refused in the last 5 minutes because maxclients was reached.',
      expression: 'increase(redis_rejected_connections_total[5m])',
      warn: 1,
      crit: 5,
      direction: 'above',
      unit: 'count',
    },
  ],
};

/** The queries of a pack, with their description (for the README and the runbook). */
export function queryPack(name: QueryPackName): readonly PackQuery[] {
  return PACKS[name];
}
