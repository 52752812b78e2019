// The contract every probe kind fulfils: one light definition per kind (its target schema, checks,
// actions, trend metrics, scope words), and a runtime it loads only when a target of the kind runs.
// The engine (run-kind-checks.ts) owns what every kind needs alike: the default timeout, guarding
// each check, the deadline, thresholds, scrubbing secrets; a kind writes checks, and where it needs
// one, the opening and closing of a per-run session (a connection, a cluster snapshot).
import type { z } from 'zod';
import type { Finding } from '../report.ts';
import type { Logger } from '../logger.ts';
import type { ActionDefinition } from '../actions/action-definition.ts';
import type { ProbeState } from './probe-state.ts';
import type { Target } from '../config/config.ts';

export interface Thresholds {
  warn: number;
  crit: number;
}

/** A check's default thresholds and the unit they are counted in (for help and the README). */
export interface DefaultThresholds extends Thresholds {
  unit: string;
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
  /**
   * Why the bot's configuration of this target cannot be used ("targets.cache.url: environment
   * variable CACHE_URL is not set"): the target is not run, its report is one configuration finding.
   */
  configProblem?: string;
}

/** A target of a kind: the shared keys plus the keys its schema parses. */
export type KindTarget<S extends z.ZodType> = TargetBase & z.output<S>;

/**
 * One check of a kind. Its run gets the kind's per-run context and its own thresholds (the
 * defaults below merged with the target's overrides); `of` gives another check's, by the check
 * object itself, never by a name.
 */
export interface CheckDefinition<C = unknown> {
  /** Without the kind prefix, e.g. `connections`; the finding id is `<kind>.<name>`. */
  name: string;
  /** Words for the title of an `unknown` finding when the check cannot run ("Connections"). */
  label: string;
  description: string;
  /** Default thresholds, when the check has any; overridable per target in the config. */
  thresholds?: DefaultThresholds;
  /** What the session must have got for this check to run (k8s: the lists it reads). */
  needs?: readonly string[];
  /** False when the check says nothing about this run (http body without bodyMatch). */
  applies?(ctx: C): boolean;
  /** Absent for the check the session itself answers (reachable: connecting is the check). */
  run?(ctx: C, own: Thresholds, of: (check: CheckDefinition<C>) => Thresholds): Promise<Finding[]> | Finding[];
}

/** What a runtime's open hands the engine back. */
export type Opened<C> =
  /** Nothing more can be learned (unreachable, bad credentials): only these findings. */
  | { stop: Finding[]; close?(): Promise<void> | void }
  /** The session answered `lead`, but every check is `unknown` for this reason ("INFO failed: ..."). */
  | { lead: Finding[]; unavailable: string; close?(): Promise<void> | void }
  | Session<C>;

export interface Session<C> {
  /** Findings the session itself produced (reachable), reported before the checks'. */
  lead?: Finding[];
  ctx: C;
  /** Time left for the checks, from now; unbounded when the checks are pure functions of the session. */
  budgetMs?: number;
  /** Words for an error a check threw ("permission denied for pg_stat_statements"). */
  describeError(error: unknown): string;
  /** Why a need of a check (`needs`) is missing, or undefined when the session has it. */
  missing?(need: string): string | undefined;
  /** The finding of a check the budget or a cancel cut short; default `unknown`, naming which. */
  unfinished?(check: CheckDefinition<C>, cancelled: boolean): Finding;
  /** All findings in order, with each check's own: the final list (counters stored, repeats dropped). */
  finish?(findings: Finding[], byCheck: ReadonlyArray<{ check: CheckDefinition<C>; findings: Finding[] }>): Promise<Finding[]> | Finding[];
  /** Ends the run's session (a connection); always called, whatever happened. */
  close?(): Promise<void> | void;
}

/** What a run gives a runtime's open besides the target. */
export interface OpenContext extends ProbeContext {
  /** The target's timeout, or the default when it has none. */
  timeoutMs: number;
  /** The target's secrets and every configured one, longest first. */
  secrets: readonly string[];
}

/** The heavy part of a kind (client libraries), loaded on the first run of a target of the kind. */
export interface KindRuntime<T extends TargetBase = TargetBase, C = unknown> {
  open(target: T, run: OpenContext): Promise<Opened<C>>;
  /** Releases what is kept between runs (connection pools); called at shutdown. */
  closeAll?(): Promise<void>;
}

/** A metric drawn on the digest's trend chart. */
export interface TrendMetric<C = unknown> {
  check: CheckDefinition<C>;
  /** Key in the finding's metrics, in `unit`. */
  metric: string;
  label: string;
  /** Percent (default) or a count (undelivered events): the chart's axis and bands follow it. */
  unit?: '%' | 'count';
}

/**
 * A hosted API the CLI can diagnose with no config (`chatops diag stripe [--url URL]`): the base
 * URL when none is given, and the environment variable the key is read from into `apiKey`.
 */
export interface StandaloneApi {
  defaultUrl: string;
  keyEnv: string;
  /** Other keys of the target read from the environment when set (`webhookSecret` from STRIPE_WEBHOOK_SECRET). */
  optionalEnv?: Readonly<Record<string, string>>;
}

export interface KindDefinition<T extends TargetBase = TargetBase, C = unknown> {
  kind: string;
  /** Other words a user may type for this kind (`db` for `postgres`). */
  aliases: readonly string[];
  description: string;
  /** Schema of the kind-specific keys of a target in chatops.yml; each key `.describe()`d for the README. */
  targetSchema: z.ZodType<Omit<T, keyof TargetBase>>;
  /** Builds the kind-specific keys from a bare URL, for `chatops diag <kind> --url URL`. */
  fromUrl(url: string): Omit<T, keyof TargetBase>;
  /** In the order of the report; the first is the one a failed session speaks through. */
  checks: readonly CheckDefinition<C>[];
  /** The remedies its findings offer. */
  actions: readonly ActionDefinition<T>[];
  /** Metrics of its findings the digest charts. */
  trends: readonly TrendMetric<C>[];
  /** The target's secrets (a URL password, a header token): masked in every finding. */
  secrets(target: T): string[];
  /**
   * Secrets the target's config points at outside its own keys (a kubeconfig's credentials, the
   * pod's service account token), collected once when the config is loaded (configSecrets) so
   * they are masked everywhere. It may read files; a client library it needs is loaded only when
   * it is called, never when the definition is imported. Kinds without it have none.
   */
  externalSecrets?(target: T): string[];
  /**
   * The target narrowed by the words after its name (`/diag k8s prod payments`: one namespace);
   * throws a UserError naming what is accepted. Kinds without it take no extra words.
   */
  narrow?(target: T, args: readonly string[]): T;
  /** What the word after the target names, for usage lines (`namespace`); set with `narrow`. */
  scopeWord?: string;
  /** Words for the part of the target a run looks at (" (namespace payments)"), or "". */
  describeScope?(target: T): string;
  /**
   * Which server the target points at, for a report's header, never with credentials
   * ("db.internal:5432/app", "cache:6379 db 0", "https://api.example.com", "context prod").
   * Must not throw and must not do I/O.
   */
  describeEndpoint?(target: T): string;
  /** Set for a hosted API (stripe, openai, sendgrid): how the CLI builds a target without a config. */
  standalone?: StandaloneApi;
  /** Loads the runtime (client libraries): a dynamic import, so the definition stays light. */
  runtime(): Promise<KindRuntime<T, C>>;
  /**
   * Evidence another configured target holds about this one's findings (an http target's 5xx
   * quoting the error patterns of the workload behind it), added after the checks within the
   * run's time; called only when the run knows every configured target.
   */
  evidence?(target: T, findings: readonly Finding[], context: EvidenceContext): Promise<Finding[]>;
}

export interface EvidenceContext {
  targets: readonly Target[];
  signal: AbortSignal;
  /** Time left for it. */
  timeoutMs: number;
  secrets: readonly string[];
}

export function checkId(kind: string, check: string): string {
  return `${kind}.${check}`;
}

/** Less is worse for a check whose default warn is above its crit (a hit rate, days left). */
export function lowerIsWorse(defaults: Thresholds): boolean {
  return defaults.warn > defaults.crit;
}

/** True when warn and crit are the wrong way round for the check's direction (its defaults'). */
export function thresholdsReversed(defaults: Thresholds, t: Thresholds): boolean {
  return lowerIsWorse(defaults) ? t.warn < t.crit : t.warn > t.crit;
}

/** Default thresholds of a kind merged with a target's overrides. */
export function resolveThresholds(
  probe: { checks: readonly Pick<CheckDefinition<never>, 'name' | 'thresholds'>[] },
  overrides: Record<string, Partial<Thresholds>> = {},
): Record<string, Thresholds> {
  const out: Record<string, Thresholds> = {};
  for (const check of probe.checks) {
    if (!check.thresholds) continue;
    const o = Object.hasOwn(overrides, check.name) ? overrides[check.name]! : {};
    out[check.name] = { warn: o.warn ?? check.thresholds.warn, crit: o.crit ?? check.thresholds.crit };
  }
  return out;
}
