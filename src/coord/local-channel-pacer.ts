// The channel pacer of one process (no Redis): per channel, a chain of calls run one after
// another, each at least the interval after the previous one's answer, and none before a hold
// (a 429's Retry-After) ends. Replicas without a shared pacer each pace their own calls.
import { PacerStoppedError, type ChannelPacer } from './channel-pacer.ts';

interface Lane {
  /** The last call queued: the next one starts after it. */
  tail: Promise<unknown>;
  /** No call starts before this (epoch ms): the interval after the last answer, or a hold's end. */
  nextAt: number;
  /** Calls queued or running. */
  busy: number;
}

export class LocalChannelPacer implements ChannelPacer {
  readonly #intervalMs: number;
  readonly #lanes = new Map<string, Lane>();
  /** Turns being waited for: woken early by a stop. */
  readonly #sleeping = new Set<() => void>();
  #stopped = false;

  /** `intervalMs`: the least time between two calls for one channel (Slack's rate: about 1 s). */
  constructor(intervalMs: number) {
    if (!Number.isFinite(intervalMs) || intervalMs < 0) throw new Error(`channel interval ${intervalMs} ms is not a duration: give 0 or more milliseconds (Slack's rate is 1000)`);
    this.#intervalMs = intervalMs;
  }

  run<T>(channel: string, fn: () => Promise<T>): Promise<T> {
    this.#forgetIdle();
    const lane = this.#lanes.get(channel) ?? { tail: Promise.resolve(), nextAt: 0, busy: 0 };
    this.#lanes.set(channel, lane);
    lane.busy += 1;
    const run = lane.tail.catch(() => undefined).then(async () => {
      await this.#turn(lane);
      try {
        return await fn();
      } finally {
        // From when Slack answered: it took the call before that, so two calls it takes are never
        // closer than the interval, however long the first one travelled.
        lane.nextAt = Math.max(lane.nextAt, Date.now() + this.#intervalMs);
      }
    });
    lane.tail = run;
    void run.catch(() => undefined).finally(() => {
      lane.busy -= 1;
    });
    return run;
  }

  hold(channel: string, ms: number): Promise<void> {
    const lane = this.#lanes.get(channel) ?? { tail: Promise.resolve(), nextAt: 0, busy: 0 };
    this.#lanes.set(channel, lane);
    lane.nextAt = Math.max(lane.nextAt, Date.now() + Math.max(0, ms));
    return Promise.resolve();
  }

  stop(): void {
    this.#stopped = true;
    for (const wake of this.#sleeping) wake();
    this.#sleeping.clear();
  }

  /** Waits until the lane's next call may start (a hold made meanwhile is waited out too). */
  async #turn(lane: Lane): Promise<void> {
    for (;;) {
      if (this.#stopped) throw new PacerStoppedError();
      const wait = lane.nextAt - Date.now();
      if (wait <= 0) return;
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.#sleeping.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, wait);
        this.#sleeping.add(wake);
      });
    }
  }

  /** Lanes with nothing queued and no wait left are forgotten: channels come and go with the alerts. */
  #forgetIdle(): void {
    const now = Date.now();
    for (const [channel, lane] of this.#lanes) {
      if (lane.busy === 0 && lane.nextAt <= now) this.#lanes.delete(channel);
    }
  }
}
