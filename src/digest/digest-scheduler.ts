// Runs each configured digest on its cron schedule. Every replica schedules every digest; the
// replica that claims a (digest, scheduled time) row in the state store posts it, so a slot is
// posted once. A slot missed while every replica was down is posted late, once, at start-up.
import cron, { type ScheduledTask } from 'node-cron';
import type pg from 'pg';
import type { DigestConfig } from '../config/config.ts';
import { runDigest, type DigestRunResult, type DigestServices } from './run-digest.ts';
import { AlertStore } from '../alerts/alert-store.ts';

/** How far back a missed slot is looked for at start-up. */
const CATCH_UP_WINDOW_MS = 8 * 86_400_000;

export interface DigestSchedulerOptions {
  /** Names this replica in the claims (host and pid). */
  instance: string;
  retentionDays: number;
  now?: () => Date;
}

export class DigestScheduler {
  readonly #digests: readonly DigestConfig[];
  readonly #services: DigestServices;
  readonly #pool: pg.Pool;
  readonly #options: DigestSchedulerOptions;
  readonly #tasks = new Map<string, ScheduledTask>();

  constructor(digests: readonly DigestConfig[], services: DigestServices, pool: pg.Pool, options: DigestSchedulerOptions) {
    this.#digests = digests;
    // The alerts' episodes live in the same store (the CLI's digests count them too).
    this.#services = { alertHistory: new AlertStore(pool), ...services };
    this.#pool = pool;
    this.#options = options;
    for (const d of digests) {
      this.#tasks.set(d.name, cron.createTask(d.cron, (ctx) => this.#onTick(d, ctx.date), { name: `digest:${d.name}`, timezone: d.timezone, noOverlap: true }));
    }
  }

  get digests(): readonly DigestConfig[] {
    return this.#digests;
  }

  /** Starts the schedules, after posting a slot missed while the bot was down. */
  async start(): Promise<void> {
    for (const d of this.#digests) {
      await this.catchUp(d).catch((err: unknown) => this.#services.log.error({ err, digest: d.name }, 'while catching up a missed digest'));
    }
    for (const task of this.#tasks.values()) await task.start();
  }

  async stop(): Promise<void> {
    for (const task of this.#tasks.values()) await task.destroy();
  }

  /** The next scheduled time of a digest, whether or not the schedules are running. */
  nextRun(name: string, now = new Date()): Date | undefined {
    const digest = this.find(name);
    return digest && this.#scan(digest, now, +1);
  }

  find(name: string): DigestConfig | undefined {
    return this.#digests.find((d) => d.name === name);
  }

  /**
   * Runs the digest for `slot` if this replica is the first to claim it; undefined when another
   * replica (or an earlier run) has it. `late`: posted after its time; `notify`: mention the
   * digest's mentionOnCrit group on crit (scheduled runs do; `/digest now` only with --notify).
   */
  async runSlot(digest: DigestConfig, slot: Date, options: { late?: boolean; notify?: boolean } = {}): Promise<DigestRunResult | undefined> {
    const { late = false, notify = true } = options;
    const claimed = await this.#pool.query(
      `INSERT INTO digest_runs (digest, slot, claimed_by, late) VALUES ($1, $2, $3, $4)
       ON CONFLICT (digest, slot) DO NOTHING RETURNING 1`,
      [digest.name, slot, this.#options.instance, late],
    );
    if (claimed.rowCount === 0) return undefined;
    const log = this.#services.log.child({ digest: digest.name, slot: slot.toISOString(), late });
    try {
      const result = await runDigest(digest, this.#services, { slot, late, notify });
      await this.#finish(digest, slot, result.posted ? `posted ${result.set.status}` : `skipped ${result.set.status}`);
      const pruned = await this.#services.history.prune(this.#options.retentionDays);
      log.info({ status: result.set.status, posted: result.posted, pruned }, 'digest run finished');
      return result;
    } catch (err) {
      await this.#finish(digest, slot, 'failed').catch(() => undefined);
      log.error({ err }, 'digest run failed');
      throw err;
    }
  }

  /**
   * The latest slot before now, if it was never claimed and the digest has run before (a fresh
   * install does not post a late digest on its first start).
   */
  async catchUp(digest: DigestConfig): Promise<DigestRunResult | undefined> {
    const now = (this.#options.now ?? (() => new Date()))();
    const slot = this.previousSlot(digest, now);
    if (!slot) return undefined;
    const { rows } = await this.#pool.query<{ ran_before: boolean; claimed: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM digest_runs WHERE digest = $1 AND slot < $2) AS ran_before,
              EXISTS (SELECT 1 FROM digest_runs WHERE digest = $1 AND slot = $2) AS claimed`,
      [digest.name, slot],
    );
    if (!rows[0]?.ran_before || rows[0].claimed) return undefined;
    return await this.runSlot(digest, slot, { late: true });
  }

  /** The latest minute before `now` that matches the digest's schedule, within the catch-up window. */
  previousSlot(digest: DigestConfig, now: Date): Date | undefined {
    return this.#scan(digest, now, -1);
  }

  /** Minute by minute from `now` (exclusive) in `direction`, within the window; cron has no inverse. */
  #scan(digest: DigestConfig, now: Date, direction: 1 | -1): Date | undefined {
    const task = this.#tasks.get(digest.name)!;
    const minute = Math.floor(now.getTime() / 60_000) * 60_000;
    for (let step = 0; step * 60_000 < CATCH_UP_WINDOW_MS; step++) {
      const candidate = new Date(minute + direction * step * 60_000);
      if (direction * (candidate.getTime() - now.getTime()) > 0 && task.match(candidate)) return candidate;
    }
    return undefined;
  }

  async #onTick(digest: DigestConfig, date: Date): Promise<void> {
    // The scheduled time, to the second: the same key on every replica.
    const slot = new Date(Math.floor(date.getTime() / 1000) * 1000);
    // runSlot logs a failed run itself; this catches a claim that could not be made.
    await this.runSlot(digest, slot).catch((err: unknown) => this.#services.log.error({ err, digest: digest.name }, 'digest tick failed'));
  }

  async #finish(digest: DigestConfig, slot: Date, outcome: string): Promise<void> {
    await this.#pool.query('UPDATE digest_runs SET finished_at = now(), outcome = $3 WHERE digest = $1 AND slot = $2', [digest.name, slot, outcome]);
  }
}
