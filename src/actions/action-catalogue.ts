// The remediation actions the bot knows, by id. Runbooks and findings refer to these ids; the
// runbook loader refuses an id that is not here. Running them (authorization, confirmation,
// idempotency, audit) is the job of the action runner, which reads the same entries.

/** integer: a positive whole number (a pid); count: zero or more (replicas); string: a short text. */
export type ParamType = 'integer' | 'count' | 'string';

export interface ActionSpec {
  id: string;
  title: string;
  /** Destructive actions need a confirmation and an explicit grant in `access`. */
  destructive: boolean;
  /** Parameter names and their types; checked when a runbook or a button names them. */
  params: Record<string, ParamType>;
  /** A parameter the presser chooses in a dialog (replicas), not carried by the button. */
  input?: { param: string; label: string; min: number; max: number };
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
  {
    id: 'k8s.restart',
    title: 'Restart',
    destructive: true,
    params: { namespace: 'string', workload: 'string', name: 'string', replicas: 'count' },
    describe: (p, target) => `Restart ${p.workload} ${p.name} in ${target}/${p.namespace}: ${Number(p.replicas) > 0 ? `${p.replicas} ${p.replicas === 1 ? 'pod' : 'pods'}` : 'its pods'} will be replaced one by one (kubectl rollout restart); the rollout is watched here.`,
  },
  {
    id: 'k8s.scale',
    title: 'Scale',
    destructive: true,
    params: { namespace: 'string', workload: 'string', name: 'string', replicas: 'count' },
    input: { param: 'replicas', label: 'Replicas', min: 0, max: 100 },
    describe: (p, target) => `Scale ${p.workload} ${p.name} in ${target}/${p.namespace}${p.replicas === undefined ? '' : ` to ${p.replicas} replicas`}.`,
  },
  {
    id: 'k8s.delete_pod',
    title: 'Delete pod',
    destructive: true,
    params: { namespace: 'string', pod: 'string' },
    describe: (p, target) => `Delete pod ${p.pod} in ${target}/${p.namespace}: its controller starts a new one; a pod without a controller is gone for good.`,
  },
  {
    id: 'k8s.logs',
    title: 'Logs',
    destructive: false,
    params: { namespace: 'string', pod: 'string', container: 'string', previous: 'string' },
    describe: (p, target) => `Post the last 50 log lines of ${p.pod}/${p.container} in ${target}/${p.namespace}${p.previous === 'yes' ? ' (previous instance)' : ''} in the thread.`,
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
