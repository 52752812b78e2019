// The incidents' SQL, and nothing else: incidents, their ladder timers, their page rows (the
// outbox) and their timeline. The engine and the service decide; this file reads and writes.
// A store made by `transaction` runs on that transaction's connection: hold no network call in it.
import type pg from 'pg';
import { plainText, type Line } from '../message/message.ts';
import { ladderPoints, nextPoint, type LadderPoint } from './escalation-plan.ts';
import { currentLadder, incidentFromRow, type Incident, type IncidentRow } from './incident.ts';
import type { Severity } from './ladder.ts';
import type { Delivered, PageRecipient } from './pager.ts';

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/** A ladder timer: the incident's next point, under the epoch it was armed in. */
export interface TimerRef {
  id: string;
  incidentId: number;
  point: string;
  epoch: number;
}

/** A page row to create (unique by key: a second copy is never made). */
export interface NewPage {
  key: string;
  incidentId: number;
  point: string;
  label: string;
  recipient: PageRecipient;
  until: 'acknowledged' | 'resolved';
  /** When it was due (a page written late keeps its due time, so it is marked late). */
  dueAt: Date;
  createdAt: Date;
}

/** A page row claimed for delivery, with a lease. */
export interface ClaimedPage extends Omit<NewPage, 'createdAt'> {
  id: string;
  /** Delivery attempts so far, this one included. */
  attempts: number;
  /** It was claimed before and never finished: it may have gone out already. */
  interrupted: boolean;
  /**
   * When it became due for delivery (written, or its retry time): no claim, the interrupted one
   * included, came before it, so an interrupted page cannot have reached Slack earlier.
   */
  readySince: Date;
}

export interface StoredEvent {
  at: Date;
  actor: string | null;
  kind: string;
  /** The plain words (mentions as @id); Slack mention syntax in rows written before `line`. */
  text: string;
  /** The entry as spans; null in rows written before it was stored. */
  line: Line | null;
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
  next_try_at: Date;
  attempts: number;
  was: string;
}

export class IncidentStore {
  readonly #db: Queryable;
  readonly #pool: pg.Pool | undefined;

  /** Over the pool; `transaction` hands out stores bound to one connection. */
  constructor(pool: pg.Pool);
  constructor(client: Queryable, inTransaction: true);
  constructor(db: Queryable, inTransaction = false) {
    this.#db = db;
    this.#pool = inTransaction ? undefined : (db as pg.Pool);
  }

  /** Runs `fn` in one transaction (committed when it returns, rolled back when it throws). */
  async transaction<T>(fn: (tx: IncidentStore) => Promise<T>): Promise<T> {
    if (!this.#pool) throw new Error('a transaction cannot be opened inside another one');
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(new IncidentStore(client, true));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  // --- Incidents -------------------------------------------------------------------------------

  async get(id: number): Promise<Incident | undefined> {
    const { rows } = await this.#db.query<IncidentRow>('SELECT * FROM incidents WHERE id = $1', [id]);
    return rows[0] && incidentFromRow(rows[0]);
  }

  async getMany(ids: readonly number[]): Promise<Map<number, Incident>> {
    const { rows } = await this.#db.query<IncidentRow>('SELECT * FROM incidents WHERE id = ANY($1::bigint[])', [ids]);
    return new Map(rows.map((r) => [Number(r.id), incidentFromRow(r)]));
  }

  /** The incident under its row lock, until the transaction ends. */
  async lockIncident(id: number): Promise<Incident | undefined> {
    const { rows } = await this.#db.query<IncidentRow>('SELECT * FROM incidents WHERE id = $1 FOR UPDATE', [id]);
    return rows[0] && incidentFromRow(rows[0]);
  }

  /** Open and acknowledged incidents, most severe and oldest first. */
  async listOpen(limit: number): Promise<Incident[]> {
    const { rows } = await this.#db.query<IncidentRow>(`SELECT * FROM incidents WHERE status <> 'resolved' ORDER BY severity, declared_at LIMIT $1`, [limit]);
    return rows.map(incidentFromRow);
  }

  async createIncident(i: { severity: Severity; title: string; commander: string; declaredAt: Date; ladders: Incident['ladders']; report: unknown }): Promise<Incident> {
    const { rows } = await this.#db.query<IncidentRow>(
      `INSERT INTO incidents (severity, title, commander, declared_at, ladders, report) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      [i.severity, i.title, i.commander, i.declaredAt, JSON.stringify(i.ladders), i.report === undefined ? null : JSON.stringify(i.report)]);
    return incidentFromRow(rows[0]!);
  }

  /**
   * An incident declared by something other than a person, once per `sourceKey`: undefined when
   * one was declared with it already (a second insert at the same moment waits for the first and
   * then finds it taken).
   */
  async createIncidentOnce(i: { severity: Severity; title: string; commander: string; declaredAt: Date; ladders: Incident['ladders']; report: unknown; sourceKey: string }): Promise<Incident | undefined> {
    const { rows } = await this.#db.query<IncidentRow>(
      `INSERT INTO incidents (severity, title, commander, declared_at, ladders, report, source_key) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (source_key) DO NOTHING RETURNING *`,
      [i.severity, i.title, i.commander, i.declaredAt, JSON.stringify(i.ladders), i.report === undefined ? null : JSON.stringify(i.report), i.sourceKey]);
    return rows[0] && incidentFromRow(rows[0]);
  }

  async getBySourceKey(sourceKey: string): Promise<Incident | undefined> {
    const { rows } = await this.#db.query<IncidentRow>('SELECT * FROM incidents WHERE source_key = $1', [sourceKey]);
    return rows[0] && incidentFromRow(rows[0]);
  }

  /** Sets the report's `diagnosis` unless it has one: true when it was set now. */
  async attachDiagnosis(id: number, diagnosis: unknown): Promise<boolean> {
    const res = await this.#db.query(
      `UPDATE incidents SET report = jsonb_set(COALESCE(report, '{}'::jsonb), '{diagnosis}', $2::jsonb)
       WHERE id = $1 AND jsonb_typeof(COALESCE(report, '{}'::jsonb)) = 'object' AND COALESCE(report -> 'diagnosis', 'null'::jsonb) = 'null'::jsonb`,
      [id, JSON.stringify(diagnosis)]);
    return res.rowCount === 1;
  }

  /** Where the alert message of an incident an alert declared is, once known (set once). */
  async attachAlertMessage(id: number, message: { channel: string; ts: string }): Promise<void> {
    await this.#db.query(
      `UPDATE incidents SET report = jsonb_set(report, '{alert,message}', $2::jsonb)
       WHERE id = $1 AND jsonb_typeof(report -> 'alert') = 'object' AND NOT (report -> 'alert') ? 'message'`,
      [id, JSON.stringify(message)]);
  }

  /** A person takes command (of an incident an alert declared). */
  async setCommander(id: number, commander: string): Promise<void> {
    await this.#db.query('UPDATE incidents SET commander = $2 WHERE id = $1', [id, commander]);
  }

  async setDedicatedChannel(id: number, channel: string): Promise<void> {
    await this.#db.query('UPDATE incidents SET dedicated_channel = $2 WHERE id = $1', [id, channel]);
  }

  async acknowledge(id: number, at: Date, by: string): Promise<void> {
    await this.#db.query(`UPDATE incidents SET status = 'acknowledged', acknowledged_at = $2, acknowledged_by = $3 WHERE id = $1`, [id, at, by]);
  }

  /** Resolved: the pages not yet sent are cancelled with it. */
  async resolve(id: number, at: Date, by: string): Promise<void> {
    await this.#db.query(`UPDATE incidents SET status = 'resolved', resolved_at = $2, resolved_by = $3 WHERE id = $1`, [id, at, by]);
    await this.#db.query(`UPDATE incident_pages SET state = 'cancelled' WHERE incident_id = $1 AND state = 'pending'`, [id]);
  }

  async setLastEscalation(id: number, at: Date, by: string, to: string): Promise<void> {
    await this.#db.query('UPDATE incidents SET last_escalated_at = $2, last_escalated_by = $3, last_escalated_to = $4 WHERE id = $1', [id, at, by, to]);
  }

  async setSeverity(id: number, severity: Severity, donePoints: readonly string[]): Promise<void> {
    await this.#db.query('UPDATE incidents SET severity = $2, done_points = $3 WHERE id = $1', [id, severity, donePoints]);
  }

  /** A new epoch: timers armed before it are stale and will be discarded. */
  async setEpoch(id: number, epoch: number, at: Date): Promise<void> {
    await this.#db.query('UPDATE incidents SET epoch = $2, updated_at = $3 WHERE id = $1', [id, epoch, at]);
  }

  async setDonePoints(id: number, donePoints: readonly string[], at: Date): Promise<void> {
    await this.#db.query('UPDATE incidents SET done_points = $2, updated_at = $3 WHERE id = $1', [id, donePoints, at]);
  }

  /** Where the incident's own message is, once it is first posted. */
  async setMessage(id: number, delivered: Delivered): Promise<void> {
    await this.#db.query('UPDATE incidents SET channel = $2, message_ts = $3 WHERE id = $1 AND message_ts IS NULL', [id, delivered.channel, delivered.ts]);
  }

  // --- Timers ----------------------------------------------------------------------------------

  /** When the engine next has something to do: O(log n) on the partial indexes, whatever the number of open incidents. */
  async nextDueAt(): Promise<Date | undefined> {
    const { rows } = await this.#db.query<{ at: Date | null }>(
      `SELECT least(
         (SELECT min(due_at) FROM incident_timers WHERE state = 'pending'),
         (SELECT min(next_try_at) FROM incident_pages WHERE state = 'pending'),
         (SELECT min(lease_until) FROM incident_pages WHERE state = 'sending')) AS at`);
    return rows[0]?.at ?? undefined;
  }

  /**
   * Claims the earliest due timer with its incident, in one statement that holds no lock once it
   * returns: the timer's due time moves to `claimUntil`, so no other engine takes it meanwhile (and
   * one takes it over after that if this one died). `claimUntil` is the claim's token.
   */
  async claimDueTimer(now: Date, claimUntil: Date): Promise<{ timer: TimerRef; incident: Incident } | undefined> {
    const { rows } = await this.#db.query<IncidentRow & { timer_id: string; timer_point: string; timer_epoch: number }>(
      `WITH c AS (
         SELECT id FROM incident_timers WHERE state = 'pending' AND due_at <= $1 ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED)
       UPDATE incident_timers t SET due_at = $2 FROM c, incidents i
        WHERE t.id = c.id AND i.id = t.incident_id
       RETURNING t.id AS timer_id, t.point AS timer_point, t.epoch AS timer_epoch, i.*`, [now, claimUntil]);
    const r = rows[0];
    return r && { timer: { id: r.timer_id, incidentId: Number(r.id), point: r.timer_point, epoch: r.timer_epoch }, incident: incidentFromRow(r) };
  }

  /**
   * The claimed timer under its row lock if the claim still holds and it is still pending;
   * undefined otherwise (another engine took it over). It waits for a lock rather than skipping:
   * another engine's claim statement may hold the row for an instant while it passes it over.
   */
  async lockClaimedTimer(id: string, claimUntil: Date): Promise<TimerRef | undefined> {
    const { rows } = await this.#db.query<{ id: string; incident_id: string; point: string; epoch: number }>(
      `SELECT id, incident_id, point, epoch FROM incident_timers WHERE id = $1 AND state = 'pending' AND due_at = $2 FOR UPDATE`, [id, claimUntil]);
    const r = rows[0];
    return r && { id: r.id, incidentId: Number(r.incident_id), point: r.point, epoch: r.epoch };
  }

  async finishTimer(id: string, state: 'done' | 'discarded', at: Date): Promise<void> {
    await this.#db.query('UPDATE incident_timers SET state = $3, fired_at = $2 WHERE id = $1', [id, at, state]);
  }

  /** A claimed timer whose handling failed is tried again at `at` (unless another engine took it over). */
  async retryTimerAt(id: string, claimUntil: Date, at: Date): Promise<void> {
    await this.#db.query(`UPDATE incident_timers SET due_at = $3 WHERE id = $1 AND state = 'pending' AND due_at = $2`, [id, claimUntil, at]);
  }

  /**
   * Schedules the incident's next ladder point as its only live timer, under its current epoch;
   * every other pending timer of the incident is discarded. Call inside the transaction that
   * changed the incident.
   */
  async armNext(incident: Incident, now: Date, override?: LadderPoint): Promise<void> {
    await this.#db.query(`UPDATE incident_timers SET state = 'discarded', fired_at = $2 WHERE incident_id = $1 AND state = 'pending'`, [incident.id, now]);
    const points = ladderPoints(currentLadder(incident), incident.declaredAt);
    const next = override ?? nextPoint(points, incident.status, new Set(incident.donePoints));
    if (!next) {
      await this.#db.query('UPDATE incidents SET active_timer = NULL WHERE id = $1', [incident.id]);
      return;
    }
    const due = override ? now : new Date(next.dueAt);
    const { rows } = await this.#db.query<{ id: string }>(
      'INSERT INTO incident_timers (incident_id, point, epoch, due_at) VALUES ($1, $2, $3, $4) RETURNING id', [incident.id, next.id, incident.epoch, due]);
    await this.#db.query('UPDATE incidents SET active_timer = $2 WHERE id = $1', [incident.id, rows[0]!.id]);
  }

  // --- Pages (the outbox) ----------------------------------------------------------------------

  async insertPage(p: NewPage): Promise<void> {
    await this.#db.query(
      `INSERT INTO incident_pages (key, incident_id, point, label, recipient, until_status, due_at, created_at, next_try_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT (key) DO NOTHING`,
      [p.key, p.incidentId, p.point, p.label, JSON.stringify(p.recipient), p.until, p.dueAt, p.createdAt]);
  }

  /** Claims due pages (and pages whose sender's lease ran out) with a lease, in one statement. */
  async claimDuePages(now: Date, leaseUntil: Date, limit: number): Promise<ClaimedPage[]> {
    const { rows } = await this.#db.query<PageRow>(
      `WITH c AS (
         SELECT id, state AS was FROM incident_pages
          WHERE (state = 'pending' AND next_try_at <= $1) OR (state = 'sending' AND lease_until <= $1)
          ORDER BY next_try_at LIMIT $3 FOR UPDATE SKIP LOCKED)
       UPDATE incident_pages p SET state = 'sending', attempts = p.attempts + 1, lease_until = $2
         FROM c WHERE p.id = c.id
       RETURNING p.*, c.was`,
      [now, leaseUntil, limit]);
    return rows.map((r) => ({
      id: r.id, key: r.key, incidentId: Number(r.incident_id), point: r.point, label: r.label, recipient: r.recipient,
      until: r.until_status, dueAt: r.due_at, attempts: r.attempts, interrupted: r.was === 'sending',
      readySince: r.next_try_at,
    }));
  }

  async cancelPage(id: string): Promise<void> {
    await this.#db.query(`UPDATE incident_pages SET state = 'cancelled', lease_until = NULL WHERE id = $1`, [id]);
  }

  /** False when the claim was lost meanwhile (another engine took the page over). */
  async markSent(id: string, sentAt: Date, delivered: Delivered, lateMs: number): Promise<boolean> {
    const res = await this.#db.query(
      `UPDATE incident_pages SET state = 'sent', sent_at = $2, channel = $3, ts = $4, late_ms = $5, lease_until = NULL, error = NULL
        WHERE id = $1 AND state = 'sending'`, [id, sentAt, delivered.channel, delivered.ts, lateMs]);
    return res.rowCount === 1;
  }

  /** Back to pending until `at`; `refund`: the attempt does not count (Slack's rate limit). */
  async retryPageAt(id: string, at: Date, reason: string, refund: boolean): Promise<void> {
    await this.#db.query(
      `UPDATE incident_pages SET state = 'pending', attempts = attempts - $4, next_try_at = $2, lease_until = NULL, error = $3 WHERE id = $1 AND state = 'sending'`,
      [id, at, reason, refund ? 1 : 0]);
  }

  /** Given up. False when the claim was lost meanwhile. */
  async failPage(id: string, reason: string): Promise<boolean> {
    const res = await this.#db.query(`UPDATE incident_pages SET state = 'failed', lease_until = NULL, error = $2 WHERE id = $1 AND state = 'sending'`, [id, reason]);
    return res.rowCount === 1;
  }

  /** The incident's delivered pages (DMs and channel pages), in the order they went. */
  async sentPages(incidentId: number): Promise<Array<{ label: string; point: string; recipient: PageRecipient; sentAt: Date }>> {
    const { rows } = await this.#db.query<{ label: string; point: string; recipient: PageRecipient; sent_at: Date }>(
      `SELECT label, point, recipient, sent_at FROM incident_pages WHERE incident_id = $1 AND state = 'sent' AND NOT (recipient ? 'thread') ORDER BY sent_at`, [incidentId]);
    return rows.map((r) => ({ label: r.label, point: r.point, recipient: r.recipient, sentAt: r.sent_at }));
  }

  /** Recipients of the incident's pages that are going or went (given up or cancelled ones do not count). */
  async pagedRecipients(incidentId: number): Promise<PageRecipient[]> {
    const { rows } = await this.#db.query<{ recipient: PageRecipient }>(
      `SELECT recipient FROM incident_pages WHERE incident_id = $1 AND state IN ('pending', 'sending', 'sent') AND NOT (recipient ? 'thread')`, [incidentId]);
    return rows.map((r) => r.recipient);
  }

  /** The latest first page of a level above the first one within (since, until]: the ladder's own move up. */
  async latestLadderEscalation(incidentId: number, since: Date, until: Date): Promise<{ label: string; createdAt: Date } | undefined> {
    const { rows } = await this.#db.query<{ label: string; created_at: Date }>(
      `SELECT label, created_at FROM incident_pages
        WHERE incident_id = $1 AND point ~ ':s[1-9][0-9]*a0$' AND created_at > $2 AND created_at <= $3
          AND state IN ('pending', 'sending', 'sent') AND NOT (recipient ? 'thread')
        ORDER BY created_at DESC LIMIT 1`, [incidentId, since, until]);
    return rows[0] && { label: rows[0].label, createdAt: rows[0].created_at };
  }

  // --- Timeline --------------------------------------------------------------------------------

  /** A timeline entry: its spans, and their plain words for anyone reading the table. */
  async addEvent(incidentId: number, at: Date, actor: string | null, kind: string, line: Line): Promise<void> {
    await this.#db.query('INSERT INTO incident_events (incident_id, at, actor, kind, text, line) VALUES ($1, $2, $3, $4, $5, $6)',
      [incidentId, at, actor, kind, plainText(line), JSON.stringify(line)]);
  }

  /** Whether the incident has this very entry already (read under the incident's row lock). */
  async hasEvent(incidentId: number, kind: string, text: string): Promise<boolean> {
    const { rows } = await this.#db.query('SELECT 1 FROM incident_events WHERE incident_id = $1 AND kind = $2 AND text = $3 LIMIT 1', [incidentId, kind, text]);
    return rows.length > 0;
  }

  async timeline(incidentId: number): Promise<StoredEvent[]> {
    const { rows } = await this.#db.query<StoredEvent>('SELECT at, actor, kind, text, line FROM incident_events WHERE incident_id = $1 ORDER BY at, id', [incidentId]);
    return rows;
  }
}
