// Keeps each incident's own message in the incidents channel up to date (posted once, then
// updated): its state, the pages sent so far, when the ack is due, the next level. Refreshes of
// one incident run one after the other: two at once could both find no message yet and post it
// twice. No transaction is open while Slack is called.
import type { Logger } from '../logger.ts';
import type { Clock } from './clock.ts';
import { currentLadder } from './incident.ts';
import type { IncidentStore } from './incident-store.ts';
import { nextLevel } from './next-level.ts';
import type { Pager } from './pager.ts';

export interface IncidentMessageRefresherOptions {
  store: IncidentStore;
  pager: Pick<Pager, 'showIncident'>;
  incidentsChannel: string;
  clock: Clock;
  log: Logger;
  /** Messages updated at once. */
  concurrency: number;
}

export class IncidentMessageRefresher {
  readonly #o: IncidentMessageRefresherOptions;
  readonly #refreshing = new Map<number, Promise<void>>();

  constructor(options: IncidentMessageRefresherOptions) {
    this.#o = options;
  }

  /** Posts or updates the incident's message with its current state. */
  refresh(id: number): Promise<void> {
    const previous = this.#refreshing.get(id) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.#refresh(id));
    this.#refreshing.set(id, next);
    void next.finally(() => {
      if (this.#refreshing.get(id) === next) this.#refreshing.delete(id);
    }).catch(() => undefined);
    return next;
  }

  /** Refreshes these incidents, `concurrency` at once; a failure is logged and does not stop the others. */
  async refreshAll(ids: readonly number[]): Promise<void> {
    const queue = [...ids];
    await Promise.all(Array.from({ length: Math.min(this.#o.concurrency, queue.length) }, async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        await this.refresh(id).catch((err: unknown) => this.#o.log.warn({ err, incident: id }, 'while updating the incident message'));
      }
    }));
  }

  async #refresh(id: number): Promise<void> {
    const { store } = this.#o;
    const incident = await store.get(id);
    if (!incident) return;
    const pages = await store.sentPages(id);
    const now = this.#o.clock.now();
    const ladder = currentLadder(incident);
    const next = nextLevel(incident, now).next;
    const delivered = await this.#o.pager.showIncident(incident.channel ?? this.#o.incidentsChannel, {
      incident,
      paged: pages.map((p) => ({ label: p.label, to: p.recipient, at: p.sentAt, point: p.point })),
      ...(incident.status === 'open' && { ackDueAt: new Date(incident.declaredAt.getTime() + ladder.ackWithinMs) }),
      ...(next && { next }),
    });
    if (!incident.messageTs) await store.setMessage(id, delivered);
  }
}
