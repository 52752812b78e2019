// Sends alert messages after their notification committed. A group whose message is behind is
// claimed with a lease (any replica may take it; one whose owner died is taken over when the
// lease ends), its current state posted once per episode or updated in place, and recorded shown.
// A post that may have gone out (started, never recorded) is looked up by its key before any
// repeat. Slack's 429s are waited out as asked; other failures are retried with backoff, and a
// channel's messages are paced (about one per second, Slack's documented rate): a burst of
// notifications for one group becomes one update of its latest state, nothing is dropped.
// Then, once per firing episode, the route's targets are diagnosed in the message's thread.
import type { PostedRef } from '../channel-poster.ts';
import type { Target } from '../config/config.ts';
import type { Logger } from '../logger.ts';
import type { RunProbeOptions } from '../probes/run-probe.ts';
import { runAllProbes } from '../probes/run-all-probes.ts';
import type { ReportMessageOptions } from '../render/report-message.ts';
import { reportMessage } from '../render/report-message.ts';
import { alertMessage } from './alert-message.ts';
import { AlertPostError, type AlertPoster } from './alert-poster.ts';
import type { AlertGroup, AlertStore } from './alert-store.ts';

export interface AlertOutboxOptions {
  store: AlertStore;
  poster: AlertPoster;
  log: Logger;
  /** This process, as claims name it. */
  owner: string;
  /** How long a claimed group may take before another replica may take it over. */
  leaseMs: number;
  /** The least time between two calls for one channel. */
  channelIntervalMs: number;
  /** The configured targets, by name, and how to probe them (as /diag does). */
  targets: () => readonly Target[];
  probeOptions: RunProbeOptions;
  reportOptions: Omit<ReportMessageOptions, 'budget'>;
}

const BATCH = 50;
const MAX_BACKOFF_MS = 5 * 60_000;
/** A channel that refuses (bot not invited, archived): asked again after this long. */
const PERMANENT_RETRY_MS = 10 * 60_000;
/** How long a diagnosis may run before another replica may redo it. */
const DIAGNOSIS_LEASE_MS = 3 * 60_000;

export class AlertOutbox {
  readonly #o: AlertOutboxOptions;
  /** Per channel: the chain of calls, and when the next may go. */
  readonly #lanes = new Map<string, { tail: Promise<unknown>; nextAt: number }>();
  readonly #diagnosing = new Set<Promise<void>>();

  constructor(options: AlertOutboxOptions) {
    this.#o = options;
  }

  /** Claims the groups behind and brings their messages up to date; the number claimed. */
  async deliverBehind(): Promise<number> {
    const groups = await this.#o.store.claimBehind(this.#o.owner, this.#o.leaseMs, BATCH);
    await Promise.all(groups.map((g) => this.#deliver(g)));
    return groups.length;
  }

  /** Diagnoses that fell due while no process ran them (a restart, a replica that died). */
  async diagnoseDue(): Promise<void> {
    for (const id of await this.#o.store.diagnosesDue(BATCH)) this.#startDiagnosis(id);
  }

  /** Waits for the diagnoses running (shutdown). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.#diagnosing]);
  }

  async #deliver(first: AlertGroup): Promise<void> {
    const { store, log, owner } = this.#o;
    let g: AlertGroup | undefined = first;
    // The group may move on while its message is sent: then its newest state is sent next, under the same claim.
    while (g) {
      const current: AlertGroup = g;
      try {
        const message = alertMessage(g);
        const channel = g.channel!;
        let ref: PostedRef | undefined = g.messageEpisode === g.episode && g.messageTs ? { channel: g.messageChannel ?? channel, ts: g.messageTs } : undefined;
        if (ref) {
          const at = ref;
          await this.#paced(at.channel, () => this.#o.poster.update(at, message));
        } else {
          const key = messageKey(g);
          // Claimed before and never recorded: it may be in the channel already.
          if (g.postingSince) ref = await this.#o.poster.findPosted(channel, key, g.postingSince);
          if (ref) {
            const at = ref;
            await this.#paced(at.channel, () => this.#o.poster.update(at, message));
          } else {
            await store.markPosting(g.id, owner);
            ref = await this.#paced(channel, () => this.#o.poster.post(channel, message, key));
          }
          await store.setMessage(g.id, g.episode, ref.channel, ref.ts);
          if (g.targets.length > 0) this.#startDiagnosis(g.id);
        }
        const behind = await store.markShown(g.id, owner, g.version);
        g = behind ? await this.#reclaim(g.id) : undefined;
      } catch (error) {
        await this.#failed(current, error).catch((err: unknown) => log.warn({ err, group: current.id }, 'while recording an alert delivery failure'));
        return;
      }
    }
  }

  /** The group again, claimed by this process, when it is still behind. */
  async #reclaim(id: number): Promise<AlertGroup | undefined> {
    const claimed = await this.#o.store.claimBehind(this.#o.owner, this.#o.leaseMs, BATCH);
    // Others claimed on the way are delivered too (they were due).
    const own = claimed.find((c) => c.id === id);
    for (const other of claimed) if (other.id !== id) void this.#deliver(other);
    return own;
  }

  async #failed(g: AlertGroup, error: unknown): Promise<void> {
    const { store, log, owner } = this.#o;
    const reason = error instanceof Error ? error.message : String(error);
    const postError = error instanceof AlertPostError ? error : undefined;
    if (postError?.messageGone) {
      this.#o.log.warn({ group: g.id, channel: g.channel }, 'the alert message was deleted in Slack; it is posted again');
      await store.forgetMessage(g.id, owner);
      await store.retryLater(g.id, owner, 0, reason, false);
      return;
    }
    if (postError?.retryAfterMs !== undefined) {
      await store.retryLater(g.id, owner, postError.retryAfterMs, reason, false);
      return;
    }
    const delay = postError?.permanent ? PERMANENT_RETRY_MS : Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** g.attempts);
    // A first failure is a blip, logged quietly; one that goes on, or a channel that refuses, is said.
    const level = postError?.permanent || g.attempts >= 3 ? 'error' : 'warn';
    log[level]({ group: g.id, channel: g.channel, attempts: g.attempts + 1, err: error, retryInMs: delay }, 'alert message not delivered; it is tried again');
    await store.retryLater(g.id, owner, delay, reason, true);
  }

  #startDiagnosis(id: number): void {
    const run = this.#diagnose(id).catch((err: unknown) => this.#o.log.warn({ err, group: id }, 'alert diagnosis failed'));
    this.#diagnosing.add(run);
    void run.finally(() => this.#diagnosing.delete(run));
  }

  /** The route's targets probed, each report in the message's thread; once per episode. */
  async #diagnose(id: number): Promise<void> {
    const { store, poster } = this.#o;
    const claimed = await store.claimDiagnosis(id, DIAGNOSIS_LEASE_MS);
    if (!claimed) return;
    const { group: g, takeover } = claimed;
    const parent: PostedRef = { channel: g.messageChannel!, ts: g.messageTs! };
    const configured = this.#o.targets();
    const targets = g.targets.map((name) => configured.find((t) => t.name === name)).filter((t): t is Target => t !== undefined);
    const set = await runAllProbes(targets, { ...this.#o.probeOptions, targets: configured });
    for (const report of set.reports) {
      const key = `${messageKey(g)}:diag:${report.target}`;
      // A diagnosis cut short elsewhere may have posted some replies already.
      if (takeover && (await poster.findReply(parent, key))) continue;
      await this.#paced(parent.channel, () => poster.reply(parent, reportMessage(report, { budget: poster.budget, ...this.#o.reportOptions }), key));
    }
    await store.markDiagnosed(g.id, g.episode);
  }

  /** `fn` after the channel's previous call, at least channelIntervalMs after it. */
  #paced<T>(channel: string, fn: () => Promise<T>): Promise<T> {
    const lane = this.#lanes.get(channel) ?? { tail: Promise.resolve(), nextAt: 0 };
    const run = lane.tail.catch(() => undefined).then(async () => {
      const wait = lane.nextAt - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      try {
        return await fn();
      } finally {
        // From when Slack answered: it took the call before that, so two calls it takes are never
        // closer than the interval, however long the first one travelled.
        lane.nextAt = Date.now() + this.#o.channelIntervalMs;
      }
    });
    lane.tail = run;
    this.#lanes.set(channel, lane);
    // A lane left idle is forgotten: channels come and go with the alerts.
    void run.catch(() => undefined).finally(() => {
      if (lane.tail === run && Date.now() >= lane.nextAt) this.#lanes.delete(channel);
    });
    return run;
  }
}

/** The key a group's message of an episode is posted with. */
export function messageKey(g: Pick<AlertGroup, 'id' | 'episode'>): string {
  return `alert:${g.id}:${g.episode}`;
}
