// A run of the Redis kind: one fresh connection per run (a connect is one round trip plus HELLO,
// there is no server-side cache to keep warm, and a new connection is what the applications
// experience), PING (the reachable check), one INFO the checks share, the previous run's counters
// to compare with, and this run's stored once the report is complete. A cache at its limit whose
// evictions fire is told as one root-cause finding (cache-story.ts).
import type { KindRuntime, Opened, OpenContext } from '../probe-definition.ts';
import type { Remembered } from '../probe-state.ts';
import { untilDeadline } from '../until-deadline.ts';
import { finding, type CheckContext, type ConfigValue, type PingReply } from './check-context.ts';
import { mergeCacheStory } from './cache-story.ts';
import { describeCheckError, errorMessage } from './classify-error.ts';
import { createConnection, type ProbeConnection } from './connection.ts';
import { compareCounters, readingFromInfo, STATE_KEY, type Counters } from './counters.ts';
import { num, parseInfo, type Info } from './info.ts';
import { parseRedisUrl } from './parse-redis-url.ts';
import type { RedisTarget } from './redis-kind.ts';
import { checkReachable, reachableFinding } from './checks/reachable.ts';

/** The counters are stored after the report is complete; a slow state store gets this long. */
const STATE_WRITE_MS = 1_000;

export const redisSession: KindRuntime<RedisTarget, CheckContext> = {
  async open(target, run) {
    const { timeoutMs, signal, log, state } = run;
    const parsed = parseRedisUrl(target.url);
    if (!parsed.ok) {
      return {
        stop: [
          finding('reachable', 'crit', `Unreachable: invalid URL (${parsed.reason})`, {
            fix: 'write the URL as redis://[user:password@]host:6379[/db], or rediss:// for TLS; an ACL user goes before the password, the default user as redis://:password@host.',
          }),
        ],
      };
    }
    // The previous run's counters, read while connecting; a slow or broken state store costs no more than the timeout.
    const remembered = untilDeadline(
      state.get<unknown>(STATE_KEY).catch((e: unknown) => {
        log.debug({ err: errorMessage(e) }, 'redis probe: previous counters not available');
        return undefined;
      }),
      timeoutMs,
      signal,
    );
    const conn = createConnection(parsed.endpoint, timeoutMs);
    const close = () => conn.redis.disconnect();
    try {
      return await afterConnect(conn, close, remembered, run, target.name);
    } catch (e) {
      close();
      throw e;
    }
  },
};

async function afterConnect(
  conn: ProbeConnection,
  close: () => void,
  remembered: Promise<Remembered<unknown> | undefined>,
  run: OpenContext,
  targetName: string,
): Promise<Opened<CheckContext>> {
  const { timeoutMs, signal, log, state } = run;
  const reach = await checkReachable(conn, timeoutMs, signal, targetName);
  if (!reach.ok) return { stop: [reach.finding], close };

  // INFO and the checks share one more timeout: the run ends within about twice the timeout.
  const dataDeadline = performance.now() + timeoutMs;
  let info: Info;
  try {
    // commandTimeout bounds INFO as well.
    info = parseInfo(String(await conn.redis.call('INFO')));
  } catch (e) {
    const why = describeCheckError(e, timeoutMs);
    return { lead: [reachableFinding(reach.pingMs, undefined, why, reach.reply)], unavailable: `INFO failed: ${why}`, close };
  }
  const counters = compareCounters(readingFromInfo(info), await remembered);
  const ctx = checkContext(conn, info, counters, timeoutMs, reach.reply);
  return {
    lead: [reachableFinding(reach.pingMs, info, undefined, reach.reply)],
    ctx,
    budgetMs: dataDeadline - performance.now(),
    describeError: (e) => describeCheckError(e, timeoutMs),
    async finish(findings) {
      if (!signal.aborted) {
        await untilDeadline(
          state.set(STATE_KEY, ctx.next).catch((e: unknown) => {
            log.debug({ err: errorMessage(e) }, 'redis probe: counters not stored');
          }),
          STATE_WRITE_MS,
          signal,
        );
      }
      return mergeCacheStory(findings, ctx.observed);
    },
    close,
  };
}

function checkContext(conn: ProbeConnection, info: Info, counters: Counters, timeoutMs: number, pingReply: PingReply | undefined): CheckContext {
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
    counters,
    next: { ...counters.current },
    ownAddress: conn.localAddress(),
    serverNowS: serverTimeUs !== undefined ? serverTimeUs / 1e6 : Date.now() / 1000,
    timeoutMs,
    ...(pingReply !== undefined && { pingReply }),
    observed: {},
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
