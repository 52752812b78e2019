import type { TargetBase } from '../probes/probe-definition.ts';

/** A configured target: the shared keys plus its kind's own keys (url, ...). */
export type Target = TargetBase & Record<string, unknown>;

export interface Config {
  /** Where the config came from, for messages: a file path, or "(no config file)". */
  source: string;
  targets: Target[];
  runbooks: {
    dir: string;
    /** Base URL where runbooks are readable in a browser; runbook buttons link there when set. */
    baseUrl?: string;
  };
}

export const DEFAULT_TIMEOUT_MS = 5_000;
