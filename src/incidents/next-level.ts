// The next level that will be paged if nobody acts: for the page text and the incident message.
import { isLive, ladderPoints } from './escalation-plan.ts';
import { currentLadder, type Incident } from './incident.ts';
import type { NextStep } from './next-step-line.ts';

export function nextLevel(incident: Incident, now: Date): { next?: NextStep } {
  const points = ladderPoints(currentLadder(incident), incident.declaredAt);
  const done = new Set(incident.donePoints);
  const upcoming = points.find((p) => p.kind === 'page' && !done.has(p.id) && isLive(p, incident.status) && p.dueAt > now.getTime() && p.attempt === 0);
  return upcoming ? { next: { label: upcoming.label, at: new Date(upcoming.dueAt), until: upcoming.until } } : {};
}
