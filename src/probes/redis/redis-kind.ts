// The Redis kind: connect + PING first, then one INFO that nearly every check reads, then the few
// commands single checks need at once on the same connection; nothing touches keys. Its checks,
// thresholds and trend metrics are declared here; ioredis is loaded by redis-session.ts on the
// first run of a redis target.
import { z } from 'zod';
import type { CheckDefinition, KindDefinition, KindTarget } from '../probe-definition.ts';
import { urlSecrets } from '../scrub-findings.ts';
import type { CheckContext, RedisCheckName } from './check-context.ts';
import { describeRedisEndpoint, parseRedisUrl } from './parse-redis-url.ts';
import { checkClients } from './checks/clients.ts';
import { checkDoctor } from './checks/doctor.ts';
import { checkEvictions } from './checks/evictions.ts';
import { checkFragmentation } from './checks/fragmentation.ts';
import { checkHitRate } from './checks/hit-rate.ts';
import { checkMemory } from './checks/memory.ts';
import { checkPersistence } from './checks/persistence.ts';
import { checkReplication } from './checks/replication.ts';
import { checkSlowlog } from './checks/slowlog.ts';

const targetSchema = z.object({
  url: z
    .string()
    .refine((url) => parseRedisUrl(url).ok, { message: 'must be a redis:// or rediss:// URL, like redis://user:password@host:6379/0' })
    .describe('`redis://[user:password@]host:6379[/db]` or `rediss://` for TLS (trusted CAs: the system\'s plus `NODE_EXTRA_CA_CERTS`)'),
});

export type RedisTarget = KindTarget<typeof targetSchema>;

type RedisCheck = CheckDefinition<CheckContext> & { name: RedisCheckName };

const memory: RedisCheck = {
  name: 'memory',
  label: 'Memory',
  description:
    'used_memory against maxmemory (0 = no limit) and the eviction policy. With noeviction (or volatile-* and no key with a TTL) writes fail at the limit: crit there, the thresholds below it. ' +
    'Under an eviction policy the limit is where a cache sits: ok, warn only when writes were refused with OOM since the previous run; when its evictions fire (above their warn rate), the three are one root-cause finding here, with the evictions and a low hit rate as its effects; a low hit rate with evictions ok stays a hit rate finding.',
  thresholds: { warn: 90, crit: 95, unit: '% of maxmemory' },
  run: checkMemory,
};
const hitRate: RedisCheck = {
  name: 'hit_rate',
  label: 'Hit rate',
  description:
    'keyspace_hits / (hits + misses) over the lookups since the previous run (a first run: since server start, warn at most), judged with one-sided Wilson score bounds at 99.99% confidence: ' +
    'warn or crit only when the upper bound of the hit rate is below the threshold (300 misses and no hit: crit; 3 misses: not enough), ok when the lower bound is at or above warn, otherwise ok with "too few lookups to judge (n)".',
  thresholds: { warn: 80, crit: 50, unit: '% hits (below)' },
  run: checkHitRate,
};

const checks: readonly RedisCheck[] = [
  {
    name: 'reachable',
    label: 'Reachability',
    description:
      'Connect (TLS, AUTH) and PING within the timeout; the error class when it fails (refused, auth failed, timeout, loading). A host name that does not resolve is the bot\'s configuration (unknown). ' +
      'A server answering PING with MISCONF or MASTERDOWN is reachable: persistence or replication reports the reply and the other checks run.',
  },
  memory,
  {
    name: 'evictions',
    label: 'Evictions',
    description:
      'Eviction rate: keys evicted since the previous run over the time in between (a first run: the average since server start, warn at most); a cache evicting as its policy says is ok, a rate at or above the threshold a warning.',
    thresholds: { warn: 100, crit: Infinity, unit: 'keys evicted per second (warn only by default)' },
    run: checkEvictions,
  },
  hitRate,
  {
    name: 'fragmentation',
    label: 'Fragmentation',
    description: 'mem_fragmentation_ratio with the bytes behind it: high (over 100 MB extra) = warn, below 1 (swapping) = crit.',
    thresholds: { warn: 1.5, crit: 1, unit: 'RSS/used ratio: warn above (with over 100 MB extra), crit below (swapping)' },
    run: checkFragmentation,
  },
  {
    name: 'clients',
    label: 'Clients',
    description: 'Connected clients against maxclients (the probe left out), blocked clients, rejected connections since the previous run (any = warn).',
    thresholds: { warn: 80, crit: 90, unit: '% of maxclients' },
    run: checkClients,
  },
  {
    name: 'slowlog',
    label: 'Slowlog',
    description: 'SLOWLOG entries since the previous run (any = warn), arguments redacted to command and key names.',
    run: checkSlowlog,
  },
  {
    name: 'persistence',
    label: 'Persistence',
    description: 'RDB background save and AOF write status (err = crit, saying when writes are refused: MISCONF), with the directory to fix; last RDB save long ago with unsaved changes when snapshots are on.',
    thresholds: { warn: 48, crit: Infinity, unit: 'h since the last RDB save (warn only by default)' },
    run: checkPersistence,
  },
  {
    name: 'replication',
    label: 'Replication',
    description: 'Role, connected replicas, and on a replica the link to its master (down = crit, with the master\'s address, how long, and whether the replica still serves data: MASTERDOWN) and its last I/O.',
    run: checkReplication,
  },
  {
    name: 'doctor',
    label: 'Doctor',
    description: 'LATENCY DOCTOR and MEMORY DOCTOR texts, attached (informational).',
    run: checkDoctor,
  },
];

export const redisKind: KindDefinition<RedisTarget, CheckContext> = {
  kind: 'redis',
  aliases: ['cache'],
  description: 'Redis: reachability, memory and evictions, hit rate, fragmentation, clients, slowlog, persistence, replication',
  targetSchema,
  fromUrl: (url) => ({ url }),
  checks,
  actions: [],
  trends: [
    { check: memory, metric: 'pct', label: 'memory used %' },
    { check: hitRate, metric: 'hit_pct', label: 'cache hit %' },
  ],
  secrets: (target) => urlSecrets(target.url),
  describeEndpoint: (target) => describeRedisEndpoint(target.url),
  runtime: async () => (await import('./redis-session.ts')).redisSession,
};
