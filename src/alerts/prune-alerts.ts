// Alert groups are kept as long as the reports are (history.retentionDays), then deleted with
// their episodes and noise votes. Only a group with nothing left to do or show goes: resolved,
// quiet for that long (no notification, vote or change), no incident of it still open, no claim
// of a replica on it, and none of its episodes within the weekly digest's "Noisiest alerts"
// window (which a late digest stretches further back). A group of the same key that fires again
// later starts anew, as a first notification does.
import type pg from 'pg';
import { NOISY_ALERT_DAYS } from '../digest/noisy-alerts-section.ts';

/**
 * A digest missed while every replica was down is posted late, up to 8 days after its slot
 * (digest-scheduler.ts): its "Noisiest alerts" window then starts that much earlier.
 */
const LATE_DIGEST_DAYS = 8;
/** Groups deleted per statement: a long prune never holds many rows at once. */
const BATCH = 500;

export interface PrunedAlerts {
  groups: number;
  episodes: number;
  votes: number;
}

/** Deletes the alert groups quiet for more than `retentionDays` (see above); how many rows went. */
export async function pruneAlerts(pool: pg.Pool, retentionDays: number): Promise<PrunedAlerts> {
  if (!Number.isFinite(retentionDays) || retentionDays < 1) {
    throw new RangeError(`pruneAlerts: retentionDays must be a number of days >= 1 (history.retentionDays), not ${retentionDays}`);
  }
  const digestDays = NOISY_ALERT_DAYS + LATE_DIGEST_DAYS;
  const total: PrunedAlerts = { groups: 0, episodes: 0, votes: 0 };
  for (;;) {
    // A group being recorded or voted on holds its row: it is skipped (SKIP LOCKED), not waited
    // for, and not deleted under the notification that is moving it on.
    const { rows } = await pool.query<PrunedAlerts>(
      `WITH open_incidents AS (
         SELECT substring(source_key FROM '^alert:([0-9]+):')::bigint AS group_id FROM incidents
         WHERE status <> 'resolved' AND source_key ~ '^alert:[0-9]+:'
       ),
       doomed AS (
         SELECT g.id FROM alert_groups g
         WHERE g.status = 'resolved'
           AND GREATEST(g.updated_at, g.resolved_at) < now() - make_interval(days => $1)
           AND NOT EXISTS (SELECT 1 FROM alert_votes v WHERE v.group_id = g.id AND v.voted_at >= now() - make_interval(days => $1))
           AND NOT EXISTS (SELECT 1 FROM alert_episodes e WHERE e.group_id = g.id AND e.firing_since >= now() - make_interval(days => $2))
           AND NOT EXISTS (SELECT 1 FROM open_incidents o WHERE o.group_id = g.id)
           AND NOT EXISTS (SELECT 1 FROM incidents i WHERE i.id = g.incident_id AND i.status <> 'resolved')
           AND (g.claim_until IS NULL OR g.claim_until < now())
           AND (g.diag_claim_until IS NULL OR g.diag_claim_until < now())
         ORDER BY g.id LIMIT $3
         FOR UPDATE OF g SKIP LOCKED
       ),
       episodes AS (DELETE FROM alert_episodes e USING doomed d WHERE e.group_id = d.id RETURNING 1),
       votes AS (DELETE FROM alert_votes v USING doomed d WHERE v.group_id = d.id RETURNING 1),
       groups AS (DELETE FROM alert_groups g USING doomed d WHERE g.id = d.id RETURNING 1)
       SELECT (SELECT count(*) FROM groups)::int AS groups, (SELECT count(*) FROM episodes)::int AS episodes, (SELECT count(*) FROM votes)::int AS votes`,
      [retentionDays, digestDays, BATCH]);
    const r = rows[0]!;
    total.groups += r.groups;
    total.episodes += r.episodes;
    total.votes += r.votes;
    if (r.groups < BATCH) return total;
  }
}
