// Heartbeats in PostgreSQL: the last beat of each, and the message of its outage. Each change is
// one statement, so replicas need no lock between them: a beat moves a missed heartbeat back to
// ok, and a checker moves an ok one that went silent to missed (the WHERE holds for one of them
// only, however many check at once). The message is sent afterwards from a claim with a lease,
// as alert messages are (alert-outbox.ts): no lock is held while Slack is called.
import type pg from 'pg';
import type { HeartbeatConfig } from '../config/heartbeats-schema.ts';

/** A heartbeat as its message shows it, with the outbox's bookkeeping. */
export interface HeartbeatRow {
  name: string;
  watchedSince: Date;
  lastBeatAt: Date | null;
  status: 'ok' | 'missed';
  outage: number;
  missedSince: Date | null;
  recoveredAt: Date | null;
  everyMs: number;
  graceMs: number;
  neverBeat: boolean;
  channel: string | null;
  version: number;
  shownVersion: number;
  messageOutage: number | null;
  messageChannel: string | null;
  messageTs: string | null;
  postingSince: Date | null;
  attempts: number;
  /** The incident an outage declared (of outage incidentOutage), and whether its recovery was told. */
  incidentOutage: number | null;
  incidentId: number | null;
  incidentToldRecovered: boolean;
}

export class HeartbeatStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /**
   * The configured heartbeats start being watched at `now` unless they were before: one that
   * never beats is counted from the bot's first start with it, not from each restart.
   */
  async watch(names: readonly string[], now: Date): Promise<void> {
    if (names.length === 0) return;
    await this.#pool.query('INSERT INTO heartbeats (name, watched_since) SELECT unnest($1::text[]), $2 ON CONFLICT (name) DO NOTHING', [names, now]);
  }

  /** A beat at `at`; 'recovered' when it ends an outage (its message is then behind). */
  async beat(name: string, at: Date): Promise<'recorded' | 'recovered'> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      // Locked: of two beats at once, one ends the outage and says so, the other finds it ended.
      const was = (await client.query<{ status: string }>('SELECT status FROM heartbeats WHERE name = $1 FOR UPDATE', [name])).rows[0]?.status;
      await client.query(
        `INSERT INTO heartbeats AS h (name, watched_since, last_beat_at) VALUES ($1, $2, $2)
         ON CONFLICT (name) DO UPDATE SET
           last_beat_at = GREATEST(h.last_beat_at, $2),
           recovered_at = CASE WHEN h.status = 'missed' THEN $2 ELSE h.recovered_at END,
           version = h.version + CASE WHEN h.status = 'missed' THEN 1 ELSE 0 END,
           next_attempt_at = CASE WHEN h.status = 'missed' THEN LEAST(h.next_attempt_at, now()) ELSE h.next_attempt_at END,
           status = 'ok'`,
        [name, at],
      );
      await client.query('COMMIT');
      return was === 'missed' ? 'recovered' : 'recorded';
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Each heartbeat is missed when its last beat (or, never having beaten, the start of its watch)
   * is more than every + grace before `now`: its outage starts, its message is behind. One
   * statement for all: of replicas checking at once, one starts each outage (the others find it
   * started). The names whose outage this call started.
   */
  async markMissed(heartbeats: readonly HeartbeatConfig[], now: Date): Promise<string[]> {
    if (heartbeats.length === 0) return [];
    const { rows } = await this.#pool.query<{ name: string }>(
      `UPDATE heartbeats h SET status = 'missed', outage = h.outage + 1,
         missed_since = COALESCE(h.last_beat_at, h.watched_since) + make_interval(secs => c.every_ms::double precision / 1000),
         never_beat = h.last_beat_at IS NULL, recovered_at = NULL, every_ms = c.every_ms, grace_ms = c.grace_ms, channel = c.channel,
         version = h.version + 1, next_attempt_at = now(), attempts = 0, last_error = NULL
       FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[]) AS c(name, every_ms, grace_ms, channel)
       WHERE h.name = c.name AND h.status = 'ok'
         AND COALESCE(h.last_beat_at, h.watched_since) + make_interval(secs => (c.every_ms + c.grace_ms)::double precision / 1000) <= $5
       RETURNING h.name`,
      [heartbeats.map((h) => h.name), heartbeats.map((h) => h.everyMs), heartbeats.map((h) => h.graceMs), heartbeats.map((h) => h.channel), now],
    );
    return rows.map((r) => r.name);
  }

  /** Heartbeats whose message is behind, claimed for `leaseMs` by `owner`; a dead owner's claim is taken over when it ends. */
  async claimBehind(owner: string, leaseMs: number, limit: number): Promise<HeartbeatRow[]> {
    const { rows } = await this.#pool.query<Row>(
      `UPDATE heartbeats h SET claim_until = now() + make_interval(secs => $2::double precision / 1000), claim_owner = $1
       WHERE h.name IN (
         SELECT name FROM heartbeats
         WHERE channel IS NOT NULL AND version > shown_version AND next_attempt_at <= now() AND (claim_until IS NULL OR claim_until < now())
         ORDER BY next_attempt_at, name LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING h.*`,
      [owner, leaseMs, limit],
    );
    return rows.map(toHeartbeat);
  }

  /** The heartbeat as it is now, its claim by `owner` renewed; undefined when the claim is another's now. */
  async renewClaim(name: string, owner: string, leaseMs: number): Promise<HeartbeatRow | undefined> {
    const { rows } = await this.#pool.query<Row>(
      'UPDATE heartbeats SET claim_until = now() + make_interval(secs => $3::double precision / 1000) WHERE name = $1 AND claim_owner = $2 RETURNING *',
      [name, owner, leaseMs],
    );
    return rows[0] ? toHeartbeat(rows[0]) : undefined;
  }

  /**
   * Before a post: a post started and not recorded is looked up, never blindly repeated. Only
   * while this owner's claim holds (renewed for the post): false when it ran out meanwhile.
   */
  async markPosting(name: string, owner: string, leaseMs: number): Promise<boolean> {
    const { rowCount } = await this.#pool.query(
      `UPDATE heartbeats SET posting_since = COALESCE(posting_since, now()), claim_until = now() + make_interval(secs => $3::double precision / 1000)
       WHERE name = $1 AND claim_owner = $2 AND claim_until > now()`,
      [name, owner, leaseMs],
    );
    return rowCount === 1;
  }

  async setMessage(name: string, outage: number, channel: string, ts: string): Promise<void> {
    await this.#pool.query('UPDATE heartbeats SET message_outage = $2, message_channel = $3, message_ts = $4, posting_since = NULL WHERE name = $1', [name, outage, channel, ts]);
  }

  /** The message was deleted in Slack: the outage is posted anew. */
  async forgetMessage(name: string, owner: string): Promise<void> {
    await this.#pool.query('UPDATE heartbeats SET message_outage = NULL, message_channel = NULL, message_ts = NULL, posting_since = NULL WHERE name = $1 AND claim_owner = $2', [name, owner]);
  }

  /** The claimed version is shown; true when the heartbeat moved on meanwhile (the claim is kept for that). */
  async markShown(name: string, owner: string, version: number): Promise<boolean> {
    const { rows } = await this.#pool.query<{ behind: boolean }>(
      `UPDATE heartbeats SET shown_version = GREATEST(shown_version, $3), attempts = 0, last_error = NULL,
         claim_until = CASE WHEN version > GREATEST(shown_version, $3) THEN claim_until END,
         claim_owner = CASE WHEN version > GREATEST(shown_version, $3) THEN claim_owner END
       WHERE name = $1 AND claim_owner = $2 RETURNING version > shown_version AS behind`,
      [name, owner, version],
    );
    return rows[0]?.behind ?? false;
  }

  /** A failed delivery: tried again after `delayMs`; `counted`: the attempt counts for the backoff. */
  async retryLater(name: string, owner: string, delayMs: number, error: string, counted: boolean): Promise<void> {
    await this.#pool.query(
      `UPDATE heartbeats SET claim_until = NULL, claim_owner = NULL, next_attempt_at = now() + make_interval(secs => $3::double precision / 1000),
         last_error = $4, attempts = attempts + $5 WHERE name = $1 AND claim_owner = $2`,
      [name, owner, delayMs, error.slice(0, 500), counted ? 1 : 0],
    );
  }

  /**
   * The incident `outage` declared, kept with the heartbeat (every replica and restart knows it);
   * a second record of the same outage's incident changes nothing.
   */
  async setOutageIncident(name: string, outage: number, incidentId: number): Promise<void> {
    await this.#pool.query(
      `UPDATE heartbeats SET incident_outage = $2, incident_id = $3, incident_told_recovered = false
       WHERE name = $1 AND outage = $2 AND incident_outage IS DISTINCT FROM $2`,
      [name, outage, incidentId],
    );
  }

  /** The beat that ended `outage` is on its incident's timeline. */
  async markIncidentTold(name: string, outage: number): Promise<void> {
    await this.#pool.query('UPDATE heartbeats SET incident_told_recovered = true WHERE name = $1 AND incident_outage = $2', [name, outage]);
  }

  async get(name: string): Promise<HeartbeatRow | undefined> {
    const { rows } = await this.#pool.query<Row>('SELECT * FROM heartbeats WHERE name = $1', [name]);
    return rows[0] ? toHeartbeat(rows[0]) : undefined;
  }
}

interface Row {
  name: string;
  watched_since: Date;
  last_beat_at: Date | null;
  status: 'ok' | 'missed';
  outage: number;
  missed_since: Date | null;
  recovered_at: Date | null;
  every_ms: string | null;
  grace_ms: string | null;
  never_beat: boolean;
  channel: string | null;
  version: number;
  shown_version: number;
  message_outage: number | null;
  message_channel: string | null;
  message_ts: string | null;
  posting_since: Date | null;
  attempts: number;
  incident_outage: number | null;
  incident_id: string | null;
  incident_told_recovered: boolean;
}

function toHeartbeat(r: Row): HeartbeatRow {
  return {
    name: r.name,
    watchedSince: r.watched_since,
    lastBeatAt: r.last_beat_at,
    status: r.status,
    outage: r.outage,
    missedSince: r.missed_since,
    recoveredAt: r.recovered_at,
    everyMs: Number(r.every_ms ?? 0),
    graceMs: Number(r.grace_ms ?? 0),
    neverBeat: r.never_beat,
    channel: r.channel,
    version: r.version,
    shownVersion: r.shown_version,
    messageOutage: r.message_outage,
    messageChannel: r.message_channel,
    messageTs: r.message_ts,
    postingSince: r.posting_since,
    attempts: r.attempts,
    incidentOutage: r.incident_outage,
    incidentId: r.incident_id === null ? null : Number(r.incident_id),
    incidentToldRecovered: r.incident_told_recovered,
  };
}
