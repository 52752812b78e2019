// How posts to one Slack channel are spaced: Slack takes about one message per second per
// channel, and a 429 names how long to wait (Retry-After). One pacer per process; with REDIS_URL
// the pacer is shared by every replica (the spacing and the wait hold across all of them), without
// it each process paces its own calls.

export interface ChannelPacer {
  /**
   * Runs `fn` at the channel's next free turn: at least the pacer's interval after the previous
   * call any replica sharing this pacer made for that channel, and not before a hold (below) ends.
   * Calls for one channel run one after another in this process.
   */
  run<T>(channel: string, fn: () => Promise<T>): Promise<T>;
  /** Slack said to wait (429 Retry-After): no call for `channel` starts before `ms` from now, in any replica sharing this pacer. */
  hold(channel: string, ms: number): Promise<void>;
  /** Stops waiting turns: calls still waiting reject with PacerStoppedError. */
  stop(): void;
}

/** A call left waiting for its turn when the pacer stopped (the bot is shutting down). */
export class PacerStoppedError extends Error {
  constructor() {
    super('the bot is stopping: the post is left for the next turn');
    this.name = 'PacerStoppedError';
  }
}
