// The contract every probe kind fulfils. A probe is data (its checks, its target schema) plus one
// async function that returns findings and never throws to its caller.
import type { z } from 'zod';
import type { Finding } from '../report.ts';
import type { Logger } from '../logger.ts';
import type { ProbeState } from './probe-state.ts';

export interface Thresholds {
  warn: number;
  crit: number;
}

export interface CheckSpec {
  /** Check name without the kind prefix, e.g. `connections`; the finding id is `<kind>.<name>`. */
  name: string;
  description: string;
  /** Default thresholds, when the check has any; overridable per target in the config. */
  thresholds?: Thresholds & { unit: string };
}

export interface ProbeContext {
  /** Aborted when the caller gives up (overall timeout, shutdown). */
  signal: AbortSignal;
  log: Logger;
  /** Values kept from the previous run of this target (for rates); never throws to the probe's harm. */
  state: ProbeState;
  /**
   * Every configured secret (configSecrets), besides the target's own: a probe masks them in text
   * it takes from an answer before it cuts that text.
   */
  secrets?: readonly string[];
}

/** The part every target shares, whatever its kind. */
export interface TargetBase {
  name: string;
  kind: string;
  /** Per-check threshold overrides, already merged over the probe's defaults. */
  thresholds: Record<string, Thresholds>;
  timeoutMs: number;
}

export interface ProbeDefinition<T extends TargetBase = TargetBase> {
  kind: string;
  /** Other words a user may type for this kind (`db` for `postgres`). */
  aliases: readonly string[];
  description: string;
  checks: readonly CheckSpec[];
  /** Schema of the kind-specific keys of a target in chatops.yml. */
  targetSchema: z.ZodType<Omit<T, keyof TargetBase>>;
  /** Builds the kind-specific keys from a bare URL, for `chatops diag <kind> --url URL`. */
  fromUrl(url: string): Omit<T, keyof TargetBase>;
  /**
   * The target narrowed by the words after its name (`/diag k8s prod payments`: one namespace);
   * throws a UserError naming what is accepted. Kinds without it take no extra words.
   */
  narrow?(target: T, args: readonly string[]): T;
  run(target: T, ctx: ProbeContext): Promise<Finding[]>;
  /** Releases what the probe keeps between runs (connection pools); called at shutdown. */
  close?(): Promise<void>;
}

export function checkId(kind: string, check: string): string {
  return `${kind}.${check}`;
}

/** Default thresholds of a probe merged with a target's overrides. */
export function resolveThresholds(
  probe: Pick<ProbeDefinition, 'checks'>,
  overrides: Record<string, Partial<Thresholds>> = {},
): Record<string, Thresholds> {
  const out: Record<string, Thresholds> = {};
  for (const check of probe.checks) {
    if (!check.thresholds) continue;
    const o = overrides[check.name] ?? {};
    out[check.name] = { warn: o.warn ?? check.thresholds.warn, crit: o.crit ?? check.thresholds.crit };
  }
  return out;
}
