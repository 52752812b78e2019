// Which replicas are running, in the state store: each writes its row every 10 s and deletes it on
// a clean stop. Several replicas share Slack's per-channel limits and their de-duplication through
// the bot's Redis; one started without REDIS_URL while another runs refuses to start, rather than
// post at twice the rate Slack allows. A replica with REDIS_URL never refuses.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type pg from 'pg';
import type { Logger } from '../logger.ts';
import { UserError } from '../user-error.ts';

/** The replica set of a bot that names none. */
const DEFAULT_GROUP = 'default';
export const REPLICA_GROUP_ENV = 'CHATOPS_REPLICA_GROUP';

/**
 * CHATOPS_REPLICA_GROUP: the replica set this process belongs to. Replicas of one bot share it
 * (the default); a second bot keeping its state in the same database names its own.
 */
export function readReplicaGroup(env: NodeJS.ProcessEnv): string {
  const raw = env[REPLICA_GROUP_ENV];
  if (raw === undefined || raw === '') return DEFAULT_GROUP;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(raw)) {
    throw new UserError(`${REPLICA_GROUP_ENV}=${JSON.stringify(raw.slice(0, 80))} is not a replica group name: use 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit (default: ${DEFAULT_GROUP})`);
  }
  return raw;
}

/** How often a replica says it is alive. */
export const BEAT_MS = 10_000;
/** A row not written for this long is a replica that is gone (killed, or its host lost). */
export const FRESH_MS = 30_000;

interface ReplicaRow {
  host: string;
  pid: number;
  has_redis: boolean;
}

/** The pool, or the client holding the start's transaction. */
type Queryable = Pick<pg.PoolClient, 'query'>;

export interface ReplicaRegistryOptions {
  pool: pg.Pool;
  log: Logger;
  hasRedis: boolean;
  /** The replica set this one belongs to (CHATOPS_REPLICA_GROUP; 'default'): only its members count as other replicas. */
  group?: string;
  host?: string;
  pid?: number;
  /** Whether a process of this host is running (a row of this host whose process is gone is a predecessor). */
  isAlive?: (pid: number) => boolean;
}

export class ReplicaRegistry {
  readonly id = randomUUID();
  readonly #pool: pg.Pool;
  readonly #log: Logger;
  readonly #hasRedis: boolean;
  readonly #group: string;
  readonly #host: string;
  readonly #pid: number;
  readonly #isAlive: (pid: number) => boolean;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: ReplicaRegistryOptions) {
    this.#pool = options.pool;
    this.#log = options.log.child({ component: 'replicas' });
    this.#hasRedis = options.hasRedis;
    this.#group = options.group ?? DEFAULT_GROUP;
    this.#host = options.host ?? os.hostname();
    this.#pid = options.pid ?? process.pid;
    this.#isAlive = options.isAlive ?? processIsAlive;
  }

  /**
   * Checks for other running replicas, then writes this one's row and keeps it fresh. Throws a
   * UserError naming REDIS_URL when this replica has no Redis and another one is running. The
   * check and the first row are one transaction under an advisory lock: two replicas starting
   * together cannot both see nobody and both run.
   */
  async start(): Promise<void> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('chatops.replicas'))`);
      this.#admit(await this.others(client));
      await this.#write(client);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
    this.#timer = setInterval(() => {
      this.#write(this.#pool).catch((err: unknown) => this.#log.warn({ err }, 'could not write this replica\'s row (state store unreachable?): retried in 10 s'));
    }, BEAT_MS);
    this.#timer.unref();
  }

  /** Refuses (without Redis) or logs the other running replicas. */
  #admit(others: ReplicaRow[]): void {
    if (others.length === 0) return;
    const named = others.map((r) => `${r.host}:${r.pid}`).join(', ');
    if (!this.#hasRedis) {
      throw new UserError(
        `another replica (${named}) is running; several replicas need REDIS_URL set on all of them (they share Slack's per-channel pacing through it), or stop the other replica first`,
      );
    }
    const without = others.filter((r) => !r.has_redis).map((r) => `${r.host}:${r.pid}`);
    if (without.length > 0) this.#log.warn({ replicas: without }, `a replica without REDIS_URL is running (${without.join(', ')}): its posts are not paced with this one's until it is restarted with REDIS_URL`);
    else this.#log.info({ replicas: others.map((r) => `${r.host}:${r.pid}`) }, 'other replicas are running: coordinating through the bot\'s Redis');
  }

  /** Other replicas seen within FRESH_MS (rows of this host whose process is gone do not count). */
  async others(db: Queryable = this.#pool): Promise<ReplicaRow[]> {
    const { rows } = await db.query<ReplicaRow>(
      `SELECT host, pid, has_redis FROM replicas WHERE id <> $1 AND replica_group = $3 AND seen_at > now() - $2 * interval '1 millisecond' ORDER BY started_at`,
      [this.id, FRESH_MS, this.#group],
    );
    // A row of this host with this pid, or with a pid no longer running, is a process that ran here
    // before (a container restarted keeps its host name and often its pid 1).
    return rows.filter((r) => r.host !== this.#host || (r.pid !== this.#pid && this.#isAlive(r.pid)));
  }

  /** Stops the beats and deletes this replica's row (a clean stop: the next start need not wait). */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#pool.query('DELETE FROM replicas WHERE id = $1', [this.id]).catch((err: unknown) => this.#log.warn({ err }, 'could not delete this replica\'s row: it is ignored 30 s after its last beat'));
  }

  async #write(db: Queryable): Promise<void> {
    await db.query(
      `INSERT INTO replicas (id, host, pid, has_redis, replica_group) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET seen_at = now(), has_redis = EXCLUDED.has_redis`,
      [this.id, this.#host, this.#pid, this.#hasRedis, this.#group],
    );
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: a process of another user is running under that pid.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
