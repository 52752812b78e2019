// The engine that walks every open incident up its ladder, put together from its parts: the
// incident store (the SQL), timer firing (recipients fetched first, then claim, plan and write in
// one transaction without a network call), the page outbox (sent after commit, never blindly
// repeated) and the incident messages, run by the wake loop. State lives in PostgreSQL, so a
// crash at any moment loses nothing and sends nothing twice.
import type pg from 'pg';
import type { Logger } from '../logger.ts';
import type { OnCallLookup } from '../oncall/on-call-lookup.ts';
import { SYSTEM_CLOCK, type Clock } from './clock.ts';
import { IncidentMessageRefresher } from './incident-message-refresher.ts';
import { IncidentStore } from './incident-store.ts';
import { PageOutbox } from './page-outbox.ts';
import type { Pager } from './pager.ts';
import { TimerFiring } from './timer-firing.ts';
import { WakeLoop } from './wake-loop.ts';

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

  constructor(options: EngineOptions) {
    const { pool, pager, oncall, groupMembers, incidentsChannel, log } = options;
    const clock = options.clock ?? SYSTEM_CLOCK;
    const concurrency = options.concurrency ?? 8;
    this.clock = clock;
    this.#store = new IncidentStore(pool);
    const leaseMs = options.leaseMs ?? 30_000;
    this.#timers = new TimerFiring({ store: this.#store, oncall, groupMembers, incidentsChannel, clock, log, claimMs: leaseMs });
    this.#outbox = new PageOutbox({ store: this.#store, pager, clock, log, maxAttempts: options.maxAttempts ?? 5, leaseMs, concurrency });
    this.#messages = new IncidentMessageRefresher({ store: this.#store, pager, incidentsChannel, clock, log, concurrency });
    this.#loop = new WakeLoop({ run: async () => void (await this.runDue()), nextDueAt: () => this.nextDueAt(), clock, log });
  }

  /** Starts waking at the next due time (at once when something is overdue, as after a restart). */
  start(): void {
    this.#loop.start();
  }

  async stop(): Promise<void> {
    await this.#loop.stop();
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
      if (fired === 0 && delivered.claimed === 0) break;
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
