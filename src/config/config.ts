import type { TargetBase } from '../probes/probe-definition.ts';
import type { IncidentsConfig } from './incidents-schema.ts';
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

export interface Config {
  /** Where the config came from, for messages: a file path, or "(no config file)". */
  source: string;
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
}

export const DEFAULT_TIMEOUT_MS = 5_000;
