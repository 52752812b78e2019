// The ladder as a plan: every point at which something is due (each page of each step, each
// repeat, the acknowledge deadline), in time order. What to do next is a pure function of the
// plan, the incident's status and the points already handled; the engine only stores the answer.
// A step that pages in working hours only is due at the next start of working hours when its time
// falls outside them, and never sooner after the level before it than the ladder's gap between
// them (a SEV-3 declared on Friday night pages on-call on Monday morning and the team lead not
// in the same minute). Its repeats are each due `everyMs` after the one before, in working hours.
import type { LadderSnapshot, Severity } from './ladder.ts';
import { DEFAULT_WORKING_HOURS, nextWorkingTime } from './working-hours.ts';

export type IncidentStatus = 'open' | 'acknowledged' | 'resolved';

export interface LadderPoint {
  /** Unique within an incident across severities: `sev1:s0a0` (step 0, first page), `sev1:deadline`. */
  id: string;
  kind: 'page' | 'deadline';
  /** Index into the snapshot's steps, for pages. */
  step?: number;
  /** 0 for the first page of a step, 1.. for its repeats. */
  attempt?: number;
  dueAt: number;
  /** The point is live while the incident has not reached this status. */
  until: 'acknowledged' | 'resolved';
  label: string;
}

export function ladderPoints(ladder: LadderSnapshot, declaredAt: Date): LadderPoint[] {
  const t0 = declaredAt.getTime();
  const sev = `sev${ladder.severity}`;
  const points: LadderPoint[] = [
    { id: `${sev}:deadline`, kind: 'deadline', dueAt: t0 + ladder.ackWithinMs, until: 'acknowledged', label: 'acknowledge deadline' },
  ];
  let previous = { dueAt: t0, afterMs: 0 };
  ladder.steps.forEach((step, i) => {
    const hours = step.during === 'working-hours' ? (ladder.workingHours ?? DEFAULT_WORKING_HOURS) : undefined;
    const planned = t0 + step.afterMs;
    const first = hours ? nextWorkingTime(Math.max(planned, previous.dueAt + step.afterMs - previous.afterMs), hours) : planned;
    let at = first;
    for (let a = 0; a <= step.repeat.times; a++) {
      // Each repeat counts from the page before it: repeats that fall outside working hours go
      // out `everyMs` apart from the next start, not all at that start.
      if (a > 0) at = hours ? nextWorkingTime(at + step.repeat.everyMs, hours) : at + step.repeat.everyMs;
      points.push({ id: `${sev}:s${i}a${a}`, kind: 'page', step: i, attempt: a, dueAt: at, until: step.until, label: step.label });
    }
    previous = { dueAt: first, afterMs: step.afterMs };
  });
  // Stable: at the same moment pages go before the deadline notice, steps in ladder order.
  return points.sort((a, b) => a.dueAt - b.dueAt || Number(a.kind === 'deadline') - Number(b.kind === 'deadline'));
}

export function isLive(point: LadderPoint, status: IncidentStatus): boolean {
  if (status === 'resolved') return false;
  return point.until === 'resolved' || status === 'open';
}

/** The next point the engine must handle: the earliest live one not yet handled. */
export function nextPoint(points: readonly LadderPoint[], status: IncidentStatus, done: ReadonlySet<string>): LadderPoint | undefined {
  return points.find((p) => !done.has(p.id) && isLive(p, status));
}

/** The next page not yet sent, whatever its time. */
export function nextPage(points: readonly LadderPoint[], status: IncidentStatus, done: ReadonlySet<string>): LadderPoint | undefined {
  return points.find((p) => p.kind === 'page' && !done.has(p.id) && isLive(p, status));
}

/**
 * "Escalate now": the first page of the level above the highest one paged so far (a reminder of
 * the current level is not an escalation), whatever its time; the first level when none was paged.
 */
export function nextEscalation(points: readonly LadderPoint[], status: IncidentStatus, done: ReadonlySet<string>): LadderPoint | undefined {
  const pagedSteps = points.filter((p) => p.kind === 'page' && done.has(p.id)).map((p) => p.step!);
  const from = pagedSteps.length > 0 ? Math.max(...pagedSteps) + 1 : 0;
  return points.find((p) => p.kind === 'page' && p.step! >= from && !done.has(p.id) && isLive(p, status));
}

/**
 * After a severity change: points of the new ladder already past. Raising the severity catches
 * up (they fire at once); lowering it does not page again for levels already past, so they count
 * as handled.
 */
export function pointsSkippedOnSeverityChange(points: readonly LadderPoint[], from: Severity, to: Severity, now: number): string[] {
  if (to < from) return [];
  return points.filter((p) => p.dueAt <= now).map((p) => p.id);
}
