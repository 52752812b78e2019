// An action of a kind: what it is (the spec: title, parameters, what it will do) and how it runs
// (the executor), in one object. The executor is loaded on the first press, so the definition
// stays light: config validation, runbooks and help read specs without loading a client library.
import type { ParamSpec } from './param-spec.ts';
import type { ActionExecutor, ActionParams } from './action-executor.ts';
import type { TargetBase } from '../probes/probe-definition.ts';

export interface ActionSpec {
  /** `<kind>.<name>`, e.g. `postgres.cancel_query`. */
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
   * `max` repeat its declaration's bounds (checked when the registry loads).
   */
  input?: { param: string; label: string; min: number; max: number };
  /** What pressing the button will do, for the confirmation dialog and dry runs. */
  describe(params: Record<string, string | number>, target: string): string;
  /**
   * How long its button stays valid, when less than a report's day: an action naming something the
   * target soon reuses for another (a PostgreSQL pid) expires sooner.
   */
  buttonTtlMs?: number;
}

export interface ActionDefinition<T extends TargetBase = TargetBase> extends ActionSpec {
  /**
   * Why this target's config does not allow these parameters (a workload not on the restartable
   * list, a namespace not watched), checked at every press: a stale or forged button is refused.
   */
  refuse?(target: T, params: ActionParams): string | undefined;
  /** Loads the executor (a dynamic import of the module with the client library). */
  executor(): Promise<ActionExecutor>;
}
