// The state store's schema, as ordered migrations. Never edit a shipped migration: add a new one.
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'audit log',
    sql: `
      CREATE TABLE audit_log (
        id           bigserial PRIMARY KEY,
        at           timestamptz NOT NULL DEFAULT now(),
        actor        text NOT NULL,            -- Slack user id, or cli:<os user>
        channel      text,                     -- Slack channel id; null from the CLI
        source       text NOT NULL,            -- slack | cli | schedule
        action       text NOT NULL,            -- diag, runbook, postgres.cancel_query, ...
        target       text,
        params       jsonb NOT NULL DEFAULT '{}'::jsonb,
        outcome      text NOT NULL,            -- ok | warn | crit | unknown | denied | failed | succeeded | error
        duration_ms  integer,
        detail       text
      );
      CREATE INDEX audit_log_at ON audit_log (at DESC);
      CREATE INDEX audit_log_action_at ON audit_log (action, at DESC);
    `,
  },
  {
    version: 2,
    name: 'probe state',
    sql: `
      -- Values a probe keeps between runs of a target (counters it turns into rates).
      CREATE TABLE probe_state (
        target      text NOT NULL,
        key         text NOT NULL,
        value       jsonb NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (target, key)
      );
    `,
  },
  {
    version: 3,
    name: 'report history',
    sql: `
      -- Every stored report (digests, /diag): what changed since the previous digest, metric trends
      -- for charts, /digest history. Findings keep check, status, title and metrics only (no
      -- detail), so a report is a few hundred bytes to a few KB.
      CREATE TABLE report_history (
        id           bigserial PRIMARY KEY,
        target       text NOT NULL,
        kind         text NOT NULL,
        status       text NOT NULL CHECK (status IN ('ok', 'warn', 'crit', 'unknown')),
        started_at   timestamptz NOT NULL,
        duration_ms  integer NOT NULL,
        source       text NOT NULL,            -- digest:<name> | diag | ...
        run_at       timestamptz NOT NULL,     -- one value per record() call: the reports of one run
        findings     jsonb NOT NULL DEFAULT '[]'::jsonb  -- [{check, status, title, metrics?}]
      );
      -- Latest report of a target before T, reports of a target since T, metric series.
      CREATE INDEX report_history_target_at ON report_history (target, started_at DESC);
      -- The same, restricted to one source (the previous digest of a target).
      CREATE INDEX report_history_target_source_at ON report_history (target, source, started_at DESC);
      -- The previous run of a source (all targets of the previous digest).
      CREATE INDEX report_history_source_run ON report_history (source, run_at DESC);
      -- Retention.
      CREATE INDEX report_history_started_at ON report_history (started_at);
    `,
  },
  {
    version: 4,
    name: 'digest runs',
    sql: `
      -- One row per digest and scheduled time: the replica that inserts it posts that run, so a
      -- slot is posted once however many replicas fire.
      CREATE TABLE digest_runs (
        digest      text NOT NULL,
        slot        timestamptz NOT NULL,
        claimed_by  text NOT NULL,
        claimed_at  timestamptz NOT NULL DEFAULT now(),
        late        boolean NOT NULL DEFAULT false,
        finished_at timestamptz,
        outcome     text,
        PRIMARY KEY (digest, slot)
      );
    `,
  },
  {
    version: 5,
    name: 'action runs',
    sql: `
      -- One row per press of a remedy button, keyed by message + action + parameters: a double
      -- click, a second person or a Slack retry finds the row and does not run the action again.
      CREATE TABLE action_runs (
        key          text PRIMARY KEY,
        action       text NOT NULL,
        target       text NOT NULL,
        params       jsonb NOT NULL,
        started_by   text NOT NULL,
        channel      text,
        started_at   timestamptz NOT NULL DEFAULT now(),
        finished_at  timestamptz,
        outcome      text,
        detail       text
      );
      CREATE INDEX action_runs_started_at ON action_runs (started_at);
    `,
  },
  {
    version: 6,
    name: 'incidents',
    sql: `
      -- An incident and the escalation ladder snapshotted onto it when it was declared. epoch is
      -- the fencing token: every ack, resolve, severity change and escalation bumps it, and a
      -- timer scheduled under an older epoch (or not the incident's active_timer) is discarded.
      CREATE TABLE incidents (
        id               bigserial PRIMARY KEY,      -- INC-<id>
        severity         smallint NOT NULL CHECK (severity BETWEEN 1 AND 4),
        title            text NOT NULL,
        status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved')),
        commander        text NOT NULL,              -- Slack user id of whoever declared it
        declared_at      timestamptz NOT NULL,
        acknowledged_at  timestamptz,
        acknowledged_by  text,
        resolved_at      timestamptz,
        resolved_by      text,
        ladders          jsonb NOT NULL,             -- LadderSnapshot of every severity, taken at declaration
        done_points      text[] NOT NULL DEFAULT '{}', -- ladder points already handled (fired or skipped)
        epoch            integer NOT NULL DEFAULT 1,
        active_timer     bigint,
        channel          text,                       -- the incidents channel message
        message_ts       text,
        dedicated_channel text,
        report           jsonb,                      -- the report it was declared from, if any
        updated_at       timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX incidents_open ON incidents (declared_at DESC) WHERE status <> 'resolved';

      -- When the ladder next needs the engine: at most one live row per incident (its active_timer).
      CREATE TABLE incident_timers (
        id           bigserial PRIMARY KEY,
        incident_id  bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
        point        text NOT NULL,                  -- ladder point id: deadline, s0a0, s1a0, ...
        epoch        integer NOT NULL,
        due_at       timestamptz NOT NULL,
        state        text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'discarded')),
        fired_at     timestamptz
      );
      CREATE INDEX incident_timers_due ON incident_timers (due_at) WHERE state = 'pending';
      -- Re-arming an incident discards its other pending timers: found by incident, not by scanning.
      CREATE INDEX incident_timers_incident ON incident_timers (incident_id) WHERE state = 'pending';

      -- One row per message a ladder point sends; the unique key (incident, severity, point,
      -- recipient) makes a second copy impossible whichever replica gets there first.
      CREATE TABLE incident_pages (
        id           bigserial PRIMARY KEY,
        key          text NOT NULL UNIQUE,
        incident_id  bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
        point        text NOT NULL,
        label        text NOT NULL,                  -- "on-call", "team lead"
        recipient    jsonb NOT NULL,                 -- {"dm": "U..."} | {"channel": "C...", "mentions": [...]} | {"thread": true, "text": "..."}
        due_at       timestamptz NOT NULL,
        created_at   timestamptz NOT NULL,
        until_status text NOT NULL,                  -- acknowledged | resolved: the page is cancelled once the incident reaches it
        state        text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
        attempts     integer NOT NULL DEFAULT 0,
        next_try_at  timestamptz NOT NULL,
        lease_until  timestamptz,
        sent_at      timestamptz,
        late_ms      integer,
        channel      text,
        ts           text,
        error        text
      );
      CREATE INDEX incident_pages_todo ON incident_pages (next_try_at) WHERE state IN ('pending', 'sending');
      CREATE INDEX incident_pages_incident ON incident_pages (incident_id);

      -- The timeline: every declaration, page, ack, escalation, severity change and note.
      CREATE TABLE incident_events (
        id           bigserial PRIMARY KEY,
        incident_id  bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
        at           timestamptz NOT NULL,
        actor        text,                           -- Slack user id, or null for the bot
        kind         text NOT NULL,
        text         text NOT NULL
      );
      CREATE INDEX incident_events_incident ON incident_events (incident_id, at);

      -- /oncall override: who is on call for a rotation instead, for a while.
      CREATE TABLE oncall_overrides (
        id           bigserial PRIMARY KEY,
        rotation     text NOT NULL,
        user_id      text NOT NULL,
        starts_at    timestamptz NOT NULL,
        ends_at      timestamptz NOT NULL CHECK (ends_at > starts_at),
        created_by   text NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX oncall_overrides_rotation ON oncall_overrides (rotation, ends_at);
    `,
  },
  {
    version: 7,
    name: 'signed buttons and handled requests',
    sql: `
      -- Keys that sign every button value and dialog metadata the bot renders. The newest key that
      -- is not retired signs; every key not yet retired verifies (rotation: a new key is added and
      -- the older ones retire once the longest-lived button they signed has expired).
      CREATE TABLE signing_keys (
        id          text PRIMARY KEY,
        secret      bytea NOT NULL CHECK (octet_length(secret) >= 32),
        created_at  timestamptz NOT NULL DEFAULT now(),
        retired_at  timestamptz
      );

      -- Slack requests already handled (a retry, a replay of the same signed body, a socket
      -- envelope delivered twice): one row per request identity, kept past the signature window.
      CREATE TABLE slack_requests (
        id       text PRIMARY KEY,
        kind     text NOT NULL,
        seen_at  timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX slack_requests_seen_at ON slack_requests (seen_at);

      -- A destructive action runs only after a confirmation the bot itself recorded: the press
      -- (or the dialog it opened) creates a row, and the presser's "Run it" consumes it once.
      CREATE TABLE action_confirmations (
        id          text PRIMARY KEY,
        user_id     text NOT NULL,
        request     jsonb NOT NULL,          -- action, target, params, where the button was
        created_at  timestamptz NOT NULL DEFAULT now(),
        expires_at  timestamptz NOT NULL,
        used_at     timestamptz
      );
      CREATE INDEX action_confirmations_expires_at ON action_confirmations (expires_at);
    `,
  },
  {
    version: 8,
    name: 'action run leases',
    sql: `
      -- A claim names the process that runs it and holds a lease that process renews; a claim
      -- whose owner died is recorded as interrupted. An interrupted run no longer blocks its
      -- button: the once-only key is unique among running and finished runs only.
      ALTER TABLE action_runs DROP CONSTRAINT action_runs_pkey;
      ALTER TABLE action_runs ADD COLUMN id bigserial PRIMARY KEY;
      CREATE UNIQUE INDEX action_runs_once ON action_runs (key) WHERE outcome IS DISTINCT FROM 'interrupted';
      ALTER TABLE action_runs
        ADD COLUMN owner           text,            -- hostname:pid:random of the process running it
        ADD COLUMN owner_pid       integer,
        ADD COLUMN owner_scope     text,            -- boot id and pid namespace: where owner_pid means something
        ADD COLUMN lease_until     timestamptz,
        ADD COLUMN renewed_at      timestamptz,
        ADD COLUMN thread_channel  text,            -- where the report's thread is
        ADD COLUMN thread_ts       text,
        ADD COLUMN milestone       text,            -- what the executor said it has done so far
        ADD COLUMN progress        text,            -- the last progress line shown
        ADD COLUMN notice_state    text CHECK (notice_state IN ('none', 'pending', 'sent', 'failed')),
        ADD COLUMN notice_until    timestamptz,     -- an interruption not yet said in the thread is retried after this
        ADD COLUMN notice_attempts integer NOT NULL DEFAULT 0,
        ADD COLUMN notice_error    text;
      -- Claims an earlier version left without an outcome count as expired 15 minutes after their
      -- start (a rollout's own deadline is 10 min); so do claims an earlier version makes meanwhile.
      UPDATE action_runs SET lease_until = started_at + interval '15 minutes', renewed_at = started_at WHERE outcome IS NULL;
      ALTER TABLE action_runs ALTER COLUMN lease_until SET DEFAULT now() + interval '15 minutes';
      CREATE INDEX action_runs_open ON action_runs (lease_until) WHERE outcome IS NULL;
      CREATE INDEX action_runs_notices ON action_runs (notice_until) WHERE notice_state = 'pending';
    `,
  },
  {
    version: 9,
    name: 'incident escalations',
    sql: `
      -- The latest "Escalate now" of an incident: a second one within 30 s (a double click, two
      -- people pressing at once) is refused, naming who escalated to which level and when.
      ALTER TABLE incidents
        ADD COLUMN last_escalated_at timestamptz,
        ADD COLUMN last_escalated_by text,
        ADD COLUMN last_escalated_to text;
    `,
  },
  {
    version: 10,
    name: 'incident timeline as spans',
    sql: `
      -- A timeline entry as a line of spans: text, and people, channels and user groups by id
      -- (how they are shown is the reader's business); text keeps the plain words (@U…, #C…).
      -- Rows written before hold Slack's mention syntax in text only, and are read back as ids.
      ALTER TABLE incident_events ADD COLUMN line jsonb;
    `,
  },
  {
    version: 11,
    name: 'alert groups',
    sql: `
      -- Every Alertmanager notification handled: one row per group key, status and alert set
      -- (fingerprints with their startsAt/endsAt). The primary key is what makes a retry, a
      -- second unclustered Alertmanager or a second replica handle the same notification once.
      CREATE TABLE alert_notifications (
        key          text PRIMARY KEY,         -- sha256 of group key, status and alert set
        group_id     bigint,
        status       text NOT NULL CHECK (status IN ('firing', 'resolved')),
        alerts       integer NOT NULL,
        received_at  timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX alert_notifications_received_at ON alert_notifications (received_at);

      -- One row per alert group: what its message shows (alerts by fingerprint), and an outbox for
      -- the message: version counts what there is to show, shown_version what Slack shows. A row
      -- behind is claimed with a lease, posted or updated after the notification committed, and a
      -- post that may have gone out (posting_since set, no ts) is looked up before any repeat.
      CREATE TABLE alert_groups (
        id               bigserial PRIMARY KEY,
        key_hash         text NOT NULL UNIQUE,   -- sha256 of the group key
        group_key        text NOT NULL,
        receiver         text NOT NULL,
        route            integer,               -- index in alerts.routes when it was matched; null: none
        channel          text,
        targets          jsonb NOT NULL DEFAULT '[]',
        status           text NOT NULL CHECK (status IN ('firing', 'resolved')),
        alerts           jsonb NOT NULL,         -- fingerprint -> the alert as last known
        common_labels    jsonb NOT NULL DEFAULT '{}',
        external_url     text,
        firing_since     timestamptz,            -- when this episode started firing
        resolved_at      timestamptz,
        flaps            integer NOT NULL DEFAULT 0,
        episode          integer NOT NULL DEFAULT 1,
        version          integer NOT NULL DEFAULT 1,
        shown_version    integer NOT NULL DEFAULT 0,
        message_episode  integer,                -- the episode message_ts belongs to
        message_channel  text,
        message_ts       text,
        posting_since    timestamptz,            -- a post was started and not recorded
        claim_until      timestamptz,
        claim_owner      text,
        next_attempt_at  timestamptz NOT NULL DEFAULT now(),
        attempts         integer NOT NULL DEFAULT 0,
        last_error       text,
        diagnosed_episode integer NOT NULL DEFAULT 0,
        diag_claim_until timestamptz,
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX alert_groups_behind ON alert_groups (next_attempt_at) WHERE channel IS NOT NULL AND version > shown_version;
    `,
  },
  {
    version: 12,
    name: 'heartbeats',
    sql: `
      -- One row per configured heartbeat: when it last beat, and the message of its current or
      -- last outage. watched_since is the bot's first start with it configured: a heartbeat that
      -- never beat is counted from there. An outage starts once (status 'ok' -> 'missed' in one
      -- statement, whichever replica's checker sees it first) and ends at the next beat; its
      -- message is an outbox like alert_groups': version counts what there is to show,
      -- shown_version what Slack shows, claimed with a lease, and a post that may have gone out
      -- (posting_since set, no ts) is looked up before any repeat.
      CREATE TABLE heartbeats (
        name             text PRIMARY KEY,
        watched_since    timestamptz NOT NULL,
        last_beat_at     timestamptz,
        status           text NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'missed')),
        outage           integer NOT NULL DEFAULT 0,   -- outages counted; the message key's
        missed_since     timestamptz,                  -- when the missing beat was due
        recovered_at     timestamptz,
        every_ms         bigint,                       -- as configured when the outage started
        grace_ms         bigint,
        never_beat       boolean NOT NULL DEFAULT false,
        channel          text,
        version          integer NOT NULL DEFAULT 0,
        shown_version    integer NOT NULL DEFAULT 0,
        message_outage   integer,                      -- the outage message_ts belongs to
        message_channel  text,
        message_ts       text,
        posting_since    timestamptz,
        claim_until      timestamptz,
        claim_owner      text,
        next_attempt_at  timestamptz NOT NULL DEFAULT now(),
        attempts         integer NOT NULL DEFAULT 0,
        last_error       text
      );
    `,
  },
  {
    version: 13,
    name: 'incidents from alerts',
    sql: `
      -- An incident declared by something other than a person (an alert route) carries the key of
      -- what declared it (alert:<group>:<episode>): one incident per key, however many retries,
      -- replicas or restarts ask. People's incidents leave it null.
      ALTER TABLE incidents ADD COLUMN source_key text UNIQUE;
      -- The incident a group's episode declared; the resolution last said on its timeline; the
      -- route's targets' reports of the episode in short (attached to the incident, now or later).
      ALTER TABLE alert_groups
        ADD COLUMN incident_id bigint,
        ADD COLUMN incident_episode integer,
        ADD COLUMN incident_told_resolved_at timestamptz,
        ADD COLUMN diagnosis jsonb;
      CREATE INDEX alert_groups_firing ON alert_groups (route) WHERE status = 'firing';
    `,
  },
  {
    version: 14,
    name: 'alert noise feedback',
    sql: `
      -- Useful / Noise on an alert message: one vote per person per group episode, changeable.
      -- The alert's name is the group's (never the button's), kept for the digest.
      CREATE TABLE alert_votes (
        group_id   bigint NOT NULL REFERENCES alert_groups (id) ON DELETE CASCADE,
        episode    integer NOT NULL,
        user_id    text NOT NULL,
        vote       text NOT NULL CHECK (vote IN ('useful', 'noise')),
        alertname  text NOT NULL,
        voted_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (group_id, episode, user_id)
      );
      -- Each firing episode of a group as the digest counts it: fired, flapped, how long to resolve,
      -- and the rule's runbook.
      CREATE TABLE alert_episodes (
        group_id     bigint NOT NULL REFERENCES alert_groups (id) ON DELETE CASCADE,
        episode      integer NOT NULL,
        alertname    text NOT NULL,
        runbook_url  text,
        firing_since timestamptz NOT NULL,
        resolved_at  timestamptz,
        flaps        integer NOT NULL DEFAULT 0,
        PRIMARY KEY (group_id, episode)
      );
      CREATE INDEX alert_episodes_firing_since ON alert_episodes (firing_since);
      -- The current episode's counts as its message shows them: {"episode", "noise", "useful"}.
      ALTER TABLE alert_groups ADD COLUMN votes jsonb;
    `,
  },
  {
    version: 15,
    name: 'alert silences',
    sql: `
      -- The silence a person created from the group's message in its episode: claimed (silence_by
      -- set, silence_id null) before Alertmanager is asked, so two presses make one silence.
      -- silence_until_resolved: the bot expires it when the group resolves.
      ALTER TABLE alert_groups
        ADD COLUMN silence_episode integer,
        ADD COLUMN silence_by text,
        ADD COLUMN silence_id text,
        ADD COLUMN silence_via text,
        ADD COLUMN silence_ends_at timestamptz,
        ADD COLUMN silence_until_resolved boolean NOT NULL DEFAULT false,
        ADD COLUMN silence_claimed_at timestamptz;
    `,
  },
  {
    version: 16,
    name: 'alert group work queues',
    sql: `
      -- What the 5-second passes of every replica look for, so that a pass reads the few groups
      -- with work due, not every group ever recorded: resolutions not yet told to their incident,
      -- and diagnoses due.
      CREATE INDEX alert_groups_resolved_untold ON alert_groups (resolved_at, id)
        WHERE status = 'resolved' AND resolved_at IS NOT NULL AND incident_episode = episode AND incident_told_resolved_at IS DISTINCT FROM resolved_at;
      CREATE INDEX alert_groups_diagnosis_due ON alert_groups (id)
        WHERE diagnosed_episode < episode AND message_episode = episode;
    `,
  },
  {
    version: 17,
    name: 'heartbeat outage incidents and diagnosis claim owners',
    sql: `
      -- The incident a heartbeat's outage declared (incident_outage: which outage), and whether the
      -- beat that ended it was told on its timeline: a restart between the beat and the telling
      -- still tells it, once.
      ALTER TABLE heartbeats
        ADD COLUMN incident_outage integer,
        ADD COLUMN incident_id bigint,
        ADD COLUMN incident_told_recovered boolean NOT NULL DEFAULT false;
      -- Who holds a group's diagnosis claim: a long diagnosis renews it, and posts a reply only while
      -- it still holds it.
      ALTER TABLE alert_groups ADD COLUMN diag_claim_owner text;
    `,
  },
  {
    version: 18,
    name: 'replicas',
    sql: `
      -- Each running replica's row, written every 10 s and deleted on a clean stop: a replica
      -- started without REDIS_URL sees another one running and refuses to start.
      CREATE TABLE replicas (
        id          text PRIMARY KEY,
        host        text NOT NULL,
        pid         integer NOT NULL,
        started_at  timestamptz NOT NULL DEFAULT now(),
        seen_at     timestamptz NOT NULL DEFAULT now(),
        has_redis   boolean NOT NULL
      );
    `,
  },
  {
    version: 19,
    name: 'alert flaps told to incidents',
    sql: `
      -- The flaps of a group's episode its incident knows of: a group that fires again soon after
      -- it resolved (autoResolve may have resolved the incident) says so on the incident's
      -- timeline once per flap. Flaps counted before this are taken as told.
      ALTER TABLE alert_groups ADD COLUMN incident_told_flaps integer NOT NULL DEFAULT 0;
      UPDATE alert_groups SET incident_told_flaps = flaps;
      CREATE INDEX alert_groups_refired_untold ON alert_groups (id) WHERE incident_episode = episode AND flaps > incident_told_flaps;
    `,
  },
  {
    version: 20,
    name: 'digest runs posting since',
    sql: `
      -- When a digest run passed its fence and began to post: a run taken over after that may be in
      -- the channel already, so it is finished as 'unknown' instead of being posted a second time.
      ALTER TABLE digest_runs ADD COLUMN posting_since timestamptz;
    `,
  },
  {
    version: 21,
    name: 'replica groups',
    sql: `
      -- Which bot a replica belongs to (CHATOPS_REPLICA_GROUP): only replicas of one group count as
      -- each other's, for bots that keep their state in one database.
      ALTER TABLE replicas ADD COLUMN replica_group text NOT NULL DEFAULT 'default';
    `,
  },
];
