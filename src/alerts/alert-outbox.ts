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
  /** A group's episode diagnosed (its reports kept on the group): the incident it declared gets them. */
  onDiagnosed?: (groupId: number, episode: number) => Promise<void>;
  /** A group's episode's message posted: the incident it declared learns where it is. */
  onPosted?: (groupId: number, episode: number) => Promise<void>;
  /** The alertmanager target a group's Silence buttons use (none: no buttons). */
  silenceVia?: (g: AlertGroup) => string | undefined;
}

/** Findings of a report kept for its incident. */
const KEPT_FINDINGS = 20;

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
  /** Groups being delivered, and diagnosed, by this process. */
  readonly #inFlight = new Set<number>();
  readonly #diagnosingIds = new Set<number>();
  #stopping = false;

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
    // What still waits for its channel's turn is left, its claim given up, to the next replica or
    // start: a shutdown does not wait out a busy channel's pacing.
    this.#stopping = true;
    await Promise.allSettled([...this.#diagnosing]);
  }

  async #deliver(claimed: AlertGroup): Promise<void> {
    // Already on its way in this process (waiting for its channel's turn): that delivery re-reads
    // the group when its turn comes, and shows whatever it holds then.
    if (this.#inFlight.has(claimed.id)) return;
    this.#inFlight.add(claimed.id);
    try {
      let more = true;
      while (more) {
        more = await this.#paced(claimed.channel!, () => this.#showLatest(claimed.id));
      }
    } catch (error) {
      await this.#failed(claimed, error).catch((err: unknown) => this.#o.log.warn({ err, group: claimed.id }, 'while recording an alert delivery failure'));
    } finally {
      this.#inFlight.delete(claimed.id);
    }
  }

  /**
   * At the channel's turn: the group read again with its claim renewed (a claim that ran out while
   * it waited and was taken elsewhere is left to its new owner), then its message posted or
   * updated. True when the group moved on meanwhile (its claim kept: more to show).
   */
  async #showLatest(id: number): Promise<boolean> {
    const { store, owner, poster } = this.#o;
    const g = await store.renewClaim(id, owner, this.#o.leaseMs);
    if (!g || !g.channel) return false;
    const message = alertMessage(g, { silenceVia: this.#o.silenceVia?.(g) });
    let ref: PostedRef | undefined = g.messageEpisode === g.episode && g.messageTs ? { channel: g.messageChannel ?? g.channel, ts: g.messageTs } : undefined;
    if (ref) {
      await poster.update(ref, message);
    } else {
      const key = messageKey(g);
      // Claimed before and never recorded: it may be in the channel already.
      if (g.postingSince) ref = await poster.findPosted(g.channel, key, g.postingSince);
      if (ref) {
        await poster.update(ref, message);
      } else {
        // The claim may have run out during the lookup: only its holder posts.
        if (!(await store.markPosting(g.id, owner, this.#o.leaseMs))) return false;
        ref = await poster.post(g.channel, message, key);
      }
      await store.setMessage(g.id, g.episode, ref.channel, ref.ts);
      await this.#o.onPosted?.(g.id, g.episode).catch((err: unknown) => this.#o.log.warn({ err, group: g.id }, 'while telling an incident where its alert message is'));
      if (g.targets.length > 0) this.#startDiagnosis(g.id);
    }
    return await store.markShown(g.id, owner, g.version);
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
    if (this.#diagnosingIds.has(id)) return;
    this.#diagnosingIds.add(id);
    const run = this.#diagnose(id).catch((err: unknown) => this.#o.log.warn({ err, group: id }, 'alert diagnosis failed'));
    this.#diagnosing.add(run);
    void run.finally(() => {
      this.#diagnosing.delete(run);
      this.#diagnosingIds.delete(id);
    });
  }

  /** The route's targets probed, each report in the message's thread; once per episode. */
  async #diagnose(id: number): Promise<void> {
    const { store } = this.#o;
    const claimed = await store.claimDiagnosis(id, DIAGNOSIS_LEASE_MS);
    if (!claimed) return;
    const { group: g, takeover } = claimed;
    try {
      await this.#diagnoseClaimed(g, takeover);
    } catch (error) {
      if (error instanceof AlertPostError && (error.permanent || error.messageGone)) {
        // The thread cannot take it (the message deleted, the bot removed): given up, not retried every few seconds.
        await store.markDiagnosed(g.id, g.episode);
        this.#o.log.warn({ group: g.id, err: error }, 'the alert diagnosis could not be posted in its thread; given up');
        return;
      }
      // Taken up again at once elsewhere (or at the next start), looking first for what was posted.
      await store.expireDiagnosisClaim(g.id).catch(() => undefined);
      throw error;
    }
  }

  async #diagnoseClaimed(g: AlertGroup, takeover: boolean): Promise<void> {
    const { store, poster } = this.#o;
    const parent: PostedRef = { channel: g.messageChannel!, ts: g.messageTs! };
    const configured = this.#o.targets();
    const targets = g.targets.map((name) => configured.find((t) => t.name === name)).filter((t): t is Target => t !== undefined);
    const set = await runAllProbes(targets, { ...this.#o.probeOptions, targets: configured });
    for (const report of set.reports) {
      const key = `${messageKey(g)}:diag:${report.target}`;
      await this.#paced(parent.channel, async () => {
        // A diagnosis cut short elsewhere may have posted some replies already.
        if (takeover && (await poster.findReply(parent, key))) return;
        await poster.reply(parent, reportMessage(report, { budget: poster.budget, ...this.#o.reportOptions }), key);
      });
    }
    await store.markDiagnosed(g.id, g.episode, set.reports.map((r) => ({
      target: r.target, kind: r.kind, status: r.status, startedAt: r.startedAt,
      findings: r.findings.filter((f) => f.status !== 'ok').slice(0, KEPT_FINDINGS).map((f) => ({ check: f.check, status: f.status, title: f.title })),
    })));
    await this.#o.onDiagnosed?.(g.id, g.episode).catch((err: unknown) => this.#o.log.warn({ err, group: g.id }, 'while attaching an alert diagnosis to its incident'));
  }

  /** `fn` after the channel's previous call, at least channelIntervalMs after it. */
  #paced<T>(channel: string, fn: () => Promise<T>): Promise<T> {
    const lane = this.#lanes.get(channel) ?? { tail: Promise.resolve(), nextAt: 0 };
    const run = lane.tail.catch(() => undefined).then(async () => {
      const wait = lane.nextAt - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (this.#stopping) throw new AlertPostError('the bot is stopping: left for the next turn', { retryAfterMs: 0 });
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
