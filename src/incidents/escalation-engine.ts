// The engine that walks every open incident up its ladder, put together from its parts: the
// incident store (the SQL), timer firing (recipients fetched first, then claim, plan and write in
// one transaction without a network call), the page outbox (sent after commit, never blindly
// repeated) and the incident messages, run by the wake loop. State lives in PostgreSQL, so a
// crash at any moment loses nothing and sends nothing twice.
import type pg from 'pg';
import type { Logger } from '../logger.ts';
import { metrics } from '../metrics/metrics.ts';
import type { OnCallLookup } from '../oncall/on-call-lookup.ts';
import { SYSTEM_CLOCK, type Clock } from './clock.ts';
import { IncidentMessageRefresher } from './incident-message-refresher.ts';
import { IncidentStore } from './incident-store.ts';
import { PageOutbox } from './page-outbox.ts';
import type { Pager } from './pager.ts';
import { TimerFiring } from './timer-firing.ts';
import { WakeLoop } from './wake-loop.ts';
import { UserError } from '../user-error.ts';

/** How long a shutdown waits for the batch of pages under way. */
const STOP_WAIT_MS = 5_000;

/** How long a claimed page may take before another replica takes it over (and looks it up in Slack first). */
export const DEFAULT_ESCALATION_LEASE_MS = 30_000;

/** ESCALATION_LEASE_MS from the environment: how soon a dead replica's page is taken over. */
export function readEscalationLeaseMs(env: NodeJS.ProcessEnv): number {
  const raw = env.ESCALATION_LEASE_MS?.trim();
  if (raw === undefined || raw === '') return DEFAULT_ESCALATION_LEASE_MS;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 300 || value > 600_000) {
    throw new UserError(`ESCALATION_LEASE_MS=${JSON.stringify(env.ESCALATION_LEASE_MS)} is not accepted: expected a whole number of milliseconds from 300 to 600000 (default ${DEFAULT_ESCALATION_LEASE_MS})`);
  }
  return value;
}

// Kept for the benchmark, which imports the clock from here.
export { SYSTEM_CLOCK };

export interface EngineOptions {
  pool: pg.Pool;
  pager: Pager;
  oncall: OnCallLookup;
  /** Members of a Slack user group, for DMs to a group. Called before any transaction. */
  groupMembers(group: string): Promise<string[]>;
  /** Where mention pages go. */
  incidentsChannel: string;
  clock?: Clock;
  log: Logger;
  /** Delivery attempts before a page is given up (429 waits do not count). */
  maxAttempts?: number;
  /** How long a claimed page or timer may take before another replica may take it over. */
  leaseMs?: number;
  /** Pages sent at once. */
  concurrency?: number;
}

export interface RunStats {
  fired: number;
  sent: number;
  failed: number;
}

export class EscalationEngine {
  readonly clock: Clock;
  readonly #store: IncidentStore;
  readonly #timers: TimerFiring;
  readonly #outbox: PageOutbox;
  readonly #messages: IncidentMessageRefresher;
  readonly #loop: WakeLoop;
  /** Incidents whose message is behind their pages. */
  readonly #touched = new Set<number>();
  readonly #pool: pg.Pool;
  /** Counts the timers due for a scrape, while the engine runs. */
  readonly #measureDue = async (): Promise<void> => {
    const { rows } = await this.#pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM incident_timers WHERE state = 'pending' AND due_at <= $1`, [this.clock.now()]);
    metrics.escalationTimersDue.set(rows[0]?.n ?? 0);
  };
  #stopping = false;
  readonly #log: Logger;

  constructor(options: EngineOptions) {
    const { pool, pager, oncall, groupMembers, incidentsChannel, log } = options;
    const clock = options.clock ?? SYSTEM_CLOCK;
    const concurrency = options.concurrency ?? 8;
    this.clock = clock;
    this.#pool = pool;
    this.#log = log;
    this.#store = new IncidentStore(pool);
    const leaseMs = options.leaseMs ?? DEFAULT_ESCALATION_LEASE_MS;
    this.#timers = new TimerFiring({ store: this.#store, oncall, groupMembers, incidentsChannel, clock, log, claimMs: leaseMs });
    this.#outbox = new PageOutbox({ store: this.#store, pager, clock, log, maxAttempts: options.maxAttempts ?? 5, leaseMs, concurrency });
    this.#messages = new IncidentMessageRefresher({ store: this.#store, pager, incidentsChannel, clock, log, concurrency });
    this.#loop = new WakeLoop({ run: async () => void (await this.runDue()), nextDueAt: () => this.nextDueAt(), clock, log });
  }

  /** Starts waking at the next due time (at once when something is overdue, as after a restart). */
  start(): void {
    this.#loop.start();
    metrics.beforeScrape.add(this.#measureDue);
  }

  /**
   * Stops after the batch under way: its claimed pages are sent and recorded, and what is due after
   * it is left to the other replicas or the next start. A batch still going after `waitMs` (a Slack
   * call that hangs) is left to its leases: whoever takes a page over looks it up in Slack before
   * sending, so the rest of the shutdown (remedies, pools) is not held up by it.
   */
  async stop(waitMs = STOP_WAIT_MS): Promise<void> {
    this.#stopping = true;
    metrics.beforeScrape.delete(this.#measureDue);
    let timer: NodeJS.Timeout | undefined;
    const stopped = await Promise.race([
      this.#loop.stop().then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), waitMs))),
    ]);
    clearTimeout(timer);
    if (!stopped) this.#log.warn({ waitMs }, 'escalation: pages still being sent at shutdown are left to their lease (ESCALATION_LEASE_MS); whoever takes one over looks it up in Slack first');
  }

  /** Something changed (declared, acknowledged, escalated): look now rather than at the next due time. */
  poke(): void {
    this.#loop.poke();
  }

  /** When the engine next has something to do: O(log n) on the partial indexes, whatever the number of open incidents. */
  async nextDueAt(): Promise<Date | undefined> {
    return await this.#store.nextDueAt();
  }

  /** Handles every timer and page due now, until none is left; then brings the incident messages up to date. */
  async runDue(): Promise<RunStats> {
    const stats: RunStats = { fired: 0, sent: 0, failed: 0 };
    for (let round = 0; round < 10_000; round++) {
      const fired = await this.#timers.fireDue();
      const delivered = await this.#outbox.deliverDue();
      stats.fired += fired;
      stats.sent += delivered.sent;
      stats.failed += delivered.failed;
      for (const id of delivered.touched) this.#touched.add(id);
      if ((fired === 0 && delivered.claimed === 0) || this.#stopping) break;
    }
    // Pages first, the incidents' own messages after: an update never delays a page.
    const ids = [...this.#touched];
    this.#touched.clear();
    await this.#messages.refreshAll(ids);
    return stats;
  }

  /** Posts or updates the incident's message in the incidents channel with its current state. */
  refreshIncidentMessage(id: number): Promise<void> {
    return this.#messages.refresh(id);
  }
}
