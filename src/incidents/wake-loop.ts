// When the engine looks again: at once when poked (declared, acknowledged, escalated), else at the
// next due time the store reports, never later than MAX_SLEEP_MS (timers another replica created
// are found then), and a second after a failed round. One round at a time; a poke during a round
// makes another round follow it.
import type { Logger } from '../logger.ts';
import type { Clock } from './clock.ts';

export interface WakeLoopOptions {
  /** One round of work: everything due now. */
  run(): Promise<void>;
  /** When there is next something to do, if anything. */
  nextDueAt(): Promise<Date | undefined>;
  clock: Clock;
  log: Logger;
}

/** Longest sleep between two looks at the database: covers timers another replica created. */
const MAX_SLEEP_MS = 10_000;
/** Sleep after a round that failed (the database blinked). */
const AFTER_FAILURE_MS = 1_000;

export class WakeLoop {
  readonly #o: WakeLoopOptions;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #busy: Promise<void> | undefined;
  #again = false;

  constructor(options: WakeLoopOptions) {
    this.#o = options;
  }

  /** How long to sleep until `next` (a pure step: what happens next and when). */
  static sleepMs(next: Date | undefined, now: Date): number {
    return next ? Math.min(MAX_SLEEP_MS, Math.max(0, next.getTime() - now.getTime())) : MAX_SLEEP_MS;
  }

  /** Starts with a round at once (whatever is overdue, as after a restart). */
  start(): void {
    this.#running = true;
    this.#wake(0);
  }

  /** Stops waking; resolves once a round under way has ended. */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    await this.#busy;
  }

  /** Something changed: look now rather than at the next due time. */
  poke(): void {
    if (!this.#running) return;
    if (this.#busy) this.#again = true;
    else this.#wake(0);
  }

  #wake(delayMs: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#busy = this.#cycle().finally(() => {
        this.#busy = undefined;
      });
    }, delayMs);
    this.#timer.unref?.();
  }

  async #cycle(): Promise<void> {
    let delay: number;
    try {
      do {
        this.#again = false;
        await this.#o.run();
      } while (this.#again && this.#running);
      delay = WakeLoop.sleepMs(await this.#o.nextDueAt(), this.#o.clock.now());
    } catch (err) {
      this.#o.log.error({ err }, 'while running the escalation engine');
      delay = AFTER_FAILURE_MS;
    }
    if (this.#running) this.#wake(delay);
  }
}
