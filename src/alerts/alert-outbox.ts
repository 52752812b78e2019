// Sends alert messages after their notification committed, through the outbox shared with the
// heartbeats (src/outbox/outbox.ts: claims with a lease, a post fenced on its claim, a post that
// may have gone out looked up before any repeat, retries, the channel's pacing). Then, once per
// firing episode, the route's targets are diagnosed in the message's thread, from a claim of its
// own that the diagnosis renews while it runs: a replica whose claim was taken over posts nothing.
import type { PostedRef } from '../channel-poster.ts';
import type { Target } from '../config/config.ts';
import type { ChannelPacer } from '../coord/channel-pacer.ts';
import type { Logger } from '../logger.ts';
import { Outbox } from '../outbox/outbox.ts';
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
  /** How posts to a channel are spaced (shared with the heartbeats' messages). */
  pacer: ChannelPacer;
  /** How long a diagnosis's claim lasts unless renewed (it is, every third of it, while it runs). Default 3 minutes. */
  diagnosisLeaseMs?: number;
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
/** How long a diagnosis may run, unless renewed, before another replica may redo it. */
const DIAGNOSIS_LEASE_MS = 3 * 60_000;

/** The diagnosis's claim was taken over by another replica (its lease ran out): it posts nothing more. */
class DiagnosisClaimLost extends Error {
  constructor(groupId: number) {
    super(`the diagnosis of alert group ${groupId} was taken over by another replica`);
    this.name = 'DiagnosisClaimLost';
  }
}

export class AlertOutbox {
  readonly #o: AlertOutboxOptions;
  readonly #outbox: Outbox<AlertGroup, number>;
  readonly #diagnosing = new Set<Promise<void>>();
  /** Groups being diagnosed by this process. */
  readonly #diagnosingIds = new Set<number>();

  constructor(options: AlertOutboxOptions) {
    this.#o = options;
    this.#outbox = new Outbox<AlertGroup, number>({
      store: options.store,
      poster: options.poster,
      pacer: options.pacer,
      log: options.log,
      owner: options.owner,
      leaseMs: options.leaseMs,
      noun: 'alert',
      logField: 'group',
      item: (g) => ({
        id: g.id,
        channel: g.channel,
        version: g.version,
        attempts: g.attempts,
        postingSince: g.postingSince,
        round: g.episode,
        posted: g.channel && g.messageEpisode === g.episode && g.messageTs ? { channel: g.messageChannel ?? g.channel, ts: g.messageTs } : undefined,
        key: messageKey(g),
      }),
      message: (g) => alertMessage(g, { silenceVia: options.silenceVia?.(g) }),
      posted: async (g) => {
        await options.onPosted?.(g.id, g.episode).catch((err: unknown) => options.log.warn({ err, group: g.id }, 'while telling an incident where its alert message is'));
        if (g.targets.length > 0) this.#startDiagnosis(g.id);
      },
    });
  }

  start(): void {
    this.#outbox.start();
  }

  /** Delivers what is behind (once more after the current run, if one is under way). */
  wake(): void {
    this.#outbox.wake();
  }

  /** Diagnoses that fell due while no process ran them (a restart, a replica that died). */
  async diagnoseDue(): Promise<void> {
    if (this.#outbox.stopped) return;
    for (const id of await this.#o.store.diagnosesDue(BATCH)) this.#startDiagnosis(id);
  }

  /** Stops delivering, and waits for the run under way and the diagnoses running (shutdown). */
  async stop(): Promise<void> {
    await this.#outbox.stop();
    await Promise.allSettled([...this.#diagnosing]);
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
    const { store, owner } = this.#o;
    const leaseMs = this.#o.diagnosisLeaseMs ?? DIAGNOSIS_LEASE_MS;
    const claimed = await store.claimDiagnosisFor(id, owner, leaseMs);
    if (!claimed) return;
    const { group: g, takeover } = claimed;
    // A diagnosis may take longer than its lease (slow targets, a busy channel): its claim is
    // renewed while it runs, so no other replica redoes it meanwhile.
    const renewal = setInterval(() => {
      void store.renewDiagnosisClaim(g.id, owner, leaseMs).catch((err: unknown) => this.#o.log.warn({ err, group: g.id }, 'while renewing the claim of an alert diagnosis'));
    }, Math.max(1, Math.floor(leaseMs / 3)));
    renewal.unref();
    try {
      await this.#diagnoseClaimed(g, takeover, leaseMs);
    } catch (error) {
      if (error instanceof DiagnosisClaimLost) {
        this.#o.log.info({ group: g.id }, 'the alert diagnosis was taken over by another replica; it posts the rest');
        return;
      }
      if (error instanceof AlertPostError && (error.permanent || error.messageGone)) {
        // The thread cannot take it (the message deleted, the bot removed): given up, not retried every few seconds.
        await store.markDiagnosed(g.id, g.episode);
        this.#o.log.warn({ group: g.id, err: error }, 'the alert diagnosis could not be posted in its thread; given up');
        return;
      }
      // Taken up again at once elsewhere (or at the next start), looking first for what was posted.
      await store.releaseDiagnosisClaim(g.id, owner).catch(() => undefined);
      throw error;
    } finally {
      clearInterval(renewal);
    }
  }

  async #diagnoseClaimed(g: AlertGroup, takeover: boolean, leaseMs: number): Promise<void> {
    const { store, poster, owner } = this.#o;
    const parent: PostedRef = { channel: g.messageChannel!, ts: g.messageTs! };
    const configured = this.#o.targets();
    const targets = g.targets.map((name) => configured.find((t) => t.name === name)).filter((t): t is Target => t !== undefined);
    const set = await runAllProbes(targets, { ...this.#o.probeOptions, targets: configured });
    for (const report of set.reports) {
      const key = `${messageKey(g)}:diag:${report.target}`;
      await this.#outbox.paced(parent.channel, async () => {
        // Only the claim's holder posts: one whose claim ran out and was taken over stops here.
        if (!(await store.renewDiagnosisClaim(g.id, owner, leaseMs))) throw new DiagnosisClaimLost(g.id);
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
}

/** The key a group's message of an episode is posted with. */
export function messageKey(g: Pick<AlertGroup, 'id' | 'episode'>): string {
  return `alert:${g.id}:${g.episode}`;
}
