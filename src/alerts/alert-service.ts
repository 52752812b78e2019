// Alerts in: the Alertmanager route, the store its notifications are recorded in, and the outbox
// that posts and updates their messages. The outbox runs in every replica: woken by each
// notification recorded here, and every few seconds for the rest (a retry due, a group another
// replica recorded or left behind, a pending group found at start). Routes that declare incidents
// are looked at then too (alert-declarer.ts).
import { metrics } from '../metrics/metrics.ts';
import { pruneAlerts } from './prune-alerts.ts';
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Config } from '../config/config.ts';
import type { AlertsConfig } from '../config/alerts-schema.ts';
import type { Logger } from '../logger.ts';
import type { RunProbeOptions } from '../probes/run-probe.ts';
import type { ReportMessageOptions } from '../render/report-message.ts';
import type { AlertNotification } from './alertmanager-payload.ts';
import { alertmanagerRoute, ALERTMANAGER_PATH, type HttpRoute } from './alertmanager-route.ts';
import { AlertOutbox } from './alert-outbox.ts';
import type { AlertPoster } from './alert-poster.ts';
import type { ChannelPacer } from '../coord/channel-pacer.ts';
import { LocalChannelPacer } from '../coord/local-channel-pacer.ts';
import { AlertStore, type RouteChoice } from './alert-store.ts';
import { DEFAULT_FLAP_WINDOW_MS } from '../config/alerts-schema.ts';
import type { IncidentService } from '../incidents/incident-service.ts';
import { AlertDeclarer } from './alert-declarer.ts';
import { silenceTarget } from './silence-target.ts';
import { AlertmanagerSilences } from './alertmanager-silences.ts';
import type { ApiTarget } from '../probes/http/api-target.ts';

export const ALERTS_TOKEN_ENV = 'ALERTS_TOKEN';
/** Notifications handled are remembered this long (duplicates come within minutes). */
const KEEP_NOTIFICATIONS_DAYS = 7;
const PRUNE_EVERY_MS = 60 * 60_000;
const MIN_TOKEN_CHARS = 16;

export interface AlertServiceOptions {
  pool: pg.Pool;
  config: Config;
  poster: AlertPoster;
  log: Logger;
  /** ALERTS_TOKEN: without it the route is not served. */
  token: string | undefined;
  probeOptions: RunProbeOptions;
  reportOptions: Omit<ReportMessageOptions, 'budget'>;
  /** Default 1 s: Slack's documented rate for posting to one channel (the pacer made here when none is given). */
  channelIntervalMs?: number;
  /**
   * How posts to a channel are spaced, shared with the heartbeats' messages when given (and then
   * stopped by whoever made it). Default: this service's own, one call per channelIntervalMs.
   */
  pacer?: ChannelPacer;
  /** How long a diagnosis's claim lasts unless renewed (it is, while it runs). Default 3 minutes. */
  diagnosisLeaseMs?: number;
  /** How often the outbox looks for work without being woken. Default 5 s. */
  pollMs?: number;
  /** How long a claimed group may take before another replica takes it over. Default 30 s. */
  leaseMs?: number;
  /** Where routes with `declare` declare incidents (absent without an incidents: section). */
  incidents?: IncidentService;
  /** What time it is for `declareAfter` (a test's clock; the system's by default). */
  now?: () => Date;
}

export class AlertService {
  readonly store: AlertStore;
  readonly #o: AlertServiceOptions;
  readonly #outbox: AlertOutbox;
  readonly #log: Logger;
  readonly #declarer: AlertDeclarer | undefined;
  /** The pacer this service made (none given), stopped with it. */
  readonly #ownPacer: ChannelPacer | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = true;
  readonly #declaring = new Set<Promise<void>>();
  #prunedAt = 0;

  constructor(options: AlertServiceOptions) {
    this.#o = options;
    this.#log = options.log.child({ component: 'alerts' });
    this.store = new AlertStore(options.pool);
    this.#ownPacer = options.pacer ? undefined : new LocalChannelPacer(options.channelIntervalMs ?? 1_000);
    this.#outbox = new AlertOutbox({
      store: this.store,
      poster: options.poster,
      log: this.#log,
      owner: `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
      leaseMs: options.leaseMs ?? 30_000,
      pacer: options.pacer ?? this.#ownPacer!,
      ...(options.diagnosisLeaseMs !== undefined && { diagnosisLeaseMs: options.diagnosisLeaseMs }),
      targets: () => options.config.targets,
      probeOptions: options.probeOptions,
      reportOptions: options.reportOptions,
      onDiagnosed: async (id, episode) => await this.#declarer?.diagnosed(id, episode),
      onPosted: async (id, episode) => await this.#declarer?.posted(id, episode),
      silenceVia: (g) => silenceTarget(options.config, g.route)?.name,
    });
    const routes = () => options.config.alerts?.routes ?? [];
    if (options.incidents) {
      this.#declarer = new AlertDeclarer({ store: this.store, incidents: options.incidents, routes, now: options.now ?? (() => new Date()), log: this.#log });
    } else if (routes().some((r) => r.declare !== undefined)) {
      this.#log.warn(`${options.config.source}: alerts.routes declare incidents, but there is no incidents: section; nothing is declared`);
    }
  }

  /** The HTTP routes to serve: none without a token (said in the log). */
  routes(): HttpRoute[] {
    if (!this.#o.token) {
      this.#log.info(`${ALERTS_TOKEN_ENV} is not set: POST ${ALERTMANAGER_PATH} is not served (Alertmanager's notifications get 404); set it to receive alerts`);
      return [];
    }
    if (this.#o.token.length < MIN_TOKEN_CHARS) {
      this.#log.warn(`${ALERTS_TOKEN_ENV} is shorter than ${MIN_TOKEN_CHARS} characters: anyone who guesses it can post alerts; use a long random one (openssl rand -hex 32)`);
    }
    if (!this.#o.config.alerts || this.#o.config.alerts.routes.length === 0) {
      this.#log.warn(`POST ${ALERTMANAGER_PATH} is served, but ${this.#o.config.source} has no alerts.routes: notifications are recorded and not posted`);
    }
    return [alertmanagerRoute({ token: this.#o.token, log: this.#log, receive: (n) => this.receive(n) })];
  }

  /** Records a notification once; its message follows once recorded. */
  async receive(n: AlertNotification): Promise<'recorded' | 'duplicate'> {
    const alerts = this.#o.config.alerts;
    const recorded = await this.store.record(n, (labels) => chooseRoute(alerts, labels), alerts?.flapWindowMs ?? DEFAULT_FLAP_WINDOW_MS);
    if (recorded.outcome === 'duplicate') {
      metrics.deduplicatedTotal.inc({ source: 'alert' });
      return 'duplicate';
    }
    const about = { group: recorded.groupId, status: recorded.status, alertname: n.commonLabels.alertname?.slice(0, 100), alerts: n.alerts.length };
    if (!recorded.routed) this.#log.warn(about, 'alert group matched no route in alerts.routes: recorded, not posted');
    else this.#log.info(about, 'alert notification recorded');
    if (recorded.routed && recorded.changed) this.wake();
    // A silence made "until resolved" from Slack ends with the group.
    if (recorded.status === 'resolved') void this.#expireResolvedSilence(recorded.groupId);
    // Only a route that declares has anything to declare or tell now; the timer looks at the rest.
    if (recorded.routed && chooseRoute(alerts, n.commonLabels)?.route.declare !== undefined) this.#declare();
    return 'recorded';
  }

  async #expireResolvedSilence(groupId: number): Promise<void> {
    try {
      const silence = await this.store.takeSilence(groupId, null, true);
      if (!silence?.id) return;
      const target = this.#o.config.targets.find((t) => t.name === silence.via);
      const t = target as (ApiTarget & { name: string }) | undefined;
      if (!t) throw new Error(`target "${silence.via}" is no longer configured`);
      await new AlertmanagerSilences(t.name, { url: t.url, ...(t.headers && { headers: t.headers }) }, this.#o.probeOptions.secrets ?? []).expire(silence.id);
      this.#log.info({ group: groupId, silence: silence.id, via: silence.via }, 'expired the silence made until the alert resolved');
      this.wake();
    } catch (err) {
      this.#log.warn({ err, group: groupId }, 'while expiring the silence made until the alert resolved (it ends on its own after 7 days)');
    }
  }

  /** Starts the outbox: what was left pending (a restart, a replica gone) is sent first. */
  start(): void {
    this.#stopped = false;
    this.#outbox.start();
    this.wake();
    this.#declare();
    void this.#outbox.diagnoseDue().catch((err: unknown) => this.#log.warn({ err }, 'while looking for alert diagnoses due'));
    this.#schedule();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#ownPacer?.stop();
    await this.#outbox.stop();
    await Promise.allSettled([...this.#declaring]);
  }

  /** Delivers what is behind now (once more after the current run, if one is under way). */
  wake(): void {
    this.#outbox.wake();
  }

  /** One pass of the declarations due and the resolutions to tell, awaited (what the timer runs). */
  async declareNow(): Promise<void> {
    if (!this.#declarer) return;
    if (await this.#declarer.run()) this.wake();
  }

  /**
   * Declares the incidents due (a group just recorded, or one that has now fired `declareAfter`)
   * and tells incidents their alerts resolved; their messages then say so.
   */
  #declare(): void {
    if (!this.#declarer || this.#stopped) return;
    const run = this.#declarer.run().then((changed) => {
      if (changed) this.wake();
    });
    this.#declaring.add(run);
    void run.catch((err: unknown) => this.#log.warn({ err }, 'while declaring incidents from alerts')).finally(() => this.#declaring.delete(run));
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.wake();
      if (Date.now() - this.#prunedAt > PRUNE_EVERY_MS) {
        this.#prunedAt = Date.now();
        void this.store.pruneNotifications(KEEP_NOTIFICATIONS_DAYS).catch((err: unknown) => this.#log.warn({ err }, 'while pruning old alert notifications'));
        // Resolved groups quiet past history.retentionDays go with their episodes and votes (with or without digests).
        void pruneAlerts(this.#o.pool, this.#o.config.history.retentionDays)
          .then((pruned) => pruned.groups > 0 && this.#log.info({ pruned }, 'old alert groups pruned'))
          .catch((err: unknown) => this.#log.warn({ err }, 'while pruning old alert groups'));
      }
      void this.#outbox.diagnoseDue().catch((err: unknown) => this.#log.warn({ err }, 'while looking for alert diagnoses due'));
      this.#declare();
      this.#schedule();
    }, this.#o.pollMs ?? 5_000);
    this.#timer.unref();
  }
}

/** The first route whose matchers all equal the group's common labels. */
export function chooseRoute(alerts: AlertsConfig | undefined, labels: Record<string, string>): RouteChoice | undefined {
  const index = alerts?.routes.findIndex((r) => Object.entries(r.match).every(([k, v]) => labels[k] === v)) ?? -1;
  return index === -1 ? undefined : { index, route: alerts!.routes[index]! };
}
