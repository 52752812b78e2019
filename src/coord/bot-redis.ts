// The bot's own Redis (REDIS_URL): the fast path of the coordination between replicas, never its
// truth (PostgreSQL is). Every call is bounded: a Redis that is down, restarting or slow answers
// "unknown" within CALL_BUDGET_MS and the caller takes its PostgreSQL path; nothing is queued while
// disconnected, and the client reconnects in the background. No call ever throws to its caller.
// The URL's password is never logged: the server is named by host, port and db only.
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../logger.ts';
import { describeRedisEndpoint, parseRedisUrl } from '../probes/redis/parse-redis-url.ts';
import { UserError } from '../user-error.ts';

/** The longest a caller waits for Redis before it goes on without it. */
export const CALL_BUDGET_MS = 200;
/** A TCP or TLS connection that is not up after this is dropped and tried again later. */
const CONNECT_TIMEOUT_MS = 2_000;
/** Reconnects: quickly at first, then every 5 s at most, forever (in the background). */
const reconnectDelay = (attempt: number): number => Math.min(100 * 2 ** Math.min(attempt, 6), 5_000);

export class BotRedis {
  readonly #redis: Redis;
  readonly #log: Logger;
  readonly #server: string;
  /** Whether the last call failed: said once per outage, and once when Redis is back. */
  #down = false;

  constructor(url: string, log: Logger) {
    const parsed = parseRedisUrl(url);
    if (!parsed.ok) throw new UserError(`REDIS_URL: ${parsed.reason}; expected redis://[user[:password]@]host[:port][/db] or rediss:// for TLS`);
    const { endpoint } = parsed;
    this.#server = describeRedisEndpoint(url);
    this.#log = log.child({ component: 'redis', redis: this.#server });
    const options: RedisOptions = {
      host: endpoint.host,
      port: endpoint.port,
      db: endpoint.db,
      connectTimeout: CONNECT_TIMEOUT_MS,
      commandTimeout: CALL_BUDGET_MS,
      // Not connected: a command fails at once (the caller goes to PostgreSQL), never waits in a queue.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      retryStrategy: reconnectDelay,
      connectionName: 'chatops-coord',
      disableClientInfo: true,
    };
    if (endpoint.username) options.username = endpoint.username;
    if (endpoint.password !== undefined) options.password = endpoint.password;
    if (endpoint.tls) options.tls = { servername: endpoint.host };
    this.#redis = new Redis(options);
    // Without a listener ioredis prints "Unhandled error event"; a failing call says it instead.
    this.#redis.on('error', () => undefined);
    this.#redis.on('ready', () => this.#log.info('connected to the bot\'s Redis (REDIS_URL)'));
  }

  /** "host:port db N": the server, without user or password. */
  get server(): string {
    return this.#server;
  }

  /**
   * Runs `fn` against Redis within CALL_BUDGET_MS: its value, or undefined when Redis failed, was
   * not connected or did not answer in time (the caller then takes its PostgreSQL path).
   */
  async call<T>(what: string, fn: (redis: Redis) => Promise<T>): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), CALL_BUDGET_MS)));
    try {
      const attempt = fn(this.#redis);
      // A late answer is dropped; its rejection must not go unhandled.
      attempt.catch(() => undefined);
      const result = await Promise.race([attempt, late]);
      if (result === 'late') throw new Error(`no answer within ${CALL_BUDGET_MS} ms`);
      if (this.#down) {
        this.#down = false;
        this.#log.info({ what }, 'the bot\'s Redis answers again: coordination back on its fast path');
      }
      return result;
    } catch (err) {
      if (!this.#down) {
        this.#down = true;
        this.#log.warn({ what, error: err instanceof Error ? err.message : String(err) }, 'the bot\'s Redis (REDIS_URL) did not answer: coordinating through PostgreSQL until it does');
      }
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops reconnecting and closes the connection (the bot is stopping). */
  async close(): Promise<void> {
    try {
      await Promise.race([this.#redis.quit(), new Promise((resolve) => setTimeout(resolve, CALL_BUDGET_MS))]);
    } catch {
      // not connected: nothing to say goodbye to
    }
    this.#redis.disconnect(false);
  }
}
