// The remediation actions the bot knows, by id. Runbooks and findings refer to these ids; the
// runbook loader refuses an id that is not here. Running them (authorization, confirmation,
// idempotency, audit) is the job of the action runner, which reads the same entries.

export interface ActionSpec {
  id: string;
  title: string;
  /** Destructive actions need a confirmation and an explicit grant in `access`. */
  destructive: boolean;
  /** Parameter names and their types; checked when a runbook or a button names them. */
  params: Record<string, 'integer' | 'string'>;
  /** What pressing the button will do, for the confirmation dialog and dry runs. */
  describe(params: Record<string, string | number>, target: string): string;
}

export const ACTIONS: readonly ActionSpec[] = uniqueById([
  {
    id: 'postgres.cancel_query',
    title: 'Cancel query',
    destructive: true,
    params: { pid: 'integer' },
    describe: (p, target) => `Cancel the running statement of backend ${p.pid} on ${target} (pg_cancel_backend); the session stays connected.`,
  },
  {
    id: 'postgres.terminate_backend',
    title: 'Terminate session',
    destructive: true,
    params: { pid: 'integer' },
    describe: (p, target) => `Terminate backend ${p.pid} on ${target} (pg_terminate_backend): its open transaction is rolled back and the client disconnected.`,
  },
  {
    id: 'postgres.vacuum_analyze',
    title: 'VACUUM ANALYZE',
    // Not destructive to data, but heavy I/O on a busy table: confirmed and granted like one.
    destructive: true,
    params: { database: 'string', schema: 'string', table: 'string' },
    describe: (p, target) => `Run VACUUM (ANALYZE) on ${p.schema}.${p.table} in database ${p.database} of ${target}: reclaims dead rows and refreshes statistics; reads the whole table.`,
  },
]);

function uniqueById(actions: ActionSpec[]): ActionSpec[] {
  const ids = new Set<string>();
  for (const a of actions) {
    if (ids.has(a.id)) throw new Error(`duplicate action id ${a.id}`);
    ids.add(a.id);
  }
  return actions;
}

export function findAction(id: string): ActionSpec | undefined {
  return ACTIONS.find((a) => a.id === id);
}
