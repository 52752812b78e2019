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
];
