// Runs each configured digest on its cron schedule. Every replica schedules every digest; the
// replica that claims a (digest, scheduled time) row in the state store posts it, so a slot is
// posted once. A slot missed while every replica was down is posted late, once, at start-up.
// A claim is a lease, renewed while the run lasts: a run handed back at shutdown (outcome
// 'released') or whose replica died (lease run out) is taken over by the next sweep of any replica,
// and a run whose claim was taken over does not post (the post is fenced on the claim, at the
// channel's turn). A run taken over after it began posting (posting_since) may be in the channel
// already: it is finished as 'unknown', never posted a second time.
import { randomUUID } from 'node:crypto';
import cron, { type ScheduledTask } from 'node-cron';
import type pg from 'pg';
import type { DigestConfig } from '../config/config.ts';
import { runDigest, type DigestRunResult, type DigestServices } from './run-digest.ts';
import { AlertStore } from '../alerts/alert-store.ts';
import type { ChannelPoster } from '../channel-poster.ts';
import { UserError } from '../user-error.ts';
import { metrics } from '../metrics/metrics.ts';
import { PacerStoppedError } from '../coord/channel-pacer.ts';

/** How far back a missed slot is looked for at start-up. */
const CATCH_UP_WINDOW_MS = 8 * 86_400_000;

/** How long a shutdown waits for a digest that is being posted. */
const STOP_WAIT_MS = 5_000;

/** How long a digest run's claim holds without being renewed (it is renewed every third of it). */
export const DEFAULT_DIGEST_LEASE_MS = 60_000;

/** DIGEST_LEASE_MS from the environment: how soon a dead replica's digest run is taken over. */
export function readDigestLeaseMs(env: NodeJS.ProcessEnv): number {
  const raw = env.DIGEST_LEASE_MS?.trim();
  if (raw === undefined || raw === '') return DEFAULT_DIGEST_LEASE_MS;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 300 || value > 3_600_000) {
    throw new UserError(`DIGEST_LEASE_MS=${JSON.stringify(env.DIGEST_LEASE_MS)} is not accepted: expected a whole number of milliseconds from 300 to 3600000 (default ${DEFAULT_DIGEST_LEASE_MS}); a claim is renewed every third of it`);
  }
  return value;
}

/** A run under way on this replica: handed back at shutdown unless it has started posting. */
interface RunningSlot {
  abort: AbortController;
  /** Past the fence: the post is going out, so the run is finished, not handed back. */
  posting: boolean;
  done: Promise<unknown>;
}

/** Thrown into a run whose claim was handed back or taken over: it must not post. */
class ClaimLost extends Error {}

export interface DigestSchedulerOptions {
  /** Names this replica in the claims (host and pid). */
  instance: string;
  retentionDays: number;
  now?: () => Date;
  /** DIGEST_LEASE_MS: how long a claim holds without renewal (default 60 s). */
  leaseMs?: number;
}

export class DigestScheduler {
  readonly #digests: readonly DigestConfig[];
  readonly #services: DigestServices;
  readonly #pool: pg.Pool;
  readonly #options: DigestSchedulerOptions;
  readonly #tasks = new Map<string, ScheduledTask>();
  /** The claims' owner: the instance plus a per-start suffix (a restarted container keeps host and pid). */
  readonly #owner: string;
  readonly #leaseMs: number;
  readonly #running = new Map<string, RunningSlot>();
  #sweep: NodeJS.Timeout | undefined;
  #stopping = false;

  constructor(digests: readonly DigestConfig[], services: DigestServices, pool: pg.Pool, options: DigestSchedulerOptions) {
    this.#digests = digests;
    // The alerts' episodes live in the same store (the CLI's digests count them too).
    this.#services = { alertHistory: new AlertStore(pool), ...services };
    this.#pool = pool;
    this.#options = options;
    this.#owner = `${options.instance}:${randomUUID().slice(0, 8)}`;
    this.#leaseMs = options.leaseMs ?? DEFAULT_DIGEST_LEASE_MS;
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
    await this.sweep();
    // Half a lease: a run handed back or left by a dead replica is picked up within about a lease.
    this.#sweep = setInterval(() => void this.sweep(), Math.max(250, Math.floor(this.#leaseMs / 2)));
    this.#sweep.unref();
  }

  /**
   * Stops the schedules; a run that has not started posting is handed back (its row says
   * 'released', for another replica's next sweep) and left behind, one that is posting is finished.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#sweep);
    for (const task of this.#tasks.values()) await task.destroy();
    const finishing: Array<Promise<unknown>> = [];
    for (const [key, run] of this.#running) {
      if (run.posting) {
        finishing.push(run.done);
        continue;
      }
      run.abort.abort();
      const [digest, slot] = JSON.parse(key) as [string, string];
      await this.#pool
        .query(`UPDATE digest_runs SET outcome = 'released' WHERE digest = $1 AND slot = $2 AND claimed_by = $3 AND finished_at IS NULL AND outcome IS NULL`, [digest, slot, this.#owner])
        .then(() => this.#services.log.info({ digest, slot }, 'digest run handed back at shutdown'))
        .catch((err: unknown) => this.#services.log.warn({ err, digest, slot }, 'could not hand back a digest run at shutdown: another replica takes it over when its lease runs out'));
    }
    // A post that hangs (Slack not answering) does not hold the rest of the shutdown up.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled(finishing), new Promise((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)))]);
    clearTimeout(timer);
  }

  /** Runs the slots handed back at shutdown or left by a replica that died (lease run out), late. */
  async sweep(): Promise<void> {
    if (this.#stopping || this.#digests.length === 0) return;
    try {
      const { rows } = await this.#pool.query<{ digest: string; slot: Date }>(
        `SELECT digest, slot FROM digest_runs
          WHERE finished_at IS NULL AND digest = ANY($1) AND slot > now() - make_interval(secs => $2::float8 / 1000)
            AND (outcome = 'released' OR (outcome IS NULL AND claimed_at < now() - make_interval(secs => $3::float8 / 1000)))`,
        [this.#digests.map((d) => d.name), CATCH_UP_WINDOW_MS, this.#leaseMs],
      );
      for (const row of rows) {
        const digest = this.find(row.digest);
        if (digest && !this.#stopping) await this.runSlot(digest, row.slot, { late: true }).catch(() => undefined);
      }
    } catch (err) {
      this.#services.log.warn({ err }, 'while looking for digest runs to take over');
    }
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
    if (this.#stopping) return undefined;
    const key = JSON.stringify([digest.name, slot.toISOString()]);
    // This replica's own run of the slot, still under way (its renewals failed while the store
    // was down): not taken over by its own sweep, which would post it a second time.
    if (this.#running.has(key)) return undefined;
    // A new slot, or one handed back or left behind by a dead replica (taken over, posted late).
    const claimed = await this.#pool.query(
      `INSERT INTO digest_runs (digest, slot, claimed_by, late) VALUES ($1, $2, $3, $4)
       ON CONFLICT (digest, slot) DO UPDATE SET claimed_by = EXCLUDED.claimed_by, claimed_at = now(), late = true, outcome = NULL
        WHERE digest_runs.finished_at IS NULL
          AND (digest_runs.outcome = 'released' OR (digest_runs.outcome IS NULL AND digest_runs.claimed_at < now() - make_interval(secs => $5::float8 / 1000)))
       RETURNING late, posting_since`,
      [digest.name, slot, this.#owner, late, this.#leaseMs],
    );
    if (claimed.rowCount === 0) return undefined;
    const { late: isLate, posting_since: postingSince } = claimed.rows[0] as { late: boolean; posting_since: Date | null };
    const log = this.#services.log.child({ digest: digest.name, slot: slot.toISOString(), late: isLate });
    if (postingSince) {
      // Its replica stopped or died while posting: the digest may be in the channel. Not posted again.
      await this.#finish(digest, slot, 'unknown');
      metrics.digestRunsTotal.inc({ outcome: 'unknown' });
      log.error({ postingSince }, 'digest run taken over after it began posting: whether it reached the channel is unknown, so it is not posted again (its row says unknown)');
      return undefined;
    }
    const run: RunningSlot = { abort: new AbortController(), posting: false, done: Promise.resolve() };
    const renew = async (): Promise<void> => {
      const res = await this.#pool.query(
        'UPDATE digest_runs SET claimed_at = now() WHERE digest = $1 AND slot = $2 AND claimed_by = $3 AND finished_at IS NULL AND outcome IS NULL',
        [digest.name, slot, this.#owner],
      );
      if (res.rowCount === 0) run.abort.abort();
    };
    const renewal = setInterval(() => void renew().catch(() => undefined), Math.max(100, Math.floor(this.#leaseMs / 3)));
    renewal.unref();
    // The post is fenced at the channel's turn (a run waiting for it is still handed back at
    // shutdown): the claim is renewed (still ours, not handed back) and the row says since when it
    // is posting, or nothing is posted.
    const fence = async (): Promise<void> => {
      if (run.posting) return;
      if (run.abort.signal.aborted) throw new ClaimLost('the digest run was handed back or taken over before it posted');
      // Posting from here on: a shutdown waits for this run instead of handing it back.
      run.posting = true;
      try {
        const res = await this.#pool.query(
          'UPDATE digest_runs SET claimed_at = now(), posting_since = now() WHERE digest = $1 AND slot = $2 AND claimed_by = $3 AND finished_at IS NULL AND outcome IS NULL',
          [digest.name, slot, this.#owner],
        );
        if (res.rowCount === 0) run.abort.abort();
      } catch (err) {
        run.posting = false;
        throw err;
      }
      if (run.abort.signal.aborted) {
        run.posting = false;
        throw new ClaimLost('the digest run was handed back or taken over before it posted');
      }
    };
    const poster: ChannelPoster = {
      budget: this.#services.poster.budget,
      post: (channel, message) => this.#services.poster.post(channel, message, { beforeSend: fence }),
      reply: (parent, message) => this.#services.poster.reply(parent, message),
      uploadPng: (channel, png, o) => this.#services.poster.uploadPng(channel, png, o),
    };
    const work = async (): Promise<DigestRunResult> => {
      let finished = false;
      try {
        const result = await runDigest(digest, { ...this.#services, poster }, { slot, late: isLate, notify });
        run.posting = true;
        await this.#finish(digest, slot, result.posted ? `posted ${result.set.status}` : `skipped ${result.set.status}`);
        metrics.digestRunsTotal.inc({ outcome: result.posted ? 'posted' : 'skipped' });
        finished = true;
        const pruned = await this.#services.history.prune(this.#options.retentionDays);
        log.info({ status: result.set.status, posted: result.posted, pruned }, 'digest run finished');
        return result;
      } catch (err) {
        if (!run.posting && err instanceof PacerStoppedError && !run.abort.signal.aborted) {
          // Stopped while waiting for its channel's turn, not yet handed back: handed back now.
          run.abort.abort();
          await this.#pool
            .query(`UPDATE digest_runs SET outcome = 'released' WHERE digest = $1 AND slot = $2 AND claimed_by = $3 AND finished_at IS NULL AND outcome IS NULL`, [digest.name, slot, this.#owner])
            .catch(() => undefined);
        }
        if (run.abort.signal.aborted && !run.posting) {
          metrics.digestRunsTotal.inc({ outcome: 'handed_back' });
          log.info('digest run handed back or taken over: not posted here');
          throw err;
        }
        // A run that counted itself posted and then failed to prune is not counted twice.
        if (!finished) metrics.digestRunsTotal.inc({ outcome: 'failed' });
        await this.#finish(digest, slot, 'failed').catch(() => undefined);
        log.error({ err }, 'digest run failed');
        throw err;
      } finally {
        clearInterval(renewal);
        this.#running.delete(key);
      }
    };
    const done = work();
    run.done = done.catch(() => undefined);
    this.#running.set(key, run);
    return await done;
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
    await this.#pool.query('UPDATE digest_runs SET finished_at = now(), outcome = $3 WHERE digest = $1 AND slot = $2 AND claimed_by = $4 AND finished_at IS NULL', [digest.name, slot, outcome, this.#owner]);
  }
}
