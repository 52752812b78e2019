// What running an action needs beyond its parameters: a way to show progress on the message
// (a rollout takes minutes) and to attach text (logs) in the report's thread. The transport
// implements it; executors never see Slack.
import type { Target } from '../config/config.ts';

export type ActionParams = Record<string, string | number>;

export interface ActionIo {
  /** Shows where the action stands ("3/5 new pods ready"); each call replaces the previous one. */
  progress(text: string): Promise<void>;
  /** Posts a text file (logs) where the outcome goes. */
  attachText(file: { filename: string; title: string; content: string }): Promise<void>;
}

export interface ActionExecutor {
  /**
   * Why this target's config does not allow these parameters (a workload not on the restartable
   * list, a namespace not watched), checked at every press: a stale or forged button is refused.
   */
  refuse?(target: Target, params: ActionParams): string | undefined;
  /** Does it; resolves with one plain-text line saying what happened, rejects when it failed. */
  run(target: Target, params: ActionParams, io: ActionIo): Promise<string>;
}

/** For callers without a message to update (the CLI, tests). */
export const SILENT_IO: ActionIo = {
  progress: async () => undefined,
  attachText: async () => undefined,
};
