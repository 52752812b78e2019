// Heartbeats (a dead-man switch): the route that records beats, and a checker that runs in every
// replica every few seconds. A heartbeat silent for every + grace starts one outage (whichever
// replica sees it first; the store lets one only), whose one message is posted from a claim with
// a lease, and updated in place to recovered at the next beat. A post that may have gone out
// (started, never recorded: a crash, a timeout) is looked up by its key before any repeat, and
// everything is in the store, so a restart neither forgets an outage nor says it twice. A
// heartbeat with `declare` declares an incident per outage, keyed by the outage in the incidents'
// store (every replica and restart asks, one incident is made); the beat that ends the outage goes
// on the incident's timeline, and a person resolves it.
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { HeartbeatConfig } from '../config/heartbeats-schema.ts';
import type { Clock } from '../incidents/clock.ts';
import type { IncidentService } from '../incidents/incident-service.ts';
import type { Logger } from '../logger.ts';
import type { HttpRoute } from '../alerts/alertmanager-route.ts';
import type { AlertPoster } from '../alerts/alert-poster.ts';
import type { ChannelPacer } from '../coord/channel-pacer.ts';
import { LocalChannelPacer } from '../coord/local-channel-pacer.ts';
import { Outbox } from '../outbox/outbox.ts';
import { heartbeatMessage } from './heartbeat-message.ts';
import { heartbeatRoute } from './heartbeat-route.ts';
import { HeartbeatStore, type HeartbeatRow } from './heartbeat-store.ts';

const ALERTS_TOKEN_ENV = 'ALERTS_TOKEN';

export interface HeartbeatServiceOptions {
  pool: pg.Pool;
  heartbeats: readonly HeartbeatConfig[];
  poster: AlertPoster;
  log: Logger;
  /** ALERTS_TOKEN: without it the route is not served. */
  token: string | undefined;
  clock: Clock;
  /** How often the checker runs. Default 5 s (`every` is at least 10 s). */
  pollMs?: number;
  /** false: no checker of its own (a test moves its clock and calls check()). Default true. */
  poll?: boolean;
  /** How long a claimed message may take before another replica takes it over. Default 30 s. */
  leaseMs?: number;
  /** Where a heartbeat with `declare` declares (an incidents: section is required for one). */
  incidents?: Pick<IncidentService, 'declareFromAlert' | 'alertResolved'>;
  /**
   * How posts to a channel are spaced, shared with the alert messages when given (and then
   * stopped by whoever made it). Default: this service's own, one call per second per channel.
   */
  pacer?: ChannelPacer;
}

export class HeartbeatService {
  readonly store: HeartbeatStore;
  readonly #o: HeartbeatServiceOptions;
  readonly #log: Logger;
  readonly #outbox: Outbox<HeartbeatRow, string>;
  /** The pacer this service made (none given), stopped with it. */
  readonly #ownPacer: ChannelPacer | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** When this replica started checking (the clock's time); 0 before start(). */
  #startedAt = 0;
  #checking: Promise<void> | undefined;
  #stopped = true;

  constructor(options: HeartbeatServiceOptions) {
    this.#o = options;
    this.#log = options.log.child({ component: 'heartbeats' });
    this.store = new HeartbeatStore(options.pool);
    this.#ownPacer = options.pacer ? undefined : new LocalChannelPacer(1_000);
    this.#outbox = new Outbox<HeartbeatRow, string>({
      store: this.store,
      poster: options.poster,
      pacer: options.pacer ?? this.#ownPacer!,
      log: this.#log,
      owner: `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
      leaseMs: options.leaseMs ?? 30_000,
      noun: 'heartbeat',
      logField: 'heartbeat',
      item: (hb) => ({
        id: hb.name,
        channel: hb.channel,
        version: hb.version,
        attempts: hb.attempts,
        postingSince: hb.postingSince,
        round: hb.outage,
        posted: hb.channel && hb.messageOutage === hb.outage && hb.messageTs ? { channel: hb.messageChannel ?? hb.channel, ts: hb.messageTs } : undefined,
        key: messageKey(hb),
      }),
      message: (hb) => heartbeatMessage(hb, options.clock.now()),
    });
  }

  /** The route to serve: none without heartbeats or without a token (said in the log). */
  routes(): HttpRoute[] {
    if (this.#o.heartbeats.length === 0) return [];
    if (!this.#o.token) {
      this.#log.warn(`${ALERTS_TOKEN_ENV} is not set: POST /heartbeats/<name> is not served, so every configured heartbeat will be said missed; set it`);
      return [];
    }
    return [heartbeatRoute({ token: this.#o.token, log: this.#log, beat: (name) => this.beat(name) })];
  }

  /** A beat now for a configured heartbeat; its outage's message turns recovered. */
  async beat(name: string): Promise<'recorded' | 'recovered' | 'unknown'> {
    if (!this.#o.heartbeats.some((h) => h.name === name)) return 'unknown';
    const outcome = await this.store.beat(name, this.#o.clock.now());
    if (outcome === 'recovered') {
      this.#log.info({ heartbeat: name }, 'heartbeat recovered');
      this.wake();
      // Its incident's timeline says so now (the next check would too).
      if (this.#o.incidents && this.#o.heartbeats.some((h) => h.name === name && h.declare !== undefined)) void this.#declareOutages();
    }
    return outcome;
  }

  /** Starts watching (a heartbeat new to the store is counted from now) and checking. */
  async start(): Promise<void> {
    this.#startedAt = this.#o.clock.now().getTime();
    await this.store.watch(this.#o.heartbeats.map((h) => h.name), this.#o.clock.now());
    this.#stopped = false;
    this.#outbox.start();
    if (this.#o.poll !== false) this.#schedule();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#ownPacer?.stop();
    const stopping = this.#outbox.stop();
    await this.#checking;
    await stopping;
  }

  /**
   * One check at the clock's now: heartbeats silent past every + grace start their outage, then
   * the messages behind are sent. Safe to run any number of times, in any number of replicas.
   */
  async check(): Promise<void> {
    if (this.#stopped) return;
    const now = this.#o.clock.now();
    // A replica judges a heartbeat only once it has itself been up for every + grace: when every
    // replica was down, beats sent meanwhile were refused, and the outage was the bot's, not the
    // job's. (A replica that has been up all along judges as before.)
    const judged = this.#o.heartbeats.filter((h) => now.getTime() >= this.#startedAt + h.everyMs + h.graceMs);
    for (const name of await this.store.markMissed(judged, now)) {
      this.#log.warn({ heartbeat: name, channel: this.#o.heartbeats.find((h) => h.name === name)?.channel }, 'heartbeat missed');
    }
    await this.#declareOutages();
    await this.deliver();
  }

  /**
   * Each declaring heartbeat's outage: its incident declared once (its key in the incidents' store
   * is the outage, so asking again finds it) and kept with the heartbeat, and once it recovered,
   * the beat said on its timeline and recorded told. Both are in the store, so any replica, or a
   * start after a restart, tells what was left untold. A failure is tried again at the next check.
   */
  async #declareOutages(): Promise<void> {
    const { incidents } = this.#o;
    if (!incidents) return;
    for (const h of this.#o.heartbeats) {
      if (h.declare === undefined) continue;
      try {
        const row = await this.store.get(h.name);
        if (!row || row.outage === 0) continue;
        const key = `${h.name}:${row.outage}`;
        const known = row.incidentOutage === row.outage && row.incidentId !== null ? { incident: row.incidentId, told: row.incidentToldRecovered } : undefined;
        if (row.status === 'missed' && !known) {
          const since = row.missedSince ? ` since ${row.missedSince.toISOString().slice(11, 16)} UTC` : '';
          const { incident, created } = await incidents.declareFromAlert({
            severity: h.declare,
            title: `heartbeat ${h.name} missed`,
            alertname: h.name,
            source: 'heartbeat',
            sourceKey: `heartbeat:${key}`,
            channel: h.channel,
            report: { heartbeat: { name: h.name, missedSince: row.missedSince?.toISOString(), every: h.everyMs, grace: h.graceMs, neverBeat: row.neverBeat, said: `heartbeat ${h.name} missed${since}` } },
          });
          if (created) this.#log.info({ heartbeat: h.name, incident: incident.id, severity: h.declare }, 'incident declared for a missed heartbeat');
          await this.store.setOutageIncident(h.name, row.outage, incident.id);
        } else if (row.status === 'ok' && known && !known.told && row.recoveredAt) {
          // Said once on the timeline (the incidents' store refuses the same words twice).
          await incidents.alertResolved(known.incident, { alertname: h.name, source: 'heartbeat', resolvedAt: row.recoveredAt, autoResolve: false });
          await this.store.markIncidentTold(h.name, row.outage);
        }
      } catch (err) {
        this.#log.warn({ err, heartbeat: h.name }, 'while declaring the incident of a missed heartbeat');
      }
    }
  }

  /** Sends the messages behind now, and waits for it (once more after a run under way). */
  async deliver(): Promise<void> {
    await this.#outbox.deliverNow();
  }

  /** Sends the messages behind (once more after the current run, if one is under way). */
  wake(): void {
    this.#outbox.wake();
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#checking = this.check()
        .catch((err: unknown) => this.#log.warn({ err }, 'while checking heartbeats'))
        .finally(() => {
          this.#checking = undefined;
          this.#schedule();
        });
    }, this.#o.pollMs ?? 5_000);
    this.#timer.unref();
  }
}

/** The key an outage's message is posted with. */
export function messageKey(hb: Pick<HeartbeatRow, 'name' | 'outage'>): string {
  return `heartbeat:${hb.name}:${hb.outage}`;
}
