// The engine that walks every open incident up its ladder. State lives in PostgreSQL: a timer row
// per incident says when the ladder next needs attention; a page row per message says what must
// reach whom. Timers are claimed with FOR UPDATE SKIP LOCKED and handled in one transaction with
// the page rows they create (unique keys: a second copy cannot exist), and a timer that is not
// the incident's active one under its current epoch is discarded. Messages are sent only after
// that transaction commits, from the page rows, so a crash at any moment loses nothing; a page
// whose delivery was interrupted is looked up in Slack by its key before it is sent again.
import type pg from 'pg';
import type { Logger } from '../logger.ts';
import type { OnCallLookup } from '../oncall/on-call-lookup.ts';
import { isLive, ladderPoints, nextPoint, type LadderPoint } from './escalation-plan.ts';
import { currentLadder, incidentFromRow, incidentRef, type Incident, type IncidentRow } from './incident.ts';
import { severityLabel } from './ladder.ts';
import { PageError, type OutgoingPage, type PageRecipient, type Pager } from './pager.ts';
import { formatDuration } from '../probes/format.ts';

export interface Clock {
  now(): Date;
}

export const SYSTEM_CLOCK: Clock = { now: () => new Date() };

export interface EngineOptions {
  pool: pg.Pool;
  pager: Pager;
  oncall: OnCallLookup;
  /** Members of a Slack user group, for DMs to a group. */
  groupMembers(group: string): Promise<string[]>;
  /** Where mention pages go. */
  incidentsChannel: string;
  clock?: Clock;
  log: Logger;
  /** Delivery attempts before a page is given up (429 waits do not count). */
  maxAttempts?: number;
  /** How long a claimed page may take before another replica may take it over. */
  leaseMs?: number;
  /** Pages sent at once. */
  concurrency?: number;
}

export interface RunStats {
  fired: number;
  sent: number;
  failed: number;
}

/** Longest sleep between two looks at the database: covers timers another replica created. */
const MAX_SLEEP_MS = 10_000;
/** Timers fired per round before the pages they made are delivered. */
const TIMER_BATCH = 50;
/** Timers fired at once, each on its own connection. */
const TIMER_WORKERS = 4;
/** A timer whose handling failed (the database blinked) is tried again this much later. */
const TIMER_RETRY_MS = 5_000;
const PAGE_BATCH = 100;
/** A page later than this after its due time is marked late. */
export const LATE_AFTER_MS = 2_000;

export class EscalationEngine {
  readonly #o: Required<Omit<EngineOptions, 'clock'>> & { clock: Clock };
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #busy: Promise<void> | undefined;
  #again = false;
  /** Incidents whose message is behind their pages. */
  readonly #touched = new Set<number>();
  readonly #refreshing = new Map<number, Promise<void>>();

  constructor(options: EngineOptions) {
    this.#o = { maxAttempts: 5, leaseMs: 30_000, concurrency: 8, clock: SYSTEM_CLOCK, ...options };
  }

  get clock(): Clock {
    return this.#o.clock;
  }

  /** Members of a Slack user group, as the ladder reads them (also for who may act on an incident). */
  async groupMembers(group: string): Promise<string[]> {
    return await this.#o.groupMembers(group);
  }

  /** Starts waking at the next due time (at once when something is overdue, as after a restart). */
  start(): void {
    this.#running = true;
    this.#wake(0);
  }

  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    await this.#busy;
  }

  /** Something changed (declared, acknowledged, escalated): look now rather than at the next due time. */
  poke(): void {
    if (!this.#running) return;
    if (this.#busy) this.#again = true;
    else this.#wake(0);
  }

  #wake(delayMs: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#busy = this.#cycle().finally(() => {
        this.#busy = undefined;
      });
    }, delayMs);
    this.#timer.unref?.();
  }

  async #cycle(): Promise<void> {
    let delay = MAX_SLEEP_MS;
    try {
      do {
        this.#again = false;
        await this.runDue();
      } while (this.#again && this.#running);
      const next = await this.nextDueAt();
      if (next) delay = Math.min(MAX_SLEEP_MS, Math.max(0, next.getTime() - this.#o.clock.now().getTime()));
    } catch (err) {
      this.#o.log.error({ err }, 'while running the escalation engine');
      delay = 1_000;
    }
    if (this.#running) this.#wake(delay);
  }

  /** When the engine next has something to do: O(log n) on the partial indexes, whatever the number of open incidents. */
  async nextDueAt(): Promise<Date | undefined> {
    const { rows } = await this.#o.pool.query<{ at: Date | null }>(
      `SELECT least(
         (SELECT min(due_at) FROM incident_timers WHERE state = 'pending'),
         (SELECT min(next_try_at) FROM incident_pages WHERE state = 'pending'),
         (SELECT min(lease_until) FROM incident_pages WHERE state = 'sending')) AS at`);
    return rows[0]?.at ?? undefined;
  }

  /** Handles every timer and page due now, until none is left; then brings the incident messages up to date. */
  async runDue(): Promise<RunStats> {
    const stats: RunStats = { fired: 0, sent: 0, failed: 0 };
    for (let round = 0; round < 10_000; round++) {
      const fired = await this.#fireDueTimers();
      const delivered = await this.#deliverDuePages();
      stats.fired += fired;
      stats.sent += delivered.sent;
      stats.failed += delivered.failed;
      if (fired === 0 && delivered.claimed === 0) break;
    }
    await this.#refreshTouched();
    return stats;
  }

  /** Pages first, the incidents' own messages after: an update never delays a page. */
  async #refreshTouched(): Promise<void> {
    const ids = [...this.#touched];
    this.#touched.clear();
    await Promise.all(Array.from({ length: Math.min(this.#o.concurrency, ids.length) }, async () => {
      for (let id = ids.shift(); id !== undefined; id = ids.shift()) {
        await this.refreshIncidentMessage(id).catch((err: unknown) => this.#o.log.warn({ err, incident: id }, 'while updating the incident message'));
      }
    }));
  }

  // --- Timers ------------------------------------------------------------------------------------

  /**
   * Fires due timers, each in a transaction of its own (claim, handle, commit): a failure costs
   * only that timer, which is retried, and no savepoint is needed, so the claimed rows' index
   * entries are cleaned up as soon as they are dead and idle ticks stay cheap.
   */
  async #fireDueTimers(): Promise<number> {
    let handled = 0;
    let exhausted = false;
    const worker = async () => {
      while (!exhausted && handled < TIMER_BATCH) {
        const fired = await this.#fireOne();
        if (fired === 'fired') handled += 1;
        // A failed timer was put back a few seconds; this worker stops for this round.
        else return void (exhausted ||= fired === 'none');
      }
    };
    await Promise.all(Array.from({ length: TIMER_WORKERS }, worker));
    return handled;
  }

  async #fireOne(): Promise<'fired' | 'failed' | 'none'> {
    const now = this.#o.clock.now();
    const client = await this.#o.pool.connect();
    let timer: { id: string; incident_id: string; point: string; epoch: number } | undefined;
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ id: string; incident_id: string; point: string; epoch: number }>(
        `SELECT id, incident_id, point, epoch FROM incident_timers
          WHERE state = 'pending' AND due_at <= $1 ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED`, [now]);
      timer = rows[0];
      if (!timer) {
        await client.query('COMMIT');
        return 'none';
      }
      await this.#fire(client, timer, now);
      await client.query('COMMIT');
      return 'fired';
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      this.#o.log.error({ err, incident: timer?.incident_id, point: timer?.point }, 'while firing an escalation timer; it is retried in a few seconds');
      if (timer) {
        await this.#o.pool.query(`UPDATE incident_timers SET due_at = $2 WHERE id = $1 AND state = 'pending'`, [timer.id, new Date(now.getTime() + TIMER_RETRY_MS)]).catch(() => undefined);
      }
      return 'failed';
    } finally {
      client.release();
    }
  }

  async #fire(client: pg.PoolClient, timer: { id: string; incident_id: string; point: string; epoch: number }, now: Date): Promise<void> {
    const { rows } = await client.query<IncidentRow>('SELECT * FROM incidents WHERE id = $1 FOR UPDATE', [timer.incident_id]);
    const row = rows[0];
    // The fencing check: a timer from before an ack, resolve, escalation or severity change.
    if (!row || row.active_timer !== timer.id || row.epoch !== timer.epoch) {
      await client.query(`UPDATE incident_timers SET state = 'discarded', fired_at = $2 WHERE id = $1`, [timer.id, now]);
      return;
    }
    const incident = incidentFromRow(row);
    const points = ladderPoints(currentLadder(incident), incident.declaredAt);
    const done = new Set(incident.donePoints);
    let point = points.find((p) => p.id === timer.point);
    while (point && !done.has(point.id) && isLive(point, incident.status)) {
      const outcome = await this.#handlePoint(client, incident, point, points, done, now);
      done.add(point.id);
      // Nobody could be paged at this level: the next level is paged now, and the thread says so.
      point = outcome === 'nobody' ? points.find((p) => p.kind === 'page' && !done.has(p.id) && isLive(p, incident.status) && p.step !== point!.step) : undefined;
    }
    await client.query(`UPDATE incident_timers SET state = 'done', fired_at = $2 WHERE id = $1`, [timer.id, now]);
    await client.query('UPDATE incidents SET done_points = $2, updated_at = $3 WHERE id = $1', [incident.id, [...done], now]);
    await armNext(client, { ...incident, donePoints: [...done] }, now);
  }

  async #handlePoint(client: pg.PoolClient, incident: Incident, point: LadderPoint, points: LadderPoint[], done: Set<string>, now: Date): Promise<'paged' | 'nobody' | 'noted' | 'superseded'> {
    const ref = incidentRef(incident.id);
    const ladder = currentLadder(incident);
    const base = { incident, point, now };
    if (point.kind === 'deadline') {
      const text = `${severityLabel(incident.severity)} acknowledge deadline (${formatDuration(ladder.ackWithinMs / 1000)}) missed: nobody has acknowledged ${ref} yet.`;
      await insertPage(client, { ...base, key: `${ref}/${point.id}/thread`, label: point.label, recipient: { thread: true, text }, until: 'resolved' });
      await addEvent(client, incident.id, now, null, 'deadline_missed', text);
      return 'noted';
    }
    // After downtime, a repeat already due makes the earlier one pointless: one page, not three.
    const later = points.find((p) => p.kind === 'page' && p.step === point.step && (p.attempt ?? 0) > (point.attempt ?? 0) && p.dueAt <= now.getTime() && !done.has(p.id));
    if (later) return 'superseded';

    const step = ladder.steps[point.step!]!;
    const users = new Set<string>();
    const mentions: string[] = [];
    const channels: string[] = [];
    const missing = (step.unresolvedRoles ?? []).map((r) => `role ${r} is not defined in incidents.roles`);
    for (const r of step.notify) {
      if ('user' in r) users.add(r.user);
      else if ('channel' in r) channels.push(r.channel);
      else if ('group' in r) {
        mentions.push(`<!subteam^${r.group}>`);
        if (step.via.includes('dm')) {
          try {
            for (const u of await this.#o.groupMembers(r.group)) users.add(u);
          } catch (err) {
            missing.push(`members of user group ${r.group} could not be read (${(err as Error).message})`);
          }
        }
      } else {
        const shift = await this.#o.oncall.onCallAt(r.oncall, now);
        if (shift) users.add(shift.user);
        else missing.push(`rotation ${r.oncall} has nobody on call`);
      }
    }
    const recipients: PageRecipient[] = [];
    if (step.via.includes('dm')) for (const u of users) recipients.push({ dm: u });
    const named = [...[...users].map((u) => `<@${u}>`), ...mentions];
    if (step.via.includes('mention') && named.length > 0) recipients.push({ channel: this.#o.incidentsChannel, mentions: named, ...(step.broadcast && { broadcast: step.broadcast }) });
    for (const c of channels) recipients.push({ channel: c, mentions: [], ...(step.broadcast && { broadcast: step.broadcast }) });

    if (recipients.length === 0) {
      const why = missing.length > 0 ? missing.join('; ') : 'the level names nobody';
      const text = `Nobody to page for ${step.label} (${why}): paging the next level now.`;
      await insertPage(client, { ...base, key: `${ref}/${point.id}/thread`, label: step.label, recipient: { thread: true, text }, until: 'resolved' });
      await addEvent(client, incident.id, now, null, 'nobody_to_page', text);
      return 'nobody';
    }
    for (const recipient of recipients) {
      const to = 'dm' in recipient ? `dm:${recipient.dm}` : 'channel' in recipient ? `channel:${recipient.channel}` : 'thread';
      await insertPage(client, { ...base, key: `${ref}/${point.id}/${to}`, label: step.label, recipient, until: point.until });
    }
    const who = [...named, ...channels.map((c) => `<#${c}>`)].join(', ');
    const repeat = (point.attempt ?? 0) > 0 ? ` (repeat ${point.attempt})` : '';
    await addEvent(client, incident.id, now, null, 'page', `Paging ${step.label}${repeat}: ${who}${missing.length ? ` (${missing.join('; ')})` : ''}`);
    return 'paged';
  }

  // --- Pages -------------------------------------------------------------------------------------

  async #deliverDuePages(): Promise<{ claimed: number; sent: number; failed: number }> {
    const now = this.#o.clock.now();
    const { rows } = await this.#o.pool.query<PageRow & { was: string }>(
      `WITH c AS (
         SELECT id, state AS was FROM incident_pages
          WHERE (state = 'pending' AND next_try_at <= $1) OR (state = 'sending' AND lease_until <= $1)
          ORDER BY next_try_at LIMIT ${PAGE_BATCH} FOR UPDATE SKIP LOCKED)
       UPDATE incident_pages p SET state = 'sending', attempts = p.attempts + 1, lease_until = $2
         FROM c WHERE p.id = c.id
       RETURNING p.*, c.was`,
      [now, new Date(now.getTime() + this.#o.leaseMs)]);
    if (rows.length === 0) return { claimed: 0, sent: 0, failed: 0 };
    const incidents = await this.#loadIncidents([...new Set(rows.map((r) => r.incident_id))]);
    let sent = 0;
    let failed = 0;
    const touched = new Set<number>();
    const queue = [...rows];
    const worker = async () => {
      for (let row = queue.shift(); row; row = queue.shift()) {
        const incident = incidents.get(Number(row.incident_id));
        const result = incident ? await this.#deliver(row, incident) : 'cancelled';
        if (result === 'sent') {
          sent += 1;
          touched.add(Number(row.incident_id));
        }
        if (result === 'failed') failed += 1;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#o.concurrency, rows.length) }, worker));
    for (const id of touched) this.#touched.add(id);
    return { claimed: rows.length, sent, failed };
  }

  async #loadIncidents(ids: string[]): Promise<Map<number, Incident>> {
    const { rows } = await this.#o.pool.query<IncidentRow>('SELECT * FROM incidents WHERE id = ANY($1::bigint[])', [ids]);
    return new Map(rows.map((r) => [Number(r.id), incidentFromRow(r)]));
  }

  async #deliver(row: PageRow & { was: string }, incident: Incident): Promise<'sent' | 'failed' | 'retry' | 'cancelled'> {
    const pool = this.#o.pool;
    // An ack or resolve that came after the page was created: it is no longer needed.
    if (incident.status === 'resolved' || (row.until_status === 'acknowledged' && incident.status !== 'open')) {
      await pool.query(`UPDATE incident_pages SET state = 'cancelled', lease_until = NULL WHERE id = $1`, [row.id]);
      return 'cancelled';
    }
    const now = this.#o.clock.now();
    const page: OutgoingPage = {
      key: row.key,
      incident,
      label: row.label,
      recipient: row.recipient,
      attempt: Number(/a(\d+)$/.exec(row.point)?.[1] ?? 0),
      lateMs: Math.max(0, now.getTime() - row.due_at.getTime()),
      ...nextLevel(incident, now),
    };
    try {
      // Claimed before and never finished: it may have gone out already.
      const delivered = (row.was === 'sending' ? await this.#o.pager.findSent(page) : undefined) ?? (await this.#o.pager.send(page));
      const sentAt = this.#o.clock.now();
      const lateMs = sentAt.getTime() - row.due_at.getTime();
      const res = await pool.query(
        `UPDATE incident_pages SET state = 'sent', sent_at = $2, channel = $3, ts = $4, late_ms = $5, lease_until = NULL, error = NULL
          WHERE id = $1 AND state = 'sending'`, [row.id, sentAt, delivered.channel, delivered.ts, lateMs]);
      if (res.rowCount === 1 && !('thread' in row.recipient)) {
        const to = 'dm' in row.recipient ? `<@${row.recipient.dm}> by DM` : `<#${row.recipient.channel}>`;
        await addEvent(pool, incident.id, sentAt, null, 'paged', `Paged ${row.label}: ${to}${lateMs > LATE_AFTER_MS ? ` (${formatDuration(lateMs / 1000)} late)` : ''}`);
      }
      return 'sent';
    } catch (error) {
      return await this.#failed(row, incident, error);
    }
  }

  async #failed(row: PageRow, incident: Incident, error: unknown): Promise<'failed' | 'retry'> {
    const now = this.#o.clock.now().getTime();
    const pageError = error instanceof PageError ? error : undefined;
    const reason = error instanceof Error ? error.message : String(error);
    if (pageError?.retryAfterMs !== undefined) {
      // Slack's rate limit is not the page's fault: wait as asked, without using up an attempt.
      await this.#o.pool.query(
        `UPDATE incident_pages SET state = 'pending', attempts = attempts - 1, next_try_at = $2, lease_until = NULL, error = $3 WHERE id = $1 AND state = 'sending'`,
        [row.id, new Date(now + pageError.retryAfterMs), reason]);
      return 'retry';
    }
    if (!pageError?.permanent && row.attempts < this.#o.maxAttempts) {
      const backoffMs = 1_000 * 2 ** (row.attempts - 1);
      await this.#o.pool.query(
        `UPDATE incident_pages SET state = 'pending', next_try_at = $2, lease_until = NULL, error = $3 WHERE id = $1 AND state = 'sending'`,
        [row.id, new Date(now + backoffMs), reason]);
      return 'retry';
    }
    const res = await this.#o.pool.query(`UPDATE incident_pages SET state = 'failed', lease_until = NULL, error = $2 WHERE id = $1 AND state = 'sending'`, [row.id, reason]);
    this.#o.log.warn({ incident: incident.id, page: row.key, err: error }, 'page given up');
    if (res.rowCount === 1 && !('thread' in row.recipient)) {
      const to = 'dm' in row.recipient ? `<@${row.recipient.dm}> by DM` : `<#${row.recipient.channel}>`;
      const text = `Could not page ${row.label} ${to} after ${row.attempts} ${row.attempts === 1 ? 'attempt' : 'attempts'}: ${reason}. The ladder goes on.`;
      const at = new Date(now);
      await addEvent(this.#o.pool, incident.id, at, null, 'page_failed', text);
      await insertPage(this.#o.pool, { incident, point: { id: row.point } as LadderPoint, now: at, key: `${row.key}/failed`, label: row.label, recipient: { thread: true, text }, until: 'resolved' });
    }
    return 'failed';
  }

  /**
   * Posts or updates the incident's message in the incidents channel with its current state.
   * Refreshes of one incident run one after the other: two at once could both find no message
   * yet and post it twice.
   */
  refreshIncidentMessage(id: number): Promise<void> {
    const previous = this.#refreshing.get(id) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.#refresh(id));
    this.#refreshing.set(id, next);
    void next.finally(() => {
      if (this.#refreshing.get(id) === next) this.#refreshing.delete(id);
    }).catch(() => undefined);
    return next;
  }

  async #refresh(id: number): Promise<void> {
    const { rows } = await this.#o.pool.query<IncidentRow>('SELECT * FROM incidents WHERE id = $1', [id]);
    if (!rows[0]) return;
    const incident = incidentFromRow(rows[0]);
    const { rows: pages } = await this.#o.pool.query<{ label: string; recipient: PageRecipient; sent_at: Date }>(
      `SELECT label, recipient, sent_at FROM incident_pages WHERE incident_id = $1 AND state = 'sent' AND NOT (recipient ? 'thread') ORDER BY sent_at`, [id]);
    const now = this.#o.clock.now();
    const ladder = currentLadder(incident);
    const next = nextLevel(incident, now).next;
    const delivered = await this.#o.pager.showIncident(incident.channel ?? this.#o.incidentsChannel, {
      incident,
      paged: pages.map((p) => ({ label: p.label, to: 'dm' in p.recipient ? `<@${p.recipient.dm}>` : 'channel' in p.recipient ? `<#${p.recipient.channel}>` : '', at: p.sent_at })),
      ...(incident.status === 'open' && { ackDueAt: new Date(incident.declaredAt.getTime() + ladder.ackWithinMs) }),
      ...(next && { next: { label: next.label, at: next.at } }),
    });
    if (!incident.messageTs) {
      await this.#o.pool.query('UPDATE incidents SET channel = $2, message_ts = $3 WHERE id = $1 AND message_ts IS NULL', [id, delivered.channel, delivered.ts]);
    }
  }
}

interface PageRow {
  id: string;
  key: string;
  incident_id: string;
  point: string;
  label: string;
  recipient: PageRecipient;
  until_status: 'acknowledged' | 'resolved';
  due_at: Date;
  attempts: number;
}

/** The next level that will be paged if nobody acts, for the page text and the incident message. */
export function nextLevel(incident: Incident, now: Date): { next?: { label: string; at: Date; until: 'acknowledged' | 'resolved' } } {
  const points = ladderPoints(currentLadder(incident), incident.declaredAt);
  const done = new Set(incident.donePoints);
  const upcoming = points.find((p) => p.kind === 'page' && !done.has(p.id) && isLive(p, incident.status) && p.dueAt > now.getTime() && p.attempt === 0);
  return upcoming ? { next: { label: upcoming.label, at: new Date(upcoming.dueAt), until: upcoming.until } } : {};
}

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

async function insertPage(
  db: Queryable,
  p: { incident: Incident; point: Pick<LadderPoint, 'id'> & Partial<LadderPoint>; now: Date; key: string; label: string; recipient: PageRecipient; until: 'acknowledged' | 'resolved' },
): Promise<void> {
  const due = p.point.dueAt !== undefined ? new Date(Math.min(p.point.dueAt, p.now.getTime())) : p.now;
  await db.query(
    `INSERT INTO incident_pages (key, incident_id, point, label, recipient, until_status, due_at, created_at, next_try_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT (key) DO NOTHING`,
    [p.key, p.incident.id, p.point.id, p.label, JSON.stringify(p.recipient), p.until, due, p.now]);
}

export async function addEvent(db: Queryable, incidentId: number, at: Date, actor: string | null, kind: string, text: string): Promise<void> {
  await db.query('INSERT INTO incident_events (incident_id, at, actor, kind, text) VALUES ($1, $2, $3, $4, $5)', [incidentId, at, actor, kind, text]);
}

/**
 * Schedules the incident's next ladder point as its only live timer, under its current epoch;
 * every other pending timer of the incident is discarded. Call inside the transaction that
 * changed the incident.
 */
export async function armNext(client: Queryable, incident: Incident, now: Date, override?: LadderPoint): Promise<void> {
  await client.query(`UPDATE incident_timers SET state = 'discarded', fired_at = $2 WHERE incident_id = $1 AND state = 'pending'`, [incident.id, now]);
  const points = ladderPoints(currentLadder(incident), incident.declaredAt);
  const next = override ?? nextPoint(points, incident.status, new Set(incident.donePoints));
  if (!next) {
    await client.query('UPDATE incidents SET active_timer = NULL WHERE id = $1', [incident.id]);
    return;
  }
  const due = override ? now : new Date(next.dueAt);
  const { rows } = await client.query<{ id: string }>(
    'INSERT INTO incident_timers (incident_id, point, epoch, due_at) VALUES ($1, $2, $3, $4) RETURNING id', [incident.id, next.id, incident.epoch, due]);
  await client.query('UPDATE incidents SET active_timer = $2 WHERE id = $1', [incident.id, rows[0]!.id]);
}
