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

/**
 * What an executor gets while it runs: the transport's io, plus what the action runner needs to
 * account for a run that is cut short (the bot stopped, or its process died).
 */
export interface ActionContext extends ActionIo {
  /**
   * Records what has been done so far, in words fit for the thread if the run is interrupted now:
   * "the patch was applied; the rollout was not watched to the end". Each call replaces the
   * previous one; say it before a step whose effect outlives the bot (a request sent, a statement
   * started), so a later process can tell what may have happened.
   */
  note(milestone: string): Promise<void>;
  /**
   * Aborted when the bot no longer waits for this run (shutdown past its grace period, or the
   * claim was taken over because its lease could not be renewed): stop watching and return.
   */
  signal: AbortSignal;
}

/** How an action runs; what the target's config allows is its definition's `refuse`, asked first. */
export interface ActionExecutor {
  /** Does it; resolves with one plain-text line saying what happened, rejects when it failed. */
  run(target: Target, params: ActionParams, io: ActionContext): Promise<string>;
}

/** For callers without a message to update or a runner to report to (the CLI, tests): never aborted. */
export const SILENT_IO: ActionContext = {
  progress: async () => undefined,
  attachText: async () => undefined,
  note: async () => undefined,
  signal: new AbortController().signal,
};
