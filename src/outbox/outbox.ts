// Sends the Slack messages of rows (alert groups, heartbeats) after what they show committed. A
// row whose message is behind is claimed with a lease (any replica may take it; one whose owner
// died is taken over when the lease ends), its current state posted once per round or updated in
// place, and recorded shown. A post that may have gone out (started, never recorded) is looked up
// by its key before any repeat, and a post is made only while its claim holds. Calls to a channel
// go through the channel pacer (about one per second, Slack's rate, and Slack's 429 waited out by
// every call to that channel); other failures are retried with backoff (delivery-retry.ts). A
// burst of changes to one row becomes one update of its latest state, nothing is dropped.
import type { PostedRef } from '../channel-poster.ts';
import type { ChannelPacer } from '../coord/channel-pacer.ts';
import { PacerStoppedError } from '../coord/channel-pacer.ts';
import type { Logger } from '../logger.ts';
import type { Message } from '../message/message.ts';
import { AlertPostError, type AlertPoster } from '../alerts/alert-poster.ts';
import { deliveryRetry } from './delivery-retry.ts';
import type { OutboxItem, OutboxStore } from './outbox-store.ts';

const BATCH = 50;

export interface OutboxOptions<Row, Id> {
  store: OutboxStore<Row, Id>;
  poster: AlertPoster;
  pacer: ChannelPacer;
  log: Logger;
  /** This process, as claims name it. */
  owner: string;
  /** How long a claimed row may take before another replica may take it over. */
  leaseMs: number;
  /** What the log calls the messages ("alert", "heartbeat") and the field naming a row ("group", "heartbeat"). */
  noun: string;
  logField: string;
  item: (row: Row) => OutboxItem<Id>;
  message: (row: Row) => Message;
  /** A round's message posted (or found) and recorded; a failure here is logged, the message stays shown. */
  posted?: (row: Row) => Promise<void>;
}

export class Outbox<Row, Id> {
  readonly #o: OutboxOptions<Row, Id>;
  /** Rows being delivered by this process. */
  readonly #inFlight = new Set<Id>();
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = true;
  /** Calls waiting for their channel's turn: stop() makes them give up. */
  readonly #waiting = new Set<() => void>();

  constructor(options: OutboxOptions<Row, Id>) {
    this.#o = options;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  start(): void {
    this.#stopped = false;
  }

  /**
   * Stops claiming, and waits for the run under way. What still waits for its channel's turn is
   * given up (its claim left for the next replica or start): a shutdown does not wait out a busy
   * channel's pacing.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const giveUp of this.#waiting) giveUp();
    while (this.#running) await this.#running;
  }

  /** Delivers what is behind (once more after the current run, if one is under way). */
  wake(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        while (!this.#stopped && (await this.deliverBehind()) > 0) {
          // more may be due
        }
      } while (this.#again && !this.#stopped);
    })()
      .catch((err: unknown) => this.#o.log.warn({ err }, `while delivering ${this.#o.noun} messages`))
      .finally(() => {
        this.#running = undefined;
      });
  }

  /** Delivers what is behind now, and waits for it (and for a run under way). */
  async deliverNow(): Promise<void> {
    this.wake();
    while (this.#running) await this.#running;
  }

  /** Claims the rows behind and brings their messages up to date; the number claimed. */
  async deliverBehind(): Promise<number> {
    const rows = await this.#o.store.claimBehind(this.#o.owner, this.#o.leaseMs, BATCH);
    await Promise.all(rows.map((row) => this.#deliver(row)));
    return rows.length;
  }

  /**
   * `fn` at the channel's turn (the pacer's), not once the outbox stopped; a 429 from it holds
   * the channel for as long as Slack asked, so the channel's next calls wait too.
   */
  async paced<T>(channel: string, fn: () => Promise<T>): Promise<T> {
    return await new Promise<T>((resolve, reject) => {
      let started = false;
      // A call that has not started when the outbox stops gives up at once (a channel held for a
      // long Retry-After does not hold up the shutdown); one under way is waited for.
      const giveUp = (): void => {
        if (!started) reject(new PacerStoppedError());
      };
      this.#waiting.add(giveUp);
      void this.#o.pacer.run(channel, async () => {
        if (this.#stopped) throw new PacerStoppedError();
        started = true;
        try {
          return await fn();
        } catch (error) {
          if (error instanceof AlertPostError && error.retryAfterMs !== undefined) {
            await this.#o.pacer.hold(channel, error.retryAfterMs).catch((err: unknown) => this.#o.log.warn({ err, channel }, 'while holding a channel for its rate limit'));
          }
          throw error;
        }
      }).then(resolve, reject).finally(() => this.#waiting.delete(giveUp));
    });
  }

  async #deliver(claimed: Row): Promise<void> {
    const item = this.#o.item(claimed);
    // Already on its way in this process (waiting for its channel's turn): that delivery re-reads
    // the row when its turn comes, and shows whatever it holds then.
    if (this.#inFlight.has(item.id) || !item.channel) return;
    this.#inFlight.add(item.id);
    try {
      let more = true;
      while (more) more = await this.paced(item.channel, () => this.#showLatest(item.id));
    } catch (error) {
      await this.#failed(item, error).catch((err: unknown) => this.#o.log.warn({ err, [this.#o.logField]: item.id }, `while recording a ${this.#o.noun} message failure`));
    } finally {
      this.#inFlight.delete(item.id);
    }
  }

  /**
   * At the channel's turn: the row read again with its claim renewed (a claim that ran out while
   * it waited and was taken elsewhere is left to its new owner), then its message posted or
   * updated. True when the row moved on meanwhile (its claim kept: more to show).
   */
  async #showLatest(id: Id): Promise<boolean> {
    const { store, owner, poster, leaseMs } = this.#o;
    const row = await store.renewClaim(id, owner, leaseMs);
    if (!row) return false;
    const item = this.#o.item(row);
    if (!item.channel) return false;
    const message = this.#o.message(row);
    let ref: PostedRef | undefined = item.posted;
    if (ref) {
      await poster.update(ref, message);
    } else {
      // Claimed before and never recorded: it may be in the channel already.
      if (item.postingSince) ref = await poster.findPosted(item.channel, item.key, item.postingSince);
      if (ref) {
        await poster.update(ref, message);
      } else {
        // The claim may have run out during the lookup: only its holder posts.
        if (!(await store.markPosting(id, owner, leaseMs))) return false;
        ref = await poster.post(item.channel, message, item.key);
      }
      await store.setMessage(id, item.round, ref.channel, ref.ts);
      await this.#o.posted?.(row).catch((err: unknown) => this.#o.log.warn({ err, [this.#o.logField]: id }, `after a ${this.#o.noun} message was posted`));
    }
    return await store.markShown(id, owner, item.version);
  }

  async #failed(item: OutboxItem<Id>, error: unknown): Promise<void> {
    const { store, log, owner, noun, logField } = this.#o;
    const reason = error instanceof Error ? error.message : String(error);
    const retry = deliveryRetry(error, item.attempts);
    if (retry.forget) {
      log.warn({ [logField]: item.id, channel: item.channel }, `the ${noun} message was deleted in Slack; it is posted again`);
      await store.forgetMessage(item.id, owner);
    } else if (retry.level !== 'none') {
      log[retry.level]({ [logField]: item.id, channel: item.channel, attempts: item.attempts + 1, err: error, retryInMs: retry.delayMs }, `${noun} message not delivered; it is tried again`);
    }
    await store.retryLater(item.id, owner, retry.delayMs, reason, retry.counted);
  }
}
