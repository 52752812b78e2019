// Alert groups in PostgreSQL. A notification is recorded in one transaction: its key claimed
// (a second copy finds it taken and does nothing), its group locked, the alerts merged, the
// episode and flap count moved on, and the message's version raised when what it shows changed.
// The message itself is sent after the commit (alert-outbox.ts), from claims with a lease: no lock
// is held while Slack is called.
import type pg from 'pg';
import type { AlertRoute } from '../config/alerts-schema.ts';
import { groupKeyHash, notificationKey, type AlertNotification, type AlertStatus, type ReceivedAlert } from './alertmanager-payload.ts';
import { mergeNotification, unlistedAlerts, type GroupAlerts } from './merge-alerts.ts';

/** A group as its message shows it, with the outbox's bookkeeping. */
export interface AlertGroup {
  id: number;
  groupKey: string;
  receiver: string;
  route: number | null;
  channel: string | null;
  targets: string[];
  status: AlertStatus;
  alerts: ReceivedAlert[];
  /** Alerts of the group its message cannot list (left out by Alertmanager's max_alerts, or beyond what is kept). */
  unlisted: number;
  commonLabels: Record<string, string>;
  externalUrl: string | null;
  firingSince: Date | null;
  resolvedAt: Date | null;
  flaps: number;
  episode: number;
  version: number;
  shownVersion: number;
  messageEpisode: number | null;
  messageChannel: string | null;
  messageTs: string | null;
  postingSince: Date | null;
  attempts: number;
  diagnosedEpisode: number;
  /** The incident the group declared, and the episode it declared it in. */
  incidentId: number | null;
  incidentEpisode: number | null;
  /** The resolution last said on the incident's timeline. */
  incidentToldResolvedAt: Date | null;
  /** The flaps of the episode its incident knows of (said on its timeline, or before it was declared). */
  incidentToldFlaps: number;
  /** The route's targets' reports of this episode, in short (what an incident gets attached). */
  diagnosis: DiagnosisSummary[] | null;
  /** The Useful / Noise votes of the current episode (null: none yet). */
  votes: VoteCounts | null;
  /** The silence a person created for this episode from its message (id null: being created). */
  silence: AlertSilence | null;
}

/** A silence made from Slack: by whom, in which alertmanager target, until when. */
export interface AlertSilence {
  by: string;
  id: string | null;
  via: string;
  endsAt: Date;
  /** Expired by the bot when the group resolves. */
  untilResolved: boolean;
}

/** How many people marked an episode useful or noise. */
export interface VoteCounts {
  episode: number;
  noise: number;
  useful: number;
}

export type AlertVote = 'useful' | 'noise';

/** A vote as recorded: the group's own name for the alert, the counts after it, the vote it replaced. */
export type VoteOutcome =
  | { outcome: 'recorded'; alertname: string; counts: VoteCounts; previous: AlertVote | null }
  | { outcome: 'no-group' }
  | { outcome: 'no-episode'; current: number };

/** One alert name's week, as the digest shows it. */
export interface NoisyAlert {
  alertname: string;
  /** Firing episodes that started in the period. */
  fired: number;
  /** Times those episodes fired again soon after resolving. */
  flapped: number;
  /** People who marked them noise (useful: the others). */
  noise: number;
  useful: number;
  /** Median seconds from firing to resolved, of those resolved; null when none is. */
  medianResolveSeconds: number | null;
  runbookUrls: string[];
}

/** A report in short, as the Declare incident button attaches it: its findings that are not ok. */
export interface DiagnosisSummary {
  target: string;
  kind: string;
  status: string;
  startedAt: string;
  findings: Array<{ check: string; status: string; title: string }>;
}

export type Recorded =
  | { outcome: 'duplicate' }
  | { outcome: 'recorded'; groupId: number; routed: boolean; changed: boolean; status: AlertStatus; episode: number };

export interface RouteChoice {
  index: number;
  route: AlertRoute;
}

export class AlertStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /**
   * Records a notification once. `routeFor` picks the route of a group (at its first notification
   * and at each new episode); `flapWindowMs`: a group firing again within this long after it
   * resolved stays in its episode and counts a flap.
   */
  async record(n: AlertNotification, routeFor: (labels: Record<string, string>) => RouteChoice | undefined, flapWindowMs: number): Promise<Recorded> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const claimed = await client.query('INSERT INTO alert_notifications (key, status, alerts) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING RETURNING key', [notificationKey(n), n.status, n.alerts.length]);
      if (claimed.rowCount === 0) {
        await client.query('ROLLBACK');
        return { outcome: 'duplicate' };
      }
      const hash = groupKeyHash(n);
      let row = (await client.query<GroupRow>('SELECT * FROM alert_groups WHERE key_hash = $1 FOR UPDATE', [hash])).rows[0];
      if (!row) {
        // Two new notifications of one group at once: one inserts, the other waits and reads it.
        await client.query(`INSERT INTO alert_groups (key_hash, group_key, receiver, status, alerts, version) VALUES ($1, $2, $3, $4, '{"alerts":{},"point":""}', 0) ON CONFLICT (key_hash) DO NOTHING`, [hash, n.groupKey, n.receiver, n.status]);
        row = (await client.query<GroupRow>('SELECT * FROM alert_groups WHERE key_hash = $1 FOR UPDATE', [hash])).rows[0]!;
      }
      const isNew = row.version === 0;
      const before = isNew ? undefined : (row.alerts as GroupAlerts);
      const merged = mergeNotification(before, n);
      let { episode, flaps } = row;
      let firingSince = row.firing_since;
      let resolvedAt = row.resolved_at;
      let route = isNew ? undefined : { index: row.route, channel: row.channel, targets: row.targets };
      let alerts = merged.alerts;
      const firing = Object.values(alerts).filter((a) => a.status === 'firing');
      if (merged.status === 'firing' && (isNew || row.status === 'resolved')) {
        const latestStart = new Date(firing.map((a) => a.startsAt).sort().at(-1)!);
        if (!isNew && resolvedAt && latestStart.getTime() - resolvedAt.getTime() <= flapWindowMs) {
          flaps += 1; // fired again soon after it resolved: the same message counts it
        } else {
          if (!isNew) {
            episode += 1;
            flaps = 0;
            // The last episode's resolved alerts belong to its own message.
            alerts = Object.fromEntries(Object.entries(alerts).filter(([, a]) => a.status === 'firing'));
          }
          firingSince = new Date(firing.map((a) => a.startsAt).sort()[0]!);
          route = undefined;
        }
        resolvedAt = null;
      } else if (merged.status === 'firing') {
        // Alerts joining the episode: it started at the earliest of them.
        const earliest = new Date(firing.map((a) => a.startsAt).sort()[0]!);
        if (!firingSince || earliest < firingSince) firingSince = earliest;
      } else if (merged.status === 'resolved' && (isNew || row.status === 'firing')) {
        const all = Object.values(alerts);
        resolvedAt = new Date(all.map((a) => a.endsAt ?? a.startsAt).sort().at(-1)!);
        if (isNew) firingSince = new Date(all.map((a) => a.startsAt).sort()[0]!);
      }
      if (!route) {
        const choice = routeFor(n.commonLabels);
        route = { index: choice?.index ?? null, channel: choice?.route.channel ?? null, targets: choice?.route.targets ?? [] };
      }
      const changed = merged.changed || merged.status !== row.status || flaps !== row.flaps || episode !== row.episode || isNew;
      await client.query(
        `UPDATE alert_groups SET status = $2, alerts = $3, common_labels = $4, external_url = COALESCE($5, external_url), firing_since = $6, resolved_at = $7,
           flaps = $8, episode = $9, route = $10, channel = $11, targets = $12, version = version + $13, updated_at = now(),
           next_attempt_at = CASE WHEN $13 = 1 THEN LEAST(next_attempt_at, now()) ELSE next_attempt_at END
         WHERE id = $1`,
        [row.id, merged.status, JSON.stringify({ alerts, point: merged.point, truncated: merged.truncated, dropped: merged.dropped }), JSON.stringify(n.commonLabels), n.externalURL ?? null, firingSince, resolvedAt, flaps, episode, route.index, route.channel, JSON.stringify(route.targets), changed ? 1 : 0],
      );
      await client.query('UPDATE alert_notifications SET group_id = $2 WHERE key = $1', [notificationKey(n), row.id]);
      // The episode as the digest counts it (its name and runbook as the alerts say them now).
      if (firingSince) {
        const all = Object.values(alerts);
        const alertname = n.commonLabels.alertname ?? all.find((a) => a.labels.alertname)?.labels.alertname ?? 'Alert';
        const runbook = all.map((a) => a.annotations.runbook_url ?? a.annotations.runbook).find((u) => u !== undefined && /^https?:\/\//i.test(u)) ?? null;
        await client.query(
          `INSERT INTO alert_episodes (group_id, episode, alertname, runbook_url, firing_since, resolved_at, flaps) VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (group_id, episode) DO UPDATE SET alertname = $3, runbook_url = COALESCE($4, alert_episodes.runbook_url), firing_since = $5, resolved_at = $6, flaps = $7`,
          [row.id, episode, alertname.slice(0, 200), runbook?.slice(0, 2000) ?? null, firingSince, merged.status === 'resolved' ? resolvedAt : null, flaps]);
      }
      await client.query('COMMIT');
      return { outcome: 'recorded', groupId: Number(row.id), routed: route.channel !== null, changed, status: merged.status, episode };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Groups whose message is behind what they show, claimed for `leaseMs` by `owner` (one
   * statement: no lock is held afterwards). A claim whose owner died is taken over when it ends.
   */
  async claimBehind(owner: string, leaseMs: number, limit: number): Promise<AlertGroup[]> {
    const { rows } = await this.#pool.query<GroupRow>(
      `UPDATE alert_groups g SET claim_until = now() + make_interval(secs => $2::double precision / 1000), claim_owner = $1
       WHERE g.id IN (
         SELECT id FROM alert_groups
         WHERE channel IS NOT NULL AND version > shown_version AND next_attempt_at <= now() AND (claim_until IS NULL OR claim_until < now())
         ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING g.*`,
      [owner, leaseMs, limit],
    );
    return rows.map(toGroup);
  }

  /** The group as it is now, its claim by `owner` renewed; undefined when the claim is another's now. */
  async renewClaim(id: number, owner: string, leaseMs: number): Promise<AlertGroup | undefined> {
    const { rows } = await this.#pool.query<GroupRow>(
      'UPDATE alert_groups SET claim_until = now() + make_interval(secs => $3::double precision / 1000) WHERE id = $1 AND claim_owner = $2 RETURNING *',
      [id, owner, leaseMs],
    );
    return rows[0] ? toGroup(rows[0]) : undefined;
  }

  /**
   * Before a post: a post started and not recorded is looked up, never blindly repeated. Only
   * while this owner's claim holds (renewed for the post): false when it ran out meanwhile (a long
   * lookup) and another replica may have it, and then this one does not post.
   */
  async markPosting(id: number, owner: string, leaseMs: number): Promise<boolean> {
    const { rowCount } = await this.#pool.query(
      `UPDATE alert_groups SET posting_since = COALESCE(posting_since, now()), claim_until = now() + make_interval(secs => $3::double precision / 1000)
       WHERE id = $1 AND claim_owner = $2 AND claim_until > now()`,
      [id, owner, leaseMs],
    );
    return rowCount === 1;
  }

  async setMessage(id: number, episode: number, channel: string, ts: string): Promise<void> {
    await this.#pool.query('UPDATE alert_groups SET message_episode = $2, message_channel = $3, message_ts = $4, posting_since = NULL WHERE id = $1', [id, episode, channel, ts]);
  }

  /** The message was deleted in Slack: the group's current state is posted anew. */
  async forgetMessage(id: number, owner: string): Promise<void> {
    await this.#pool.query('UPDATE alert_groups SET message_episode = NULL, message_channel = NULL, message_ts = NULL, posting_since = NULL WHERE id = $1 AND claim_owner = $2', [id, owner]);
  }

  /**
   * The claimed version is shown. True when the group moved on meanwhile (more to show): the claim
   * is kept for that; otherwise it ends.
   */
  async markShown(id: number, owner: string, version: number): Promise<boolean> {
    const { rows } = await this.#pool.query<{ behind: boolean }>(
      `UPDATE alert_groups SET shown_version = GREATEST(shown_version, $3), attempts = 0, last_error = NULL,
         claim_until = CASE WHEN version > GREATEST(shown_version, $3) THEN claim_until END,
         claim_owner = CASE WHEN version > GREATEST(shown_version, $3) THEN claim_owner END
       WHERE id = $1 AND claim_owner = $2 RETURNING version > shown_version AS behind`,
      [id, owner, version],
    );
    return rows[0]?.behind ?? false;
  }

  /** A failed delivery: tried again after `delayMs`; `counted`: the attempt counts for the backoff. */
  async retryLater(id: number, owner: string, delayMs: number, error: string, counted: boolean): Promise<void> {
    await this.#pool.query(
      `UPDATE alert_groups SET claim_until = NULL, claim_owner = NULL, next_attempt_at = now() + make_interval(secs => $3::double precision / 1000),
         last_error = $4, attempts = attempts + $5 WHERE id = $1 AND claim_owner = $2`,
      [id, owner, delayMs, error.slice(0, 500), counted ? 1 : 0],
    );
  }

  /** `diagnosis`: the reports in short, kept for an incident the group declares (now or later). */
  async markDiagnosed(id: number, episode: number, diagnosis?: DiagnosisSummary[]): Promise<void> {
    await this.#pool.query(
      `UPDATE alert_groups SET diagnosed_episode = GREATEST(diagnosed_episode, $2), diag_claim_until = NULL,
         diagnosis = CASE WHEN $3::jsonb IS NOT NULL AND episode = $2 THEN $3::jsonb ELSE diagnosis END WHERE id = $1`,
      [id, episode, diagnosis ? JSON.stringify(diagnosis) : null]);
  }

  /** Firing groups of these routes that have not declared an incident in their episode. */
  async undeclared(routes: readonly number[]): Promise<AlertGroup[]> {
    if (routes.length === 0) return [];
    const { rows } = await this.#pool.query<GroupRow>(
      `SELECT * FROM alert_groups WHERE status = 'firing' AND route = ANY($1::int[]) AND firing_since IS NOT NULL AND incident_episode IS DISTINCT FROM episode ORDER BY firing_since, id`,
      [routes]);
    return rows.map(toGroup);
  }

  /**
   * The incident the group's episode declared; its message is to say so (shown again). False when
   * the group moved on (a new episode) or already knows it.
   */
  async setIncident(id: number, episode: number, incidentId: number): Promise<boolean> {
    const res = await this.#pool.query(
      `UPDATE alert_groups SET incident_id = $3, incident_episode = $2, incident_told_flaps = flaps, version = version + 1, next_attempt_at = LEAST(next_attempt_at, now()), updated_at = now()
       WHERE id = $1 AND episode = $2 AND incident_episode IS DISTINCT FROM $2`,
      [id, episode, incidentId]);
    return res.rowCount === 1;
  }

  /** Resolved groups whose incident has not been told this resolution. */
  async resolvedUntold(): Promise<AlertGroup[]> {
    const { rows } = await this.#pool.query<GroupRow>(
      `SELECT * FROM alert_groups WHERE status = 'resolved' AND incident_episode = episode AND resolved_at IS NOT NULL
         AND incident_told_resolved_at IS DISTINCT FROM resolved_at ORDER BY resolved_at, id LIMIT 100`);
    return rows.map(toGroup);
  }

  async markToldResolved(id: number, resolvedAt: Date): Promise<void> {
    await this.#pool.query('UPDATE alert_groups SET incident_told_resolved_at = $2 WHERE id = $1', [id, resolvedAt]);
  }

  /** Groups that fired again (a flap) since their episode's incident was last told. */
  async refiredUntold(): Promise<AlertGroup[]> {
    const { rows } = await this.#pool.query<GroupRow>(
      'SELECT * FROM alert_groups WHERE incident_episode = episode AND flaps > incident_told_flaps ORDER BY id LIMIT 100');
    return rows.map(toGroup);
  }

  /** The incident was told of the episode's flaps up to `flaps`. */
  async markToldFlaps(id: number, episode: number, flaps: number): Promise<void> {
    await this.#pool.query('UPDATE alert_groups SET incident_told_flaps = GREATEST(incident_told_flaps, $3) WHERE id = $1 AND episode = $2', [id, episode, flaps]);
  }

  /** Groups with a diagnosis due and no live claim (a restart, a replica that died). */
  async diagnosesDue(limit: number): Promise<number[]> {
    const { rows } = await this.#pool.query<{ id: string }>(
      `SELECT id FROM alert_groups WHERE diagnosed_episode < episode AND message_episode = episode AND jsonb_array_length(targets) > 0
         AND (diag_claim_until IS NULL OR diag_claim_until < now()) ORDER BY id LIMIT $1`,
      [limit],
    );
    return rows.map((r) => Number(r.id));
  }

  /**
   * Forgets notifications older than `days`: a retry or a second sender comes within minutes, and
   * the order of what arrives later is kept by the groups' own alert times, not by these rows.
   */
  async pruneNotifications(days: number): Promise<number> {
    const res = await this.#pool.query("DELETE FROM alert_notifications WHERE received_at < now() - make_interval(days => $1)", [days]);
    return res.rowCount ?? 0;
  }

  /**
   * A person's Useful / Noise on an episode of a group: one per person per episode, a second press
   * changes it. The current episode's counts go on the group and its message is shown again.
   */
  async vote(groupId: number, episode: number, user: string, vote: AlertVote): Promise<VoteOutcome> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const group = (await client.query<{ episode: number; common_labels: Record<string, string>; alerts: GroupAlerts }>('SELECT episode, common_labels, alerts FROM alert_groups WHERE id = $1 FOR UPDATE', [groupId])).rows[0];
      if (!group) {
        await client.query('ROLLBACK');
        return { outcome: 'no-group' };
      }
      if (episode > group.episode || episode < 1) {
        await client.query('ROLLBACK');
        return { outcome: 'no-episode', current: group.episode };
      }
      const alertname = group.common_labels.alertname ?? Object.values(group.alerts.alerts ?? {}).find((a) => a.labels.alertname)?.labels.alertname ?? 'Alert';
      const before = (await client.query<{ vote: AlertVote }>('SELECT vote FROM alert_votes WHERE group_id = $1 AND episode = $2 AND user_id = $3', [groupId, episode, user])).rows[0];
      await client.query(
        `INSERT INTO alert_votes (group_id, episode, user_id, vote, alertname) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (group_id, episode, user_id) DO UPDATE SET vote = $4, voted_at = now()`,
        [groupId, episode, user, vote, alertname.slice(0, 200)]);
      const { rows } = await client.query<{ noise: number; useful: number }>(
        `SELECT count(*) FILTER (WHERE vote = 'noise')::int AS noise, count(*) FILTER (WHERE vote = 'useful')::int AS useful FROM alert_votes WHERE group_id = $1 AND episode = $2`,
        [groupId, episode]);
      const counts: VoteCounts = { episode, noise: rows[0]!.noise, useful: rows[0]!.useful };
      if (episode === group.episode && before?.vote !== vote) {
        await client.query(
          'UPDATE alert_groups SET votes = $2, version = version + 1, next_attempt_at = LEAST(next_attempt_at, now()), updated_at = now() WHERE id = $1',
          [groupId, JSON.stringify(counts)]);
      }
      await client.query('COMMIT');
      return { outcome: 'recorded', alertname, counts, previous: before?.vote ?? null };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * The alert names that fired most since `since` (episodes that started then), with their flaps,
   * noise votes and median time to resolve; noisiest first: marked noise, then fired, then flapped.
   */
  async noisiest(since: Date, limit: number): Promise<NoisyAlert[]> {
    const { rows } = await this.#pool.query<{ alertname: string; fired: number; flapped: number; noise: number; useful: number; median: number | null; runbooks: string[] | null }>(
      `WITH e AS (SELECT * FROM alert_episodes WHERE firing_since >= $1),
       v AS (SELECT v.alertname, count(*) FILTER (WHERE v.vote = 'noise')::int AS noise, count(*) FILTER (WHERE v.vote = 'useful')::int AS useful
             FROM alert_votes v JOIN e ON e.group_id = v.group_id AND e.episode = v.episode GROUP BY v.alertname)
       SELECT e.alertname, count(*)::int AS fired, sum(e.flaps)::int AS flapped, COALESCE(max(v.noise), 0)::int AS noise, COALESCE(max(v.useful), 0)::int AS useful,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM e.resolved_at - e.firing_since)) FILTER (WHERE e.resolved_at IS NOT NULL) AS median,
         array_agg(DISTINCT e.runbook_url) FILTER (WHERE e.runbook_url IS NOT NULL) AS runbooks
       FROM e LEFT JOIN v ON v.alertname = e.alertname
       GROUP BY e.alertname
       ORDER BY noise DESC, fired DESC, flapped DESC, e.alertname LIMIT $2`,
      [since, limit]);
    return rows.map((r) => ({
      alertname: r.alertname,
      fired: r.fired,
      flapped: r.flapped,
      noise: r.noise,
      useful: r.useful,
      medianResolveSeconds: r.median === null ? null : Math.round(Number(r.median)),
      runbookUrls: (r.runbooks ?? []).slice(0, 3),
    }));
  }

  /**
   * Claims the silence of the group's firing episode for `silence.by`: one claim per episode
   * however often pressed (a claim never given an id is taken over after 2 minutes: its press
   * died). Undefined when the group is resolved, moved on, or silenced already.
   */
  async claimSilence(id: number, episode: number, silence: Omit<AlertSilence, 'id'>): Promise<AlertGroup | undefined> {
    const { rows } = await this.#pool.query<GroupRow>(
      `UPDATE alert_groups SET silence_episode = $2, silence_by = $3, silence_id = NULL, silence_via = $4, silence_ends_at = $5, silence_until_resolved = $6, silence_claimed_at = now()
       WHERE id = $1 AND episode = $2 AND status = 'firing'
         AND (silence_episode IS DISTINCT FROM $2 OR silence_by IS NULL OR (silence_id IS NULL AND silence_claimed_at < now() - interval '2 minutes'))
       RETURNING *`,
      [id, episode, silence.by, silence.via, silence.endsAt, silence.untilResolved]);
    return rows[0] ? toGroup(rows[0]) : undefined;
  }

  /** The claimed silence was created: the message is to show it. */
  async setSilenceId(id: number, episode: number, by: string, silenceId: string): Promise<void> {
    await this.#pool.query(
      `UPDATE alert_groups SET silence_id = $4, version = version + 1, next_attempt_at = LEAST(next_attempt_at, now()), updated_at = now()
       WHERE id = $1 AND silence_episode = $2 AND silence_by = $3 AND silence_id IS NULL`,
      [id, episode, by, silenceId]);
  }

  /** A claim whose silence could not be created: the buttons work again. */
  async dropSilenceClaim(id: number, episode: number, by: string): Promise<void> {
    await this.#pool.query(
      `UPDATE alert_groups SET silence_episode = NULL, silence_by = NULL, silence_via = NULL, silence_ends_at = NULL, silence_until_resolved = false, silence_claimed_at = NULL
       WHERE id = $1 AND silence_episode = $2 AND silence_by = $3 AND silence_id IS NULL`,
      [id, episode, by]);
  }

  /**
   * Takes the silence `silenceId` off the group (once: a second press finds none), the message to
   * show it gone; `onlyResolved`: only an until-resolved silence of a resolved group.
   */
  async takeSilence(id: number, silenceId: string | null, onlyResolved = false): Promise<AlertSilence | undefined> {
    const { rows } = await this.#pool.query<GroupRow>(
      `WITH old AS (SELECT * FROM alert_groups WHERE id = $1 AND silence_id IS NOT NULL AND ($2::text IS NULL OR silence_id = $2)
                      AND (NOT $3 OR (status = 'resolved' AND silence_until_resolved)) FOR UPDATE)
       UPDATE alert_groups g SET silence_episode = NULL, silence_by = NULL, silence_id = NULL, silence_via = NULL, silence_ends_at = NULL, silence_until_resolved = false,
         silence_claimed_at = NULL, version = g.version + 1, next_attempt_at = LEAST(g.next_attempt_at, now()), updated_at = now()
       FROM old WHERE g.id = old.id RETURNING old.*`,
      [id, silenceId, onlyResolved]);
    return rows[0] ? silenceOf(rows[0], true) ?? undefined : undefined;
  }

  /** Puts back a silence taken off when expiring it failed. */
  async restoreSilence(id: number, episode: number, s: AlertSilence): Promise<void> {
    await this.#pool.query(
      `UPDATE alert_groups SET silence_episode = $2, silence_by = $3, silence_id = $4, silence_via = $5, silence_ends_at = $6, silence_until_resolved = $7,
         version = version + 1, next_attempt_at = LEAST(next_attempt_at, now()) WHERE id = $1 AND silence_by IS NULL`,
      [id, episode, s.by, s.id, s.via, s.endsAt, s.untilResolved]);
  }

  async get(id: number): Promise<AlertGroup | undefined> {
    const { rows } = await this.#pool.query<GroupRow>('SELECT * FROM alert_groups WHERE id = $1', [id]);
    return rows[0] ? toGroup(rows[0]) : undefined;
  }

  /**
   * Claims the diagnosis of the group's current episode (its message posted, not diagnosed yet, no
   * live claim) for `owner`, who renews the claim while the diagnosis runs (renewDiagnosisClaim)
   * and posts each reply only while it still holds it. `takeover`: an earlier claim ran out (its
   * replies may be in the thread).
   */
  async claimDiagnosisFor(id: number, owner: string, leaseMs: number): Promise<{ group: AlertGroup; takeover: boolean } | undefined> {
    const { rows } = await this.#pool.query<GroupRow & { prev_claim: Date | null }>(
      `WITH old AS (SELECT id, diag_claim_until AS prev_claim FROM alert_groups WHERE id = $1 FOR UPDATE)
       UPDATE alert_groups g SET diag_claim_until = now() + make_interval(secs => $2::double precision / 1000), diag_claim_owner = $3
       FROM old WHERE g.id = old.id AND g.diagnosed_episode < g.episode AND g.message_episode = g.episode AND jsonb_array_length(g.targets) > 0
         AND (g.diag_claim_until IS NULL OR g.diag_claim_until < now())
       RETURNING g.*, old.prev_claim`,
      [id, leaseMs, owner],
    );
    const row = rows[0];
    return row ? { group: toGroup(row), takeover: row.prev_claim !== null } : undefined;
  }

  /**
   * The diagnosis claim renewed for `leaseMs` while `owner` holds it; false when another replica
   * took it over (its lease ran out) or the diagnosis ended: then this one posts nothing more.
   */
  async renewDiagnosisClaim(id: number, owner: string, leaseMs: number): Promise<boolean> {
    const { rowCount } = await this.#pool.query(
      `UPDATE alert_groups SET diag_claim_until = now() + make_interval(secs => $3::double precision / 1000)
       WHERE id = $1 AND diag_claim_owner = $2 AND diag_claim_until IS NOT NULL AND diagnosed_episode < episode`,
      [id, owner, leaseMs],
    );
    return rowCount === 1;
  }

  /** A diagnosis cut short: its claim ends now if `owner` still holds it (kept as ended, so the next one looks for its replies first). */
  async releaseDiagnosisClaim(id: number, owner: string): Promise<void> {
    await this.#pool.query('UPDATE alert_groups SET diag_claim_until = now() - interval \'1 millisecond\' WHERE id = $1 AND diag_claim_owner = $2 AND diag_claim_until IS NOT NULL', [id, owner]);
  }
}

interface GroupRow {
  id: string;
  key_hash: string;
  group_key: string;
  receiver: string;
  route: number | null;
  channel: string | null;
  targets: string[];
  status: AlertStatus;
  alerts: unknown;
  common_labels: Record<string, string>;
  external_url: string | null;
  firing_since: Date | null;
  resolved_at: Date | null;
  flaps: number;
  episode: number;
  version: number;
  shown_version: number;
  message_episode: number | null;
  message_channel: string | null;
  message_ts: string | null;
  posting_since: Date | null;
  attempts: number;
  diagnosed_episode: number;
  incident_id: string | null;
  incident_episode: number | null;
  incident_told_resolved_at: Date | null;
  incident_told_flaps: number;
  diagnosis: DiagnosisSummary[] | null;
  votes: VoteCounts | null;
  silence_episode: number | null;
  silence_by: string | null;
  silence_id: string | null;
  silence_via: string | null;
  silence_ends_at: Date | null;
  silence_until_resolved: boolean;
}

/** The row's silence when it is of its current episode (`anyEpisode`: whatever its episode). */
function silenceOf(r: GroupRow, anyEpisode = false): AlertSilence | null {
  if (r.silence_by === null || r.silence_via === null || r.silence_ends_at === null) return null;
  if (!anyEpisode && r.silence_episode !== r.episode) return null;
  return { by: r.silence_by, id: r.silence_id, via: r.silence_via, endsAt: r.silence_ends_at, untilResolved: r.silence_until_resolved };
}

function toGroup(r: GroupRow): AlertGroup {
  const state = r.alerts as GroupAlerts;
  return {
    id: Number(r.id),
    groupKey: r.group_key,
    receiver: r.receiver,
    route: r.route,
    channel: r.channel,
    targets: r.targets,
    status: r.status,
    alerts: Object.values(state.alerts ?? {}),
    unlisted: unlistedAlerts(state),
    commonLabels: r.common_labels,
    externalUrl: r.external_url,
    firingSince: r.firing_since,
    resolvedAt: r.resolved_at,
    flaps: r.flaps,
    episode: r.episode,
    version: r.version,
    shownVersion: r.shown_version,
    messageEpisode: r.message_episode,
    messageChannel: r.message_channel,
    messageTs: r.message_ts,
    postingSince: r.posting_since,
    attempts: r.attempts,
    diagnosedEpisode: r.diagnosed_episode,
    incidentId: r.incident_id === null ? null : Number(r.incident_id),
    incidentEpisode: r.incident_episode,
    incidentToldResolvedAt: r.incident_told_resolved_at,
    incidentToldFlaps: r.incident_told_flaps ?? 0,
    diagnosis: r.diagnosis,
    votes: r.votes ?? null,
    silence: silenceOf(r),
  };
}
