// A notification applied to what a group's message shows. Notifications may arrive in any order
// (retries, two Alertmanagers, replicas), so each alert keeps its latest known state, ordered by
// the alert's own times: a later start is a later firing, and at the same start a resolution comes
// after the firing. An older firing can then never turn a resolved alert, or group, back.
import type { AlertNotification, AlertStatus, ReceivedAlert } from './alertmanager-payload.ts';

/** At most this many alerts are kept per group (firing first, newest first); the rest are counted (dropped). */
export const MAX_KEPT_ALERTS = 200;

export interface GroupAlerts {
  /** Fingerprint -> the alert as last known. */
  alerts: Record<string, ReceivedAlert>;
  /** The latest point (see snapshotPoint) of a notification applied; ISO 8601. */
  point: string;
  /** Alerts the latest notification left out (Alertmanager's truncatedAlerts: max_alerts). */
  truncated?: number;
  /** Alerts beyond MAX_KEPT_ALERTS, dropped from the list at the last merge. */
  dropped?: number;
}

/** How many alerts of the group the message cannot list: left out by Alertmanager, or beyond what is kept. */
export function unlistedAlerts(g: Pick<GroupAlerts, 'truncated' | 'dropped'>): number {
  return (g.truncated ?? 0) + (g.dropped ?? 0);
}

export interface Merged extends GroupAlerts {
  status: AlertStatus;
  changed: boolean;
}

export function mergeNotification(before: GroupAlerts | undefined, n: AlertNotification): Merged {
  const alerts: Record<string, ReceivedAlert> = { ...(before?.alerts ?? {}) };
  const point = snapshotPoint(n);
  for (const a of n.alerts) {
    const known = alerts[a.fingerprint];
    // An alert the group does not know, from a notification older than what the group shows, has
    // most likely left the group since (resolved and dropped): it is not brought back.
    if (!known && before && point < before.point) continue;
    if (!known || compareAlerts(a, known) > 0) alerts[a.fingerprint] = a;
  }
  // Alertmanager cut the list (max_alerts) before it wrote the status: the alerts not listed are
  // still in the group, in a state the notification does not say, so none is dropped and the
  // group is not said resolved on its word.
  const cut = n.truncatedAlerts > 0;
  // A notification lists the group's alerts; one it leaves out has left the group (Alertmanager
  // drops an alert once its resolution was sent). Only a strictly newer notification says so: an
  // older or equally recent one may simply predate the alert.
  if (before && point > before.point && !cut) {
    const listed = new Set(n.alerts.map((a) => a.fingerprint));
    for (const fp of Object.keys(alerts)) if (!listed.has(fp)) delete alerts[fp];
  }
  const kept = keep(alerts);
  // The count left out is the newest notification's: an older one's says nothing of now.
  const truncated = before && point < before.point ? (before.truncated ?? 0) : n.truncatedAlerts;
  const dropped = Object.keys(alerts).length - Object.keys(kept).length;
  const status: AlertStatus = cut || Object.values(kept).some((a) => a.status === 'firing') ? 'firing' : 'resolved';
  const changed = !before || JSON.stringify(sorted(before.alerts)) !== JSON.stringify(sorted(kept)) || unlistedAlerts(before) !== truncated + dropped;
  return { alerts: kept, point: before && before.point > point ? before.point : point, truncated, dropped, status, changed };
}

/** >0 when `a` is later than `b`: a later start, or the same start resolved (later end first). */
export function compareAlerts(a: ReceivedAlert, b: ReceivedAlert): number {
  if (a.startsAt !== b.startsAt) return a.startsAt > b.startsAt ? 1 : -1;
  const rank = (x: ReceivedAlert) => (x.status === 'resolved' ? 1 : 0);
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  if ((a.endsAt ?? '') !== (b.endsAt ?? '')) return (a.endsAt ?? '') > (b.endsAt ?? '') ? 1 : -1;
  return 0;
}

/** When a notification was true: its latest start or end (ISO strings compare as times). */
export function snapshotPoint(n: Pick<AlertNotification, 'alerts'>): string {
  let point = '';
  for (const a of n.alerts) {
    const t = a.status === 'resolved' && a.endsAt ? a.endsAt : a.startsAt;
    if (t > point) point = t;
  }
  return point;
}

function keep(alerts: Record<string, ReceivedAlert>): Record<string, ReceivedAlert> {
  const all = Object.values(alerts);
  if (all.length <= MAX_KEPT_ALERTS) return alerts;
  all.sort((a, b) => (a.status === b.status ? (a.startsAt < b.startsAt ? 1 : -1) : a.status === 'firing' ? -1 : 1));
  return Object.fromEntries(all.slice(0, MAX_KEPT_ALERTS).map((a) => [a.fingerprint, a]));
}

function sorted(alerts: Record<string, ReceivedAlert>): ReceivedAlert[] {
  return Object.keys(alerts).sort().map((k) => alerts[k]!);
}
