// Every Slack request that can change state is handled once, across replicas: a retry
// (X-Slack-Retry-Num, a socket envelope delivered again) or a replay of the same signed request
// within the signature window has the same body, so the same identity, and finds its row in the
// state store. A double click is a new request (a new action_ts) and goes on to the once-only
// rules of what it presses (action runs, incident escalations).
import { createHash } from 'node:crypto';
import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type pg from 'pg';
import type { Logger } from '../logger.ts';
import type { BotRedis } from '../coord/bot-redis.ts';
import { metrics } from '../metrics/metrics.ts';
import { slackRequestKind } from './slack-request-kind.ts';

/** Longer than the 5-minute signature window and Slack's retry schedule (about 5 minutes). */
const KEEP_MS = 60 * 60_000;
const CLEAN_EVERY_MS = 10 * 60_000;
/**
 * A press or a dialog is looked up before its listener acks: a state store slower than this does
 * not hold the ack past Slack's 3 seconds. The request then goes on (logged), and what it does is
 * still done once by the claims of its own (action runs, incident epochs, confirmations).
 */
const LOOKUP_BUDGET_MS = 1_000;

export type RequestKind = 'command' | 'block_actions' | 'view_submission';

/**
 * The handled-requests table: `firstTime` says whether a request is new, across replicas. With the
 * bot's Redis, a request whose key is already there (a retry delivered to another replica, a
 * replay) is answered without asking PostgreSQL; a new key still goes through PostgreSQL, the
 * truth (Redis may have lost keys). Redis failing leaves the PostgreSQL path alone.
 */
export class RequestLedger {
  readonly #pool: pg.Pool;
  readonly #log: Logger;
  readonly #redis: BotRedis | undefined;
  #cleanedAt = 0;

  constructor(pool: pg.Pool, log: Logger, redis?: BotRedis) {
    this.#pool = pool;
    this.#log = log;
    this.#redis = redis;
  }

  /** True the first time this request (by its whole body) is seen; false for a retry or a replay. */
  /**
   * `budgetMs`: how long to wait for the store before handling the request anyway (a press waits
   * before its ack); Infinity waits as long as it takes (a command, already acknowledged).
   */
  async firstTime(body: object, kind: RequestKind, retryNum?: number, budgetMs = LOOKUP_BUDGET_MS): Promise<boolean> {
    const id = identity(body as Record<string, unknown>);
    if (!id) {
      // Nested past what Slack sends (the HTTP guard refuses such bodies): not deduplicated, logged.
      this.#log.warn({ kind }, 'a Slack request too deeply nested to identify: handled without the once check');
      return true;
    }
    if (this.#redis) {
      const set = await this.#redis.call('request ledger', (r) => r.set(`chatops:slack-request:${id}`, '1', 'PX', KEEP_MS, 'NX'));
      // null: the key was there. undefined: Redis cannot say, PostgreSQL decides.
      if (set === null) {
        metrics.deduplicatedTotal.inc({ source: 'redis' });
        this.#log.info({ kind, retry: retryNum, via: 'redis' }, 'a Slack request already handled came again (retry or replay): acknowledged, not run again');
        return false;
      }
    }
    const insert = this.#pool.query(`INSERT INTO slack_requests (id, kind) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`, [id, kind]);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      if (Number.isFinite(budgetMs)) timer = setTimeout(() => resolve('late'), budgetMs);
    });
    let result: pg.QueryResult | 'late';
    try {
      result = await Promise.race([insert, late]).finally(() => clearTimeout(timer));
    } catch (err) {
      // The store cannot say: the request is handled (what it does has claims of its own).
      this.#log.warn({ err, kind }, 'the state store could not record this Slack request: handling it without the once check');
      return true;
    }
    if (result === 'late') {
      insert.catch((err: unknown) => this.#log.warn({ err }, 'while recording a Slack request'));
      this.#log.warn({ kind, budgetMs }, 'the state store did not say in time whether this Slack request was handled before: handling it');
      return true;
    }
    if (Date.now() - this.#cleanedAt > CLEAN_EVERY_MS) {
      this.#cleanedAt = Date.now();
      void this.#pool.query(`DELETE FROM slack_requests WHERE seen_at < now() - $1 * interval '1 millisecond'`, [KEEP_MS])
        .catch((err: unknown) => this.#log.warn({ err }, 'while forgetting old Slack requests'));
    }
    if (result.rowCount === 0) {
      metrics.deduplicatedTotal.inc({ source: retryNum ? 'slack_retry' : 'store' });
      this.#log.info({ kind, retry: retryNum }, 'a Slack request already handled came again (retry or replay): acknowledged, not run again');
      return false;
    }
    return true;
  }
}

/**
 * Presses and dialog submissions: looked up before their listener runs (a replay is acknowledged
 * and dropped). Slash commands pass: each command's listener asks the ledger right after its ack,
 * so the ack of a command never waits for the store.
 */
export function handleOnce(ledger: RequestLedger): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const body = args.body as Record<string, unknown>;
    // As Bolt routes it: anything that reaches an action or a view listener is looked up.
    const routed = slackRequestKind(body);
    const kind = routed === 'action' ? 'block_actions' : routed === 'view' ? 'view_submission' : undefined;
    if (!kind) {
      await args.next();
      return;
    }
    if (!(await ledger.firstTime(body, kind, args.context.retryNum))) {
      await (args as { ack?: () => Promise<void> }).ack?.();
      return;
    }
    await args.next();
  };
}

/** A hash of the whole request, or undefined when it nests deeper than canonicalJson goes. */
function identity(body: Record<string, unknown>): string | undefined {
  try {
    return createHash('sha256').update(canonicalJson(body, 0)).digest('hex');
  } catch {
    return undefined;
  }
}

const MAX_DEPTH = 64;

/** JSON with object keys sorted at every level: the same request gives the same text whatever the key order. */
function canonicalJson(value: unknown, depth: number): string {
  if (depth > MAX_DEPTH) throw new RangeError('nested too deep');
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v, depth + 1)).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k], depth + 1)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
