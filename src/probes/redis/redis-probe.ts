// The Redis probe: connect + PING first, then one INFO that nearly every check reads, then the
// few commands single checks need (SLOWLOG GET, CLIENT LIST, CONFIG GET, the doctors) at once on
// the same connection. Nothing here touches keys: the run costs the same with 1 million keys as
// with none. One fresh connection per run: a connect is one round trip plus HELLO, there is no
// server-side cache to keep warm, and a new connection is what the applications experience
// (maxclients reached, auth changed) where a kept one would hide it.
import { z } from 'zod';
import type { Finding } from '../../report.ts';
import { scrubFindings, urlSecrets } from '../scrub-findings.ts';
import { resolveThresholds, type CheckSpec, type ProbeContext, type ProbeDefinition, type TargetBase } from '../probe-definition.ts';
import { finding, type Check, type CheckContext, type ConfigValue } from './check-context.ts';
import { describeCheckError, errorMessage } from './classify-error.ts';
import { createConnection, parseRedisUrl, type ProbeConnection } from './connection.ts';
import { compareCounters, readingFromInfo, STATE_KEY, type Counters } from './counters.ts';
import { untilDeadline } from '../until-deadline.ts';
import { checkSpecs, runGuarded, type CheckEntry as GenericCheckEntry } from '../guarded-check.ts';
import { num, parseInfo, type Info } from './info.ts';
import { checkClients } from './checks/clients.ts';
import { checkDoctor } from './checks/doctor.ts';
import { checkEvictions } from './checks/evictions.ts';
import { checkFragmentation } from './checks/fragmentation.ts';
import { checkHitRate } from './checks/hit-rate.ts';
import { checkMemory } from './checks/memory.ts';
import { checkPersistence } from './checks/persistence.ts';
import { checkReachable, reachableFinding } from './checks/reachable.ts';
import { checkReplication } from './checks/replication.ts';
import { checkSlowlog } from './checks/slowlog.ts';

export type RedisTarget = TargetBase & { url: string };

type CheckEntry = GenericCheckEntry<CheckContext>;

const ENTRIES: CheckEntry[] = [
  {
    name: 'reachable',
    label: 'Reachability',
    description: 'Connect (TLS, AUTH) and PING within the timeout; the error class when it fails (refused, auth failed, timeout, DNS, loading).',
  },
  {
    name: 'memory',
    label: 'Memory',
    description: 'used_memory against maxmemory (0 = no limit) and the eviction policy; at the limit with noeviction writes fail.',
    thresholds: { warn: 90, crit: 95, unit: '% of maxmemory' },
    run: checkMemory,
  },
  {
    name: 'evictions',
    label: 'Evictions',
    description: 'Keys evicted since the previous run (any = warn); on a first run the total since server start.',
    run: checkEvictions,
  },
  {
    name: 'hit_rate',
    label: 'Hit rate',
    description: 'keyspace_hits / (hits + misses) since the previous run, judged only with enough lookups.',
    thresholds: { warn: 80, crit: 50, unit: '% hits (below)' },
    run: checkHitRate,
  },
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
    description: 'RDB background save and AOF write status (err = crit); last RDB save long ago with unsaved changes when snapshots are on.',
    thresholds: { warn: 48, crit: Infinity, unit: 'h since the last RDB save (warn only by default)' },
    run: checkPersistence,
  },
  {
    name: 'replication',
    label: 'Replication',
    description: 'Role, connected replicas, and on a replica the link to its master (down = crit) and its last I/O.',
    run: checkReplication,
  },
  {
    name: 'doctor',
    label: 'Doctor',
    description: 'LATENCY DOCTOR and MEMORY DOCTOR texts, attached (informational).',
    run: checkDoctor,
  },
];

/** The counters are stored after the report is complete; a slow state store gets this long. */
const STATE_WRITE_MS = 1_000;

const CHECKS: readonly CheckSpec[] = checkSpecs(ENTRIES);

const urlSchema = z
  .string()
  .refine((url) => parseRedisUrl(url).ok, {
    message: 'must be a redis:// or rediss:// URL, like redis://user:password@host:6379/0',
  });

export const redisProbe: ProbeDefinition<RedisTarget> = {
  kind: 'redis',
  aliases: ['cache'],
  description: 'Redis: reachability, memory and evictions, hit rate, fragmentation, clients, slowlog, persistence, replication',
  checks: CHECKS,
  targetSchema: z.object({ url: urlSchema }),
  fromUrl: (url) => ({ url }),
  run: runRedisProbe,
};

async function runRedisProbe(target: RedisTarget, ctx: ProbeContext): Promise<Finding[]> {
  const timeoutMs = target.timeoutMs > 0 ? target.timeoutMs : 5_000;
  const secrets = urlSecrets(target.url);
  const scrub = (findings: Finding[]) => scrubFindings(findings, secrets);
  if (ctx.signal.aborted) return [finding('reachable', 'unknown', 'Probe cancelled before it started')];

  const parsed = parseRedisUrl(target.url);
  if (!parsed.ok) {
    return scrub([
      finding('reachable', 'crit', `Unreachable: invalid URL (${parsed.reason})`, {
        detail: 'Expected redis://[user:password@]host:6379[/db], or rediss:// for TLS; an ACL user goes before the password, the default user as redis://:password@host.',
      }),
    ]);
  }
  // The previous run's counters, read while connecting; a slow or broken state store costs no more than the timeout.
  const remembered = untilDeadline(
    ctx.state.get<unknown>(STATE_KEY).catch((e: unknown) => {
      ctx.log.debug({ err: errorMessage(e) }, 'redis probe: previous counters not available');
      return undefined;
    }),
    timeoutMs,
    ctx.signal,
  );

  let conn: ProbeConnection | undefined;
  try {
    conn = createConnection(parsed.endpoint, timeoutMs);
    const reach = await checkReachable(conn, timeoutMs, ctx.signal);
    if (!reach.ok) return scrub([reach.finding]);

    // INFO and the checks share one more timeout: the run ends within about twice the timeout.
    const dataDeadline = performance.now() + timeoutMs;
    let info: Info;
    try {
      // commandTimeout bounds INFO as well.
      info = parseInfo(String(await conn.redis.call('INFO')));
    } catch (e) {
      const why = describeCheckError(e, timeoutMs);
      return scrub([
        reachableFinding(reach.pingMs, undefined, why),
        ...runnableEntries().map((entry) => finding(entry.name, 'unknown', `${entry.label}: could not check (INFO failed: ${why})`)),
      ]);
    }

    const counters = compareCounters(readingFromInfo(info), await remembered);
    const checkCtx = checkContext(conn, info, counters, target, timeoutMs);
    const runnable = runnableEntries();
    const results: Array<Finding[] | undefined> = runnable.map(() => undefined);
    await untilDeadline(
      Promise.all(
        runnable.map(async (entry, i) => {
          results[i] = await guarded(entry, checkCtx);
        }),
      ),
      Math.max(0, dataDeadline - performance.now()),
      ctx.signal,
    );
    const unfinished = ctx.signal.aborted ? 'probe cancelled' : `did not finish within ${timeoutMs} ms`;
    const findings = runnable.flatMap(
      (entry, i) => results[i] ?? [finding(entry.name, 'unknown', `${entry.label}: could not check (${unfinished})`)],
    );
    if (!ctx.signal.aborted) {
      await untilDeadline(
        ctx.state.set(STATE_KEY, checkCtx.next).catch((e: unknown) => {
          ctx.log.debug({ err: errorMessage(e) }, 'redis probe: counters not stored');
        }),
        STATE_WRITE_MS,
        ctx.signal,
      );
    }
    return scrub([reachableFinding(reach.pingMs, info), ...findings]);
  } catch (e) {
    // Every check is guarded; this is the net under the net, so the caller still gets a finding.
    ctx.log.error({ err: errorMessage(e) }, 'redis probe failed');
    return scrub([finding('reachable', 'unknown', `Probe failed: ${errorMessage(e)}`)]);
  } finally {
    conn?.redis.disconnect();
  }
}

function runnableEntries(): Array<CheckEntry & { run: Check }> {
  return ENTRIES.filter((e): e is CheckEntry & { run: Check } => e.run !== undefined);
}

function checkContext(conn: ProbeConnection, info: Info, counters: Counters, target: RedisTarget, timeoutMs: number): CheckContext {
  const thresholds = resolveThresholds({ checks: CHECKS }, target.thresholds);
  const call = (command: string, ...args: Array<string | number>) => conn.redis.call(command, args) as Promise<unknown>;
  const configs = new Map<string, Promise<ConfigValue>>();
  const config = (name: string): Promise<ConfigValue> => {
    let p = configs.get(name);
    if (!p) {
      p = call('CONFIG', 'GET', name).then(
        (reply): ConfigValue => ({ ok: true, value: configValue(reply, name) }),
        (e: unknown): ConfigValue => ({ ok: false, reason: `CONFIG GET not available: ${describeCheckError(e, timeoutMs)}` }),
      );
      configs.set(name, p);
    }
    return p;
  };
  const serverTimeUs = num(info, 'server_time_usec');
  return {
    info,
    call,
    config,
    thresholds: (check) => thresholds[check] ?? { warn: Infinity, crit: Infinity },
    counters,
    next: { ...counters.current },
    ownAddress: conn.localAddress(),
    serverNowS: serverTimeUs !== undefined ? serverTimeUs / 1e6 : Date.now() / 1000,
    timeoutMs,
  };
}

/** CONFIG GET reply: a flat [name, value] list (RESP2, or RESP3 maps under the legacy reply mapping), or an object. */
function configValue(reply: unknown, name: string): string | undefined {
  if (Array.isArray(reply)) {
    for (let i = 0; i + 1 < reply.length; i += 2) if (String(reply[i]).toLowerCase() === name.toLowerCase()) return String(reply[i + 1]);
    return undefined;
  }
  if (reply && typeof reply === 'object') {
    const v = (reply as Record<string, unknown>)[name];
    return v === undefined ? undefined : String(v);
  }
  return undefined;
}

function guarded(entry: CheckEntry & { run: Check }, ctx: CheckContext): Promise<Finding[]> {
  return runGuarded(entry, ctx, (check, title) => finding(check, 'unknown', title), (e) => describeCheckError(e, ctx.timeoutMs));
}

