// Runs each remedy once per message, action and parameters, and never leaves a run unaccounted
// for. A press claims a row in action_runs; the claim names the process that owns it and carries a
// lease that process renews while the action runs. A run ends with an outcome written together with
// its audit row (one statement), so the two never disagree:
//
// - succeeded / failed: the executor finished.
// - interrupted: the run was cut short. The bot was shutting down and the action did not finish
//   within the grace period (drain), or its process died (kill -9, OOM, node lost) and its lease
//   ran out, or it died on this host and its pid is gone. Whoever records it (the owner while
//   draining, any replica's sweep, or the next press of the button) does so with one conditional
//   UPDATE, so it is recorded once however many replicas race; the thread hears what is known
//   ("the patch was applied; the rollout was not watched to the end"), once.
//
// An interrupted run does not block its button: the once-only key is unique only among runs that
// are running or finished, so the next press after the recovery runs the action again, while a
// succeeded or failed run still turns every later press into "already done".
import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import os from 'node:os';
import type pg from 'pg';
import type { Logger } from '../logger.ts';
import { formatDuration } from '../probes/format.ts';
import { redactSecrets } from '../redact-secrets.ts';
import { maskSecrets } from '../security/mask-secrets.ts';
import { UserError } from '../user-error.ts';
import type { ShortLock } from '../coord/short-lock.ts';
import { findAction } from './action-catalogue.ts';
import { metrics } from '../metrics/metrics.ts';
import type { ActionContext, ActionIo, ActionParams } from './action-executor.ts';

/** How long a claim outlives its last renewal. */
export const DEFAULT_LEASE_MS = 30_000;
/** ACTION_LEASE_MS from the environment: how long a running action's claim outlives its last renewal. */
export function readActionLeaseMs(env: NodeJS.ProcessEnv): number {
  const raw = env.ACTION_LEASE_MS?.trim();
  if (raw === undefined || raw === '') return DEFAULT_LEASE_MS;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 300 || value > 600_000) {
    throw new UserError(`ACTION_LEASE_MS=${JSON.stringify(env.ACTION_LEASE_MS)} is not accepted: expected a whole number of milliseconds from 300 to 600000 (default ${DEFAULT_LEASE_MS}); a claim is renewed every third of it`);
  }
  return value;
}

/**
 * Of the shutdown grace period, how long running actions get to finish: most of it, leaving time
 * to record the rest as interrupted and say so in their threads (25 s grace: 17 s). Counted from
 * the start of the shutdown: `elapsedMs` already spent on other stops (slow while Slack is) comes
 * off it, so the recording still happens before the exit is forced.
 */
export function actionDrainMs(shutdownGraceMs: number, elapsedMs = 0): number {
  return Math.max(0, Math.max(Math.floor(shutdownGraceMs / 2), shutdownGraceMs - 8_000) - elapsedMs);
}

/** Attempts at posting an interruption in the thread before giving up (Slack down for long). */
const MAX_NOTICE_ATTEMPTS = 5;
/** After the grace period, how long in-flight runs get to wind down once told to stop. */
const WIND_DOWN_MS = 2_000;
const UNKNOWN_MILESTONE = 'it had started; what it did before it stopped is unknown';

/** The outcomes a claimed run can end with, in the shape the transport answers. */
export type RunOutcome =
  | { kind: 'succeeded' | 'failed'; text: string }
  /** Recorded and said in the thread already; `text` is for the presser. */
  | { kind: 'interrupted'; text: string }
  | { kind: 'duplicate'; text: string; startedBy: string; ageSeconds: number }
  | { kind: 'refused'; text: string };

export interface RunClaim {
  /** The once-only key: message + action + target + parameters. */
  key: string;
  action: string;
  /** The action's title, for messages (default: the catalogue's). */
  title?: string;
  target: string;
  params: ActionParams;
  startedBy: string;
  /** The channel the button was pressed in. */
  channel?: string;
  /** Where the report's thread is, so another process can say there what became of the run. */
  thread?: { channel: string; ts: string };
  /** Where the button was pressed, for the outcome's audit row (absent: Slack). */
  source?: 'slack' | 'playground';
}

/** A thread reply saying that a run was interrupted and what is known. `text` is plain text. */
export interface InterruptionNotice {
  channel: string;
  threadTs: string;
  startedBy: string;
  text: string;
}

export interface ActionRunnerOptions {
  pool: pg.Pool;
  log: Logger;
  /** Posts an interruption in the report's thread (the transport escapes and formats it). */
  notify(notice: InterruptionNotice): Promise<void>;
  /** Default 30 s (ACTION_LEASE_MS). */
  leaseMs?: number;
  /** Renewals and sweeps; default a third of the lease. */
  renewEveryMs?: number;
  /**
   * Every configured secret (configSecrets): masked in what an action says (its outcome, progress
   * and milestones) before it is stored, audited or shown, whichever kind's executor wrote it.
   */
  secrets?: readonly string[];
  /**
   * The bot's Redis lock (REDIS_URL): the same press handled on another replica at this moment is
   * answered from it at once. Only ever a "no": a run still needs its claim in PostgreSQL.
   */
  lock?: ShortLock;
}

/** How long the short lock of a confirmation is held at most: one use of its row. */
const CONFIRMATION_LOCK_MS = 5_000;

type Audit = (outcome: string, detail?: string) => Promise<unknown>;

interface InFlight {
  id: string;
  claim: RunClaim;
  title: string;
  milestone?: string;
  progress?: string;
  controller: AbortController;
  /** Date.now() of the last renewal the store confirmed (or of the claim). */
  renewedAt: number;
  done: Promise<void>;
}

/** A claim row as the sweep and the press read it. */
interface ClaimRow {
  id: string;
  action: string;
  target: string;
  started_by: string;
  owner: string | null;
  owner_pid: number | null;
  owner_scope: string | null;
  milestone: string | null;
  progress: string | null;
  outcome: string | null;
  age_s: number;
  expired: boolean;
  renewed_at: Date | null;
}

const CLAIM_COLUMNS = `id::text AS id, action, target, started_by, owner, owner_pid, owner_scope, milestone, progress, outcome,
  extract(epoch from now() - started_at)::float8 AS age_s, coalesce(lease_until < now(), true) AS expired, renewed_at`;

class RunInterrupted extends Error {}

export class ActionRunner {
  /** hostname:pid:random: this process, in claims it owns. */
  readonly instance: string;
  readonly leaseMs: number;
  readonly renewEveryMs: number;
  readonly #o: ActionRunnerOptions;
  /** Boot id and pid namespace: owners with the same scope are processes this one can see. */
  readonly #scope = processScope();
  readonly #inflight = new Map<string, InFlight>();
  /** Whole press handlings (run, then the outcome posted) a shutdown waits for. */
  readonly #presses = new Set<Promise<unknown>>();
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | undefined;
  #closed = false;

  constructor(options: ActionRunnerOptions) {
    this.#o = options;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.renewEveryMs = options.renewEveryMs ?? Math.max(50, Math.floor(this.leaseMs / 3));
    this.instance = `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  }

  /** Recovers what dead processes left (at once for those that died on this host), then renews and sweeps periodically. */
  async start(): Promise<number> {
    const recovered = await this.sweep();
    this.#timer = setInterval(() => void this.#tick(), this.renewEveryMs);
    this.#timer.unref();
    return recovered;
  }

  /**
   * Makes a shutdown wait for this work too (within the grace period): the transport wraps a whole
   * press in it, so that the outcome of a run that finishes in time is also posted in time.
   */
  track<T>(work: Promise<T>): Promise<T> {
    this.#presses.add(work);
    work.then(
      () => this.#presses.delete(work),
      () => this.#presses.delete(work),
    );
    return work;
  }

  /** How many runs this process is running now. */
  get running(): number {
    return this.#inflight.size;
  }

  /**
   * Claims the run and runs it, or says why not: already running (a live owner), already done, or
   * interrupted (recorded now; the next press runs it).
   */
  async runOnce(claim: RunClaim, run: (ctx: ActionContext) => Promise<string>, io: ActionIo, audit: Audit): Promise<RunOutcome> {
    const title = claim.title ?? findAction(claim.action)?.title ?? claim.action;
    if (this.#closed) {
      await audit('refused', 'the bot is shutting down');
      return { kind: 'refused', text: `The bot is restarting and takes no new actions: press the button again in a minute (another replica, or the bot once restarted, runs it).` };
    }
    // The fast path across replicas: the same run (its once-only key, made from the signed button)
    // claimed by another press right now is answered at once, as its claim would answer. The lock
    // lives at most one lease: a holder that died is not believed longer than its claim would be.
    const owner = JSON.stringify({ by: this.instance, n: randomBytes(6).toString('hex'), startedBy: claim.startedBy, at: Date.now() });
    const held = await this.#hold(`action-run:${claim.key}`, owner, this.leaseMs);
    if (typeof held === 'object') {
      const busy = { startedBy: held.startedBy, ageSeconds: Math.max(0, Math.round((Date.now() - held.at) / 1000)) };
      metrics.deduplicatedTotal.inc({ source: 'press' });
      this.#o.log.info({ action: claim.action, target: claim.target, via: 'redis' }, 'the same remedy is being run by another press: answered without running it');
      // Audited like a duplicate claim, without holding the answer for the store.
      void this.track(Promise.resolve(audit('duplicate', 'the same press was being handled at that moment (seen in Redis)')).catch(() => undefined));
      return { kind: 'duplicate', text: `${claim.action} on ${claim.target} is already running`, ...busy };
    }
    try {
      return await this.#claimAndRun(claim, title, run, io, audit);
    } finally {
      if (held === 'acquired') await this.#o.lock?.release(`action-run:${claim.key}`, owner);
    }
  }

  /**
   * The short lock of one confirmation across replicas (Redis): 'held' while another press of it
   * (Run it or Cancel, by the same user) is using it right now; otherwise a release to call once
   * its row is used (a no-op without Redis, or when Redis could not say: PostgreSQL decides).
   */
  async holdConfirmation(confirmation: string, user: string): Promise<'held' | (() => Promise<void>)> {
    const name = `confirmation:${confirmation}:${user}`;
    const owner = JSON.stringify({ by: this.instance, n: randomBytes(6).toString('hex'), startedBy: user, at: Date.now() });
    const held = await this.#hold(name, owner, CONFIRMATION_LOCK_MS);
    if (typeof held === 'object') {
      metrics.deduplicatedTotal.inc({ source: 'press' });
      return 'held';
    }
    return async () => {
      if (held === 'acquired') await this.#o.lock?.release(name, owner);
    };
  }

  /**
   * 'acquired', 'free' (no Redis, or it could not say: the PostgreSQL path decides alone), or who
   * holds it. A holder whose value is not one this bot writes is not believed: PostgreSQL decides.
   */
  async #hold(name: string, owner: string, ttlMs: number): Promise<'acquired' | 'free' | { startedBy: string; at: number }> {
    const attempt = await this.#o.lock?.acquire(name, owner, ttlMs);
    if (!attempt || attempt.state === 'unknown') return 'free';
    if (attempt.state === 'acquired') return 'acquired';
    const holder = parseHolder(attempt.holder);
    return holder ?? 'free';
  }

  async #claimAndRun(claim: RunClaim, title: string, run: (ctx: ActionContext) => Promise<string>, io: ActionIo, audit: Audit): Promise<RunOutcome> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const { rows } = await this.#o.pool.query<{ id: string }>(
        `INSERT INTO action_runs (key, action, target, params, started_by, channel, owner, owner_pid, owner_scope, lease_until, renewed_at, thread_channel, thread_ts)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now() + $10 * interval '1 millisecond', now(), $11, $12)
         ON CONFLICT (key) WHERE outcome IS DISTINCT FROM 'interrupted' DO NOTHING RETURNING id::text AS id`,
        [claim.key, claim.action, claim.target, JSON.stringify(claim.params), claim.startedBy, claim.channel ?? null, this.instance, process.pid, this.#scope ?? null,
          this.leaseMs, claim.thread?.channel ?? null, claim.thread?.ts ?? null]);
      if (rows[0]) return await this.#execute(rows[0].id, claim, title, run, io);

      const blocking = (await this.#o.pool.query<ClaimRow>(
        `SELECT ${CLAIM_COLUMNS} FROM action_runs WHERE key = $1 AND outcome IS DISTINCT FROM 'interrupted'`, [claim.key])).rows[0];
      if (!blocking) continue; // recovered between the two statements: claim again
      const busy = { startedBy: blocking.started_by, ageSeconds: Math.round(blocking.age_s) };
      if (blocking.outcome) {
        await audit('duplicate');
        return { kind: 'duplicate', text: `${claim.action} on ${claim.target} is already done (${blocking.outcome})`, ...busy };
      }
      const why = this.#whyDead(blocking);
      if (!why) {
        await audit('duplicate');
        const where = blocking.milestone ? ` (so far: ${blocking.milestone})` : '';
        return { kind: 'duplicate', text: `${claim.action} on ${claim.target} is already running${where}`, ...busy };
      }
      // Its owner is gone: record it (once, whichever replica or press gets there first) and let
      // the next press run it again, knowing what the interrupted run may have done.
      await this.#recover(blocking, why);
      await audit('duplicate', 'the earlier run was interrupted; recorded now');
      return {
        kind: 'duplicate',
        text: `${claim.action} on ${claim.target} was interrupted (${why}); that is recorded now and said in the thread with what it did. Press the button again to run it again`,
        ...busy,
      };
    }
    throw new Error(`could not claim ${claim.action} on ${claim.target}: its earlier run kept changing; press the button again`);
  }

  /**
   * Shutdown: takes no new runs, lets those in flight finish within `graceMs`, and records the rest
   * as interrupted (audit row, thread message) before they are told to stop.
   */
  /** `givenMs`: the remedies' whole share of the shutdown, as said in a notice (graceMs may be what is left of it). */
  async drain(graceMs: number, givenMs = graceMs): Promise<{ finished: number; interrupted: number }> {
    this.#closed = true;
    const before = [...this.#inflight.values()];
    if (before.length) this.#o.log.info({ running: before.length, graceMs }, 'waiting for running actions to finish');
    await settledWithin([...before.map((r) => r.done), ...this.#presses], graceMs);
    const left = [...this.#inflight.values()];
    const why = `the bot was shutting down and it did not finish within the ${formatDuration(givenMs / 1000)} it was given`;
    for (const run of left) {
      await this.#record(run.id, this.instance, true, this.#text(run.title, run.claim.target, why, run.milestone, run.progress), true, run.claim.source).catch((err: unknown) =>
        this.#o.log.error({ err, action: run.claim.action }, 'could not record an interrupted action'));
      run.controller.abort(new RunInterrupted(why));
    }
    await settledWithin([...left.map((r) => r.done), ...this.#presses], WIND_DOWN_MS);
    clearInterval(this.#timer);
    await this.#ticking;
    if (before.length) this.#o.log.info({ finished: before.length - left.length, interrupted: left.length }, 'running actions drained');
    return { finished: before.length - left.length, interrupted: left.length };
  }

  /** Records every claim whose owner is gone; posts interruptions not yet said. Returns how many it recorded. */
  async sweep(): Promise<number> {
    let recorded = 0;
    const { rows } = await this.#o.pool.query<ClaimRow>(
      `SELECT ${CLAIM_COLUMNS} FROM action_runs
       WHERE outcome IS NULL AND (lease_until IS NULL OR lease_until < now() OR (owner_scope = $2 AND owner IS DISTINCT FROM $1))
       ORDER BY started_at LIMIT 100`, [this.instance, this.#scope ?? null]);
    for (const row of rows) {
      const why = this.#whyDead(row);
      if (why && (await this.#recover(row, why))) recorded++;
    }
    await this.#retryNotices();
    return recorded;
  }

  async #execute(id: string, claim: RunClaim, title: string, run: (ctx: ActionContext) => Promise<string>, io: ActionIo): Promise<RunOutcome> {
    let settle!: () => void;
    const entry: InFlight = { id, claim, title, controller: new AbortController(), renewedAt: Date.now(), done: new Promise<void>((r) => (settle = r)) };
    this.#inflight.set(id, entry);
    try {
      const ctx: ActionContext = {
        progress: async (text) => {
          entry.progress = this.#redact(text);
          if (!entry.controller.signal.aborted) await io.progress(entry.progress);
        },
        attachText: (file) => io.attachText(file),
        note: async (milestone) => {
          entry.milestone = this.#redact(milestone);
          await this.#o.pool.query(`UPDATE action_runs SET milestone = $2 WHERE id = $1 AND outcome IS NULL AND owner = $3`, [id, entry.milestone, this.instance])
            .catch((err: unknown) => this.#o.log.warn({ err, action: claim.action }, 'could not store what an action has done so far'));
        },
        signal: entry.controller.signal,
      };
      let result: string | undefined;
      let error: unknown;
      try {
        result = await run(ctx);
      } catch (e) {
        error = e;
      }
      this.#inflight.delete(id);
      if (entry.controller.signal.aborted) {
        const reason: unknown = entry.controller.signal.reason;
        const why = reason instanceof Error ? reason.message : 'it was stopped';
        await this.#record(id, this.instance, true, this.#text(title, claim.target, why, entry.milestone, entry.progress), true, claim.source).catch((err: unknown) =>
          this.#o.log.error({ err, action: claim.action }, 'could not record an interrupted action: the next sweep records it once its lease runs out'));
        return { kind: 'interrupted', text: `${title} on ${claim.target} was interrupted (${why}); what it did is said in the thread` };
      }
      const outcome = error === undefined ? 'succeeded' : 'failed';
      const detail = this.#redact(error === undefined ? result! : error instanceof Error ? error.message : String(error));
      if (error !== undefined) this.#o.log.warn({ err: error, action: claim.action, target: claim.target }, 'action failed');
      const stored = await this.#finish(id, outcome, detail, claim.source ?? 'slack');
      if (!stored) this.#o.log.warn({ action: claim.action, target: claim.target, outcome }, 'an action finished after its claim had been recorded as interrupted by another process; the audit keeps "interrupted"');
      return outcome === 'succeeded'
        ? { kind: 'succeeded', text: `ran ${title} on ${claim.target}: ${detail}.` }
        : { kind: 'failed', text: `ran ${title} on ${claim.target}: failed: ${detail}` };
    } finally {
      this.#inflight.delete(id);
      settle();
    }
  }

  /** The outcome and its audit row, in one statement, only while the claim is still ours and open. */
  async #finish(id: string, outcome: 'succeeded' | 'failed', detail: string, source: 'slack' | 'playground'): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        const { rowCount } = await this.#o.pool.query(
          `WITH done AS (
             UPDATE action_runs SET outcome = $2, finished_at = now(), detail = $3
             WHERE id = $1 AND outcome IS NULL AND owner = $4
             RETURNING started_by, channel, action, target, params, started_at)
           INSERT INTO audit_log (actor, channel, source, action, target, params, outcome, duration_ms, detail)
           SELECT started_by, channel, $5, action, target, params, $2, (extract(epoch from now() - started_at) * 1000)::int, $3 FROM done`,
          [id, outcome, detail, this.instance, source]);
        return (rowCount ?? 0) > 0;
      } catch (err) {
        // The run keeps its lease meanwhile only if it is still listed: relist it while retrying.
        if (attempt >= 3) {
          this.#o.log.error({ err, outcome }, 'could not store the outcome of an action: it will be recorded as interrupted once its lease runs out');
          return false;
        }
        await new Promise((r) => setTimeout(r, 500 * attempt));
      }
    }
  }

  /**
   * Records a claim as interrupted with its audit row, if it is still open and owned by `owner`
   * (and, unless `force`, its lease has run out); then posts the thread message. Returns whether
   * this call recorded it. `source`: where its button was pressed, known for this process's own
   * runs; a dead process's run is recorded as Slack's.
   */
  async #record(id: string, owner: string | null, force: boolean, text: string, ownRun: boolean, source: 'slack' | 'playground' = 'slack'): Promise<boolean> {
    const { rows } = await this.#o.pool.query<{ id: string; thread_channel: string | null; thread_ts: string | null; started_by: string; action: string }>(
      `WITH done AS (
         UPDATE action_runs SET outcome = 'interrupted', finished_at = now(), detail = $2,
           notice_state = CASE WHEN thread_channel IS NULL OR thread_ts IS NULL THEN 'none' ELSE 'pending' END,
           notice_until = now() + $5 * interval '1 millisecond', notice_attempts = 1
         WHERE id = $1 AND outcome IS NULL AND owner IS NOT DISTINCT FROM $3 AND ($4 OR lease_until IS NULL OR lease_until < now())
         RETURNING id, started_by, channel, action, target, params, started_at, renewed_at, thread_channel, thread_ts),
       audited AS (
         INSERT INTO audit_log (actor, channel, source, action, target, params, outcome, duration_ms, detail)
         SELECT started_by, channel, $7, action, target, params, 'interrupted',
           (extract(epoch from (CASE WHEN $6 THEN now() ELSE coalesce(renewed_at, now()) END) - started_at) * 1000)::int, $2 FROM done)
       SELECT id::text AS id, thread_channel, thread_ts, started_by, action FROM done`,
      [id, text, owner, force, this.leaseMs, ownRun, source]);
    const row = rows[0];
    if (!row) return false;
    this.#o.log.warn({ runId: id, text }, 'action recorded as interrupted');
    // Another process's run (it is gone): its press was never counted with an outcome, so it is here.
    if (!ownRun && owner !== this.instance) metrics.actionsTotal.inc({ action: findAction(row.action) ? row.action : 'unknown', outcome: 'interrupted' });
    if (row.thread_channel && row.thread_ts) await this.#postNotice({ id: row.id, channel: row.thread_channel, threadTs: row.thread_ts, startedBy: row.started_by, text });
    return true;
  }

  async #recover(row: ClaimRow, why: string): Promise<boolean> {
    const title = findAction(row.action)?.title ?? row.action;
    // A dead owner on this host is known dead now; otherwise only an expired lease proves it.
    const force = !row.expired;
    return await this.#record(row.id, row.owner, force, this.#text(title, row.target, why, row.milestone ?? undefined, row.progress ?? undefined), false);
  }

  /** Why this open claim's owner is gone, or undefined while it may still be running. */
  #whyDead(row: ClaimRow): string | undefined {
    // Its own claim: dead only once no run of this process holds it and its lease has run out (its
    // outcome could not be stored); a run that is still going renews its lease.
    if (row.owner === this.instance) return !this.#inflight.has(row.id) && row.expired ? 'this bot process could not store how it ended' : undefined;
    if (this.#scope && row.owner_scope === this.#scope && row.owner_pid !== null && !isRunning(row.owner_pid)) {
      return `the bot process running it (pid ${row.owner_pid} on this host) is gone`;
    }
    if (!row.expired) return undefined;
    if (!row.owner) return 'it was started by a bot version without heartbeats and never finished';
    const since = row.renewed_at ? ` since ${row.renewed_at.toISOString().slice(11, 19)} UTC` : '';
    return `the bot process running it (${row.owner.split(':').slice(0, 2).join(' pid ')}) stopped renewing its claim${since} and is presumed gone`;
  }

  /** Generic secret patterns (tokens, URL passwords) and every configured secret, masked. */
  #redact(text: string): string {
    return maskSecrets(redactSecrets(text), this.#o.secrets ?? []);
  }

  #text(title: string, target: string, why: string, milestone: string | undefined, progress: string | undefined): string {
    const known = milestone ?? UNKNOWN_MILESTONE;
    const seen = progress ? ` Last seen: ${progress}.` : '';
    return this.#redact(`${title} on ${target} was interrupted: ${why}. ${known[0]!.toUpperCase()}${known.slice(1)}.${seen} Press the button again to run it again.`);
  }

  async #postNotice(n: InterruptionNotice & { id: string }): Promise<void> {
    try {
      await this.#o.notify({ channel: n.channel, threadTs: n.threadTs, startedBy: n.startedBy, text: n.text });
      await this.#o.pool.query(`UPDATE action_runs SET notice_state = 'sent', notice_error = NULL WHERE id = $1`, [n.id]);
    } catch (err) {
      this.#o.log.warn({ err, runId: n.id }, 'could not say in the thread that an action was interrupted; retrying');
      await this.#o.pool.query(
        `UPDATE action_runs SET notice_error = $2,
           notice_state = CASE WHEN notice_attempts >= $3 THEN 'failed' ELSE 'pending' END,
           notice_until = now() + (notice_attempts * $4) * interval '1 millisecond'
         WHERE id = $1`, [n.id, this.#redact(err instanceof Error ? err.message : String(err)), MAX_NOTICE_ATTEMPTS, this.renewEveryMs]).catch(() => undefined);
    }
  }

  /** Interruptions recorded but not yet said (Slack failed, or the recorder died before posting). */
  async #retryNotices(): Promise<void> {
    const { rows } = await this.#o.pool.query<{ id: string; thread_channel: string; thread_ts: string; started_by: string; detail: string }>(
      `UPDATE action_runs SET notice_until = now() + $1 * interval '1 millisecond', notice_attempts = notice_attempts + 1
       WHERE id IN (SELECT id FROM action_runs WHERE notice_state = 'pending' AND notice_until < now() ORDER BY notice_until LIMIT 20 FOR UPDATE SKIP LOCKED)
       RETURNING id::text AS id, thread_channel, thread_ts, started_by, detail`, [this.leaseMs]);
    for (const r of rows) await this.#postNotice({ id: r.id, channel: r.thread_channel, threadTs: r.thread_ts, startedBy: r.started_by, text: r.detail });
  }

  #tick(): Promise<void> {
    if (this.#ticking) return this.#ticking;
    this.#ticking = (async () => {
      try {
        await this.#renew();
        await this.sweep();
      } catch (err) {
        this.#o.log.warn({ err }, 'action runner: renewing or sweeping claims failed; retrying');
      } finally {
        this.#ticking = undefined;
      }
    })();
    return this.#ticking;
  }

  /** Extends the lease of every run in flight; a run whose claim is gone or could not be renewed for a whole lease stops. */
  async #renew(): Promise<void> {
    const runs = [...this.#inflight.values()];
    if (runs.length === 0) return;
    try {
      const { rows } = await this.#o.pool.query<{ id: string }>(
        `UPDATE action_runs r SET lease_until = now() + $3 * interval '1 millisecond', renewed_at = now(), progress = u.progress
         FROM unnest($1::bigint[], $2::text[]) AS u(id, progress)
         WHERE r.id = u.id AND r.outcome IS NULL AND r.owner = $4 RETURNING r.id::text AS id`,
        [runs.map((r) => r.id), runs.map((r) => (r.progress === undefined ? null : this.#redact(r.progress))), this.leaseMs, this.instance]);
      const kept = new Set(rows.map((r) => r.id));
      const now = Date.now();
      for (const run of runs) {
        if (kept.has(run.id)) run.renewedAt = now;
        else if (this.#inflight.has(run.id)) run.controller.abort(new RunInterrupted('another process recorded it as interrupted while this one could not renew its claim'));
      }
    } catch (err) {
      this.#o.log.warn({ err, running: runs.length }, 'could not renew the claims of running actions');
    }
    // Fencing: a claim not renewed for a whole lease may be taken over by now; stop rather than run twice.
    for (const run of runs) {
      if (Date.now() - run.renewedAt > this.leaseMs) run.controller.abort(new RunInterrupted(`this bot process could not renew its claim in the state store for ${formatDuration(this.leaseMs / 1000)}`));
    }
  }
}

/** Who holds a short lock, from the value this bot writes; undefined for anything else. */
function parseHolder(value: string | undefined): { startedBy: string; at: number } | undefined {
  if (value === undefined) return undefined;
  try {
    const v = JSON.parse(value) as { startedBy?: unknown; at?: unknown };
    if (typeof v.startedBy !== 'string' || !/^[A-Z0-9]{2,32}$/.test(v.startedBy) || typeof v.at !== 'number' || !Number.isFinite(v.at)) return undefined;
    return { startedBy: v.startedBy, at: v.at };
  } catch {
    return undefined;
  }
}

/** Resolves when all settle or after `ms`, whichever is first. */
async function settledWithin(promises: Promise<unknown>[], ms: number): Promise<void> {
  if (promises.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.allSettled(promises), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

/** Boot id and pid namespace: processes with the same scope see each other's pids. Linux only. */
function processScope(): string | undefined {
  try {
    return `${readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()}/${readlinkSync('/proc/self/ns/pid')}`;
  } catch {
    return undefined;
  }
}

/** Whether a pid of this scope is a running process (a zombie is not; a pid we may not signal is). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true;
  }
}
