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
];
