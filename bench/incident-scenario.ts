// Store contents for the incidents benchmark: open SEV-2 incidents as a busy bot holds them, written
// with a few set-based statements. Each was declared a while ago with the default ladder, its
// on-call already paged (timer done, DM and channel pages sent, incident message posted), and the
// team lead as its next point: its only pending timer, the incident's active one under epoch 1.
import type pg from 'pg';
import { defaultLadder, SEVERITIES, snapshotLadder, type ResolvedRecipient } from '../src/incidents/ladder.ts';

export const BENCH_INCIDENTS_CHANNEL = 'C0INCIDENTS';

const ROLES: Record<string, ResolvedRecipient[]> = {
  'team-lead': [{ user: 'U0LEAD' }],
  'engineering-manager': [{ user: 'U0EM' }],
  'vp-engineering': [{ user: 'U0VP' }],
};

export interface IncidentBatch {
  /** Ids are given, not drawn from the sequence, so each timer's id is known when its incident is written. */
  firstId: number;
  count: number;
  /** The latest declaration; incident i was declared (i mod spreadS) seconds before it. */
  declaredAt: Date;
  spreadS: number;
}

/** Writes a batch of open incidents (ids firstId..firstId+count-1) with their history and pending team-lead timer. */
export async function seedOpenIncidents(pool: pg.Pool, batch: IncidentBatch): Promise<void> {
  const ladders = JSON.stringify(Object.fromEntries(SEVERITIES.map((s) => [`sev${s}`, snapshotLadder(defaultLadder(), s, ROLES)])));
  const last = batch.firstId + batch.count - 1;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // Setting up is not what is measured: the bot's statement timeout (the pool's) must not cut a
    // 100,000-row insert short on a busy machine.
    await client.query('SET LOCAL statement_timeout = 0');
    // Timer 2i is incident i's pending team-lead timer, 2i-1 its fired on-call one.
    await client.query(
      `INSERT INTO incidents (id, severity, title, commander, declared_at, ladders, done_points, epoch, active_timer, channel, message_ts, updated_at)
       SELECT i, 2, 'bench incident ' || i, 'U0CMDR', d, $1::jsonb, '{sev2:s0a0}', 1, 2 * i, $2, (1600000000 + i)::text || '.000100', d
         FROM generate_series($3::bigint, $4::bigint) i,
              LATERAL (SELECT $5::timestamptz - (i % $6::int) * interval '1 second' AS d) x`,
      [ladders, BENCH_INCIDENTS_CHANNEL, batch.firstId, last, batch.declaredAt, Math.max(1, batch.spreadS)]);
    await client.query(
      `INSERT INTO incident_timers (id, incident_id, point, epoch, due_at, state, fired_at)
       SELECT 2 * id - 1, id, 'sev2:s0a0', 1, declared_at, 'done', declared_at FROM incidents WHERE id BETWEEN $1 AND $2
       UNION ALL
       SELECT 2 * id, id, 'sev2:s1a0', 1, declared_at + interval '1 hour', 'pending', NULL FROM incidents WHERE id BETWEEN $1 AND $2`,
      [batch.firstId, last]);
    await client.query(
      `INSERT INTO incident_pages (key, incident_id, point, label, recipient, due_at, created_at, until_status, state, attempts, next_try_at, sent_at, late_ms, channel, ts)
       SELECT 'INC-' || i.id || '/sev2:s0a0/' || r.dest, i.id, 'sev2:s0a0', 'on-call', r.recipient, i.declared_at, i.declared_at, 'acknowledged',
              'sent', 1, i.declared_at, i.declared_at + interval '300 ms', 300, r.channel, (1600000000 + i.id)::text || r.ts_suffix
         FROM incidents i
        CROSS JOIN (VALUES ('dm:U0ALICE', '{"dm": "U0ALICE"}'::jsonb, 'DU0ALICE', '.000200'),
                           ('channel:' || $3, jsonb_build_object('channel', $3::text, 'mentions', jsonb_build_array('<@U0ALICE>')), $3, '.000300')
                   ) r(dest, recipient, channel, ts_suffix)
        WHERE i.id BETWEEN $1 AND $2`,
      [batch.firstId, last, BENCH_INCIDENTS_CHANNEL]);
    await client.query(
      `SELECT setval(pg_get_serial_sequence('incidents', 'id'), (SELECT max(id) FROM incidents)),
              setval(pg_get_serial_sequence('incident_timers', 'id'), (SELECT max(id) FROM incident_timers))`);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
