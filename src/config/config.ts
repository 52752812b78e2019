import type { TargetBase } from '../probes/probe-definition.ts';
import type { IncidentsConfig } from './incidents-schema.ts';
import type { AlertsConfig } from './alerts-schema.ts';
import type { HeartbeatConfig } from './heartbeats-schema.ts';
import type { Rotation } from '../oncall/rotation.ts';

/** A configured target: the shared keys plus its kind's own keys (url, ...). */
export type Target = TargetBase & Record<string, unknown>;

/** A scheduled health digest posted to a channel. */
export interface DigestConfig {
  name: string;
  /** node-cron expression (5 or 6 fields). */
  cron: string;
  /** IANA time zone the cron expression is read in. */
  timezone: string;
  /** Slack channel id. */
  channel: string;
  /** Target names, or every configured target. */
  targets: 'all' | string[];
  /** Post only when some target is not ok. */
  onlyWhenNotOk: boolean;
  /** Slack user group id (S...) mentioned when a target is crit. */
  mentionOnCrit?: string;
}

/** Who may run an action (or `audit`): any listed user, member of a listed group, or in a listed channel. */
export interface AccessRule {
  /** An action id, a prefix pattern like `postgres.*`, or `audit`. */
  pattern: string;
  users: string[];
  groups: string[];
  channels: string[];
}

/** One thing wrong in chatops.yml: the key, and what is wrong with its value and what is accepted. */
export interface ConfigProblem {
  /** Dotted key path (`targets.cache.url`); empty for the file as a whole. */
  path: string;
  message: string;
  /**
   * Set when the problem is the target's own (a variable of its keys not set, a bad value of its
   * keys): the target is kept, with `configProblem`, and only it is affected.
   */
  target?: string;
}

export interface Config {
  /** Where the config came from, for messages: a file path, or "(no config file)". */
  source: string;
  /**
   * Everything found wrong, in file order. A part with a problem is left out (a digest, an access
   * rule, a section at its default), except a target whose problems are all its own: it stays, with
   * `configProblem`, and its kind's keys may be missing.
   */
  problems: ConfigProblem[];
  targets: Target[];
  digests: DigestConfig[];
  /** Destructive actions are denied unless a rule here grants them. */
  access: AccessRule[];
  /** Incidents and the escalation ladder; without it /incident explains how to set it up. */
  incidents?: IncidentsConfig;
  oncall: { rotations: Rotation[] };
  history: {
    /** Stored reports older than this are pruned. */
    retentionDays: number;
  };
  runbooks: {
    dir: string;
    /** Base URL where runbooks are readable in a browser; runbook buttons link there when set. */
    baseUrl?: string;
  };
  /** /triage; without it /triage answers from the checks alone. */
  triage?: TriageConfig;
  /** Alertmanager alert groups posted to channels (POST /alerts/alertmanager); without it none is posted. */
  alerts?: AlertsConfig;
  /** Jobs that must call POST /heartbeats/<name>; one gone silent is said in its channel. */
  heartbeats?: HeartbeatConfig[];
}

export interface TriageConfig {
  /** The optional model that narrates a /triage answer; without it there is no narration. */
  model?: TriageModelConfig;
}

/**
 * Where the narrating model is: an `openai`-kind target (its url, key, organization, project and
 * model; `model` here overrides the target's), or any OpenAI-compatible endpoint given here.
 */
export type TriageModelConfig = {
  /** How long the model may take before the answer goes without it. */
  timeoutMs: number;
} & ({ target: string; model?: string } | { url: string; apiKey: string; model: string });

export const DEFAULT_NARRATOR_TIMEOUT_MS = 8_000;
export const MAX_NARRATOR_TIMEOUT_MS = 30_000;

export const DEFAULT_TIMEOUT_MS = 5_000;
