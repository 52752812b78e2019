// The remediation actions the bot knows, by id. Runbooks and findings refer to these ids; the
// runbook loader refuses an id that is not here. Running them (authorization, confirmation,
// idempotency, audit) is the job of the action runner, which reads the same entries.
import { DEFAULT_VACUUM_TIMEOUT_MS, describeBounds, formatBound, SIGNAL_BOUNDS, VACUUM_LOCK_TIMEOUT_MS } from './statement-bounds.ts';

/**
 * A whole number from `min` to `max`: a JavaScript number that is a safe integer (never a string,
 * NaN, Infinity or -0). `accepts` says it in words for error messages.
 */
export interface IntegerParam {
  type: 'integer';
  min: number;
  max: number;
  accepts: string;
}

/**
 * Text of 1 to `maxLength` characters (and at most `maxBytes` UTF-8 bytes when set), never with a
 * NUL; when set, one of `enum` exactly and matching `pattern` (anchored). `accepts` says it in words.
 */
export interface StringParam {
  type: 'string';
  maxLength: number;
  maxBytes?: number;
  pattern?: RegExp;
  enum?: readonly string[];
  accepts: string;
}

/** A parameter's declaration: its type and every constraint a value must meet, checked at press time. */
export type ParamSpec = IntegerParam | StringParam;

const DNS1123_LABEL = '[a-z0-9](?:[-a-z0-9]*[a-z0-9])?';

/** A Kubernetes namespace: a DNS-1123 label. */
export const K8S_NAMESPACE: StringParam = {
  type: 'string',
  maxLength: 63,
  pattern: new RegExp(`^${DNS1123_LABEL}$`),
  accepts: 'a Kubernetes namespace name (DNS-1123 label): 1 to 63 lowercase letters, digits and "-", starting and ending with a letter or digit',
};

/** A pod or workload name: a DNS-1123 subdomain (labels separated by single dots). */
export const K8S_NAME: StringParam = {
  type: 'string',
  maxLength: 253,
  pattern: new RegExp(`^${DNS1123_LABEL}(?:\\.${DNS1123_LABEL})*$`),
  accepts: 'a Kubernetes object name (DNS-1123 subdomain): 1 to 253 lowercase letters, digits, "-" and ".", each dot-separated part starting and ending with a letter or digit',
};

/** A container name: a DNS-1123 label. */
export const K8S_CONTAINER: StringParam = {
  type: 'string',
  maxLength: 63,
  pattern: new RegExp(`^${DNS1123_LABEL}$`),
  accepts: 'a Kubernetes container name (DNS-1123 label): 1 to 63 lowercase letters, digits and "-", starting and ending with a letter or digit',
};

export const WORKLOAD_KINDS = ['deployment', 'statefulset', 'daemonset'] as const;
export const K8S_WORKLOAD_KIND: StringParam = { type: 'string', maxLength: 11, enum: WORKLOAD_KINDS, accepts: 'one of deployment, statefulset, daemonset' };

/** Kubernetes replica counts are int32. */
const K8S_REPLICA_COUNT: IntegerParam = { type: 'integer', min: 0, max: 2_147_483_647, accepts: 'a whole number from 0 to 2147483647 (the current replica count)' };
/** What Scale accepts from its dialog: the bound the dialog says, checked again when the action runs. */
export const SCALE_REPLICAS: IntegerParam = { type: 'integer', min: 0, max: 100, accepts: 'a whole number from 0 to 100' };

/** A PostgreSQL backend pid: a positive 32-bit integer. */
export const PG_PID: IntegerParam = { type: 'integer', min: 1, max: 2_147_483_647, accepts: 'a positive integer up to 2147483647 (a backend pid)' };

/** A database, schema or table name: PostgreSQL keeps 63 bytes of an identifier; NUL is never allowed. */
export const PG_IDENTIFIER: StringParam = { type: 'string', maxLength: 63, maxBytes: 63, accepts: 'a PostgreSQL identifier: 1 to 63 bytes, no NUL' };

const YES_NO: StringParam = { type: 'string', maxLength: 3, enum: ['yes', 'no'], accepts: 'yes or no' };

export interface ActionSpec {
  id: string;
  title: string;
  /** Destructive actions need a confirmation and an explicit grant in `access`. */
  destructive: boolean;
  /**
   * Parameter names and their declarations, the input's included; a press is refused unless its
   * parameters are exactly these (own properties, no others) and each value meets its declaration.
   */
  params: Readonly<Record<string, ParamSpec>>;
  /**
   * A parameter the presser chooses in a dialog (replicas), not carried by the button; `min` and
   * `max` repeat its declaration's bounds (checked when the catalogue loads).
   */
  input?: { param: string; label: string; min: number; max: number };
  /** What pressing the button will do, for the confirmation dialog and dry runs. */
  describe(params: Record<string, string | number>, target: string): string;
}

export const ACTIONS: readonly ActionSpec[] = uniqueById([
  {
    id: 'postgres.cancel_query',
    title: 'Cancel query',
    destructive: true,
    params: { pid: PG_PID },
    describe: (p, target) => `Cancel the running statement of backend ${p.pid} on ${target} (pg_cancel_backend); the session stays connected. Bounded by ${describeBounds(SIGNAL_BOUNDS)}.`,
  },
  {
    id: 'postgres.terminate_backend',
    title: 'Terminate session',
    destructive: true,
    params: { pid: PG_PID },
    describe: (p, target) => `Terminate backend ${p.pid} on ${target} (pg_terminate_backend): its open transaction is rolled back and the client disconnected. Bounded by ${describeBounds(SIGNAL_BOUNDS)}.`,
  },
  {
    id: 'postgres.vacuum_analyze',
    title: 'VACUUM ANALYZE',
    // Not destructive to data, but heavy I/O on a busy table: confirmed and granted like one.
    destructive: true,
    params: { database: PG_IDENTIFIER, schema: PG_IDENTIFIER, table: PG_IDENTIFIER },
    describe: (p, target) => `Run VACUUM (ANALYZE) on ${p.schema}.${p.table} in database ${p.database} of ${target}: reclaims dead rows and refreshes statistics; reads the whole table. Waits at most ${formatBound(VACUUM_LOCK_TIMEOUT_MS)} for its lock (lock_timeout) and runs at most ${formatBound(DEFAULT_VACUUM_TIMEOUT_MS)} (statement_timeout; the target's vacuumTimeoutMs when set).`,
  },
  {
    id: 'k8s.restart',
    title: 'Restart',
    destructive: true,
    params: { namespace: K8S_NAMESPACE, workload: K8S_WORKLOAD_KIND, name: K8S_NAME, replicas: K8S_REPLICA_COUNT },
    describe: (p, target) => `Restart ${p.workload} ${p.name} in ${target}/${p.namespace}: ${Number(p.replicas) > 0 ? `${p.replicas} ${p.replicas === 1 ? 'pod' : 'pods'}` : 'its pods'} will be replaced one by one (kubectl rollout restart); the rollout is watched here.`,
  },
  {
    id: 'k8s.scale',
    title: 'Scale',
    destructive: true,
    params: { namespace: K8S_NAMESPACE, workload: K8S_WORKLOAD_KIND, name: K8S_NAME, replicas: SCALE_REPLICAS },
    input: { param: 'replicas', label: 'Replicas', min: SCALE_REPLICAS.min, max: SCALE_REPLICAS.max },
    describe: (p, target) => `Scale ${p.workload} ${p.name} in ${target}/${p.namespace}${p.replicas === undefined ? '' : ` to ${p.replicas} replicas`}.`,
  },
  {
    id: 'k8s.delete_pod',
    title: 'Delete pod',
    destructive: true,
    params: { namespace: K8S_NAMESPACE, pod: K8S_NAME },
    describe: (p, target) => `Delete pod ${p.pod} in ${target}/${p.namespace}: its controller starts a new one; a pod without a controller is gone for good.`,
  },
  {
    id: 'k8s.logs',
    title: 'Logs',
    destructive: false,
    params: { namespace: K8S_NAMESPACE, pod: K8S_NAME, container: K8S_CONTAINER, previous: YES_NO },
    describe: (p, target) => `Post the last 50 log lines of ${p.pod}/${p.container} in ${target}/${p.namespace}${p.previous === 'yes' ? ' (previous instance)' : ''} in the thread.`,
  },
]);

function uniqueById(actions: ActionSpec[]): ActionSpec[] {
  const ids = new Set<string>();
  for (const a of actions) {
    if (ids.has(a.id)) throw new Error(`duplicate action id ${a.id}`);
    ids.add(a.id);
    if (a.input) {
      const declared = Object.hasOwn(a.params, a.input.param) ? a.params[a.input.param] : undefined;
      if (declared?.type !== 'integer' || declared.min !== a.input.min || declared.max !== a.input.max) {
        throw new Error(`action ${a.id}: input ${a.input.param} must be declared in params as an integer from ${a.input.min} to ${a.input.max}`);
      }
    }
  }
  return actions;
}

export function findAction(id: string): ActionSpec | undefined {
  return ACTIONS.find((a) => a.id === id);
}
