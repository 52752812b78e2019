// Fires the ladder timers that are due, each in three moves: claim it (one statement: its due
// time moves to the end of a short claim, so no other engine takes it, and one takes it over if
// this one dies; no lock is held afterwards); fetch what its level needs from outside (members of
// user groups from Slack, who is on call) with no transaction open; then one transaction locks
// the timer and the incident, re-checks the claim and the fencing, plans (a pure step,
// planTimer) and writes the page rows, the timeline and the next timer. No network call while a
// row lock is held. A failure costs only that timer, which is tried again a few seconds later.
import type { Logger } from '../logger.ts';
import type { OnCallLookup } from '../oncall/on-call-lookup.ts';
import type { Clock } from './clock.ts';
import type { Incident } from './incident.ts';
import type { IncidentStore, TimerRef } from './incident-store.ts';
import { planTimer, type TimerPlan } from './plan-timer.ts';
import { emptyRecipientData, type RecipientData, type RecipientNeeds } from './resolve-recipients.ts';
import { TIMER_WORKERS } from './timer-workers.ts';

export interface TimerFiringOptions {
  store: IncidentStore;
  oncall: OnCallLookup;
  /** Members of a Slack user group, for DMs to a group. */
  groupMembers(group: string): Promise<string[]>;
  incidentsChannel: string;
  clock: Clock;
  log: Logger;
  /** How long a claimed timer is this engine's before another may take it over. */
  claimMs: number;
}

/** Timers fired per round before the pages they made are delivered. */
const TIMER_BATCH = 50;
/** A timer whose handling failed (the database blinked) is tried again this much later. */
const TIMER_RETRY_MS = 5_000;
/** Plans of one timer before giving up on it for now: its incident kept changing under the lookups. */
const MAX_PLANS = 3;

type Fired = 'fired' | 'lost' | 'failed';

export class TimerFiring {
  readonly #o: TimerFiringOptions;

  constructor(options: TimerFiringOptions) {
    this.#o = options;
  }

  /** Fires due timers, TIMER_WORKERS at once, up to a batch; returns how many were handled (discarded ones included). */
  async fireDue(): Promise<number> {
    let handled = 0;
    let exhausted = false;
    const worker = async () => {
      while (!exhausted && handled < TIMER_BATCH) {
        const now = this.#o.clock.now();
        const claimUntil = new Date(now.getTime() + this.#o.claimMs);
        const due = await this.#o.store.claimDueTimer(now, claimUntil);
        if (!due) return void (exhausted = true);
        const fired = await this.#fireOne(due.timer, due.incident, now, claimUntil);
        if (fired === 'fired') handled += 1;
        // A failed timer was put back a few seconds; this worker stops for this round.
        else if (fired === 'failed') return;
      }
    };
    await Promise.all(Array.from({ length: TIMER_WORKERS }, worker));
    return handled;
  }

  async #fireOne(timer: TimerRef, seen: Incident | undefined, now: Date, claimUntil: Date): Promise<Fired> {
    const data = emptyRecipientData();
    try {
      for (let plans = 0; plans < MAX_PLANS; plans++) {
        // No transaction is open: whatever the plan of the incident as last seen needs from Slack or the rotations.
        await this.#fetchFor(timer, seen, now, data);
        const outcome = await this.#o.store.transaction(async (tx): Promise<Fired | { changed: Incident | undefined }> => {
          const claimed = await tx.lockClaimedTimer(timer.id, claimUntil);
          if (!claimed) return 'lost';
          const incident = await tx.lockIncident(claimed.incidentId);
          const plan = planTimer({ timer: claimed, incident, now, incidentsChannel: this.#o.incidentsChannel, data });
          // The incident changed since it was read: nothing is written; fetch what it needs now and plan again.
          if (plan.kind === 'needs') return { changed: incident };
          await apply(tx, claimed, incident, plan, now);
          return 'fired';
        });
        if (typeof outcome === 'string') return outcome;
        seen = outcome.changed;
      }
      throw new Error(`incident ${timer.incidentId} changed ${MAX_PLANS} times while the people to page were looked up`);
    } catch (err) {
      this.#o.log.error({ err, incident: timer.incidentId, point: timer.point }, 'while firing an escalation timer; it is retried in a few seconds');
      await this.#o.store.retryTimerAt(timer.id, claimUntil, new Date(now.getTime() + TIMER_RETRY_MS)).catch(() => undefined);
      return 'failed';
    }
  }

  /** Fills `data` until the plan of `incident` needs nothing more. */
  async #fetchFor(timer: TimerRef, incident: Incident | undefined, now: Date, data: RecipientData): Promise<void> {
    for (;;) {
      const plan = planTimer({ timer, incident, now, incidentsChannel: this.#o.incidentsChannel, data });
      if (plan.kind !== 'needs') return;
      await this.#fetch(plan.needs, now, data);
    }
  }

  async #fetch(needs: RecipientNeeds, now: Date, data: RecipientData): Promise<void> {
    await Promise.all([
      ...needs.groups.map(async (group) => {
        try {
          data.groupMembers.set(group, { members: await this.#o.groupMembers(group) });
        } catch (err) {
          data.groupMembers.set(group, { error: (err as Error).message });
        }
      }),
      // A rotation that cannot be read fails the timer (retried), as a store error would.
      ...needs.rotations.map(async (rotation) => {
        data.onCall.set(rotation, (await this.#o.oncall.onCallAt(rotation, now))?.user);
      }),
    ]);
  }
}

async function apply(tx: IncidentStore, timer: TimerRef, incident: Incident | undefined, plan: Exclude<TimerPlan, { kind: 'needs' }>, now: Date): Promise<void> {
  if (plan.kind === 'discard' || !incident) {
    await tx.finishTimer(timer.id, 'discarded', now);
    return;
  }
  for (const page of plan.pages) await tx.insertPage(page);
  for (const event of plan.events) await tx.addEvent(incident.id, now, null, event.kind, event.line);
  await tx.finishTimer(timer.id, 'done', now);
  await tx.setDonePoints(incident.id, plan.donePoints, now);
  await tx.armNext({ ...incident, donePoints: plan.donePoints }, now);
}
