// Alerts as an on-call engineer wants them: counted by their severity label, grouped by
// alertname, worst first. Shared by prometheus.alerts (what Prometheus evaluates) and
// alertmanager.alerts (what Alertmanager would notify about).
import type { Status } from '../../report.ts';
import { capLines } from '../http/probe-support.ts';
import { formatDuration, plural } from '../format.ts';
import { redactSecrets } from '../../redact-secrets.ts';

export interface AlertItem {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  state: 'firing' | 'pending';
  /** When it started (Prometheus activeAt, Alertmanager startsAt). */
  since?: string;
  receivers?: string[];
}

/** Severity label values and what they mean for the finding; anything else counts as a warning. */
const CRIT_SEVERITIES = new Set(['critical', 'crit', 'page', 'emergency', 'fatal', 'error', 'high', 'p1', 'sev1']);
const INFO_SEVERITIES = new Set(['info', 'informational', 'none', 'low', 'debug', 'notice']);

export function severityStatus(severity: string | undefined): Status {
  const s = severity?.trim().toLowerCase();
  if (s && CRIT_SEVERITIES.has(s)) return 'crit';
  if (s && INFO_SEVERITIES.has(s)) return 'ok';
  return 'warn';
}

const RANK: Record<Status, number> = { crit: 0, warn: 1, unknown: 2, ok: 3 };
const KEY_LABELS = ['job', 'instance', 'namespace', 'service', 'pod', 'cluster'];
const MAX_LINES = 12;

export interface AlertSummary {
  status: Status;
  /** "1 critical, 2 warning" */
  bySeverity: string;
  firing: number;
  pending: number;
  lines: string[];
  metrics: Record<string, number>;
}

export function summarizeAlerts(alerts: readonly AlertItem[], now: Date): AlertSummary {
  const firing = alerts.filter((a) => a.state === 'firing');
  const pending = alerts.filter((a) => a.state === 'pending');
  const severityCounts = new Map<string, number>();
  let crit = 0;
  let warn = 0;
  for (const a of firing) {
    const sev = severityOf(a);
    severityCounts.set(sev, (severityCounts.get(sev) ?? 0) + 1);
    const st = severityStatus(a.labels.severity);
    if (st === 'crit') crit++;
    else if (st === 'warn') warn++;
  }
  const status: Status = crit > 0 ? 'crit' : warn > 0 ? 'warn' : 'ok';
  const bySeverity = [...severityCounts.entries()]
    .sort((a, b) => RANK[severityStatus(a[0])] - RANK[severityStatus(b[0])] || b[1] - a[1])
    .map(([sev, n]) => `${n} ${sev}`)
    .join(', ');
  const lines = [...groupLines(firing, now, (g) => `${severityOf(g[0]!)} ${alertName(g[0]!)}`)];
  const pendingLines = groupLines(pending, now, (g) => `pending ${alertName(g[0]!)}${g[0]!.labels.severity ? ` (${g[0]!.labels.severity})` : ''}`);
  return {
    status,
    bySeverity,
    firing: firing.length,
    pending: pending.length,
    lines: capLines([...lines, ...pendingLines], MAX_LINES, 'more alert groups'),
    metrics: { firing: firing.length, pending: pending.length, critical: crit, warning: warn, other: firing.length - crit - warn },
  };
}

function severityOf(a: AlertItem): string {
  return a.labels.severity?.trim() || 'no severity';
}

function alertName(a: AlertItem): string {
  return a.labels.alertname || '(no alertname)';
}

/** One line per severity and alertname: count, how long, where, and the summary annotation. */
function groupLines(alerts: readonly AlertItem[], now: Date, head: (group: AlertItem[]) => string): string[] {
  const groups = new Map<string, AlertItem[]>();
  for (const a of alerts) {
    const key = `${severityOf(a)}\u0000${alertName(a)}`;
    const g = groups.get(key);
    if (g) g.push(a);
    else groups.set(key, [a]);
  }
  return [...groups.values()]
    .sort((a, b) => RANK[severityStatus(a[0]!.labels.severity)] - RANK[severityStatus(b[0]!.labels.severity)] || b.length - a.length)
    .map((g) => {
      const first = g[0]!;
      const where = KEY_LABELS.filter((k) => first.labels[k]).slice(0, 3).map((k) => `${k}=${first.labels[k]}`);
      const oldest = g.map((a) => Date.parse(a.since ?? '')).filter((t) => Number.isFinite(t) && t > 0).sort((x, y) => x - y)[0];
      const parts = [`${head(g)}${g.length > 1 ? ` ×${g.length}` : ''}`];
      if (where.length) parts.push(`(${where.join(', ')}${g.length > 1 ? ', ...' : ''})`);
      if (oldest !== undefined) parts.push(`for ${formatDuration((now.getTime() - oldest) / 1000)}`);
      if (first.receivers?.length) parts.push(`-> ${first.receivers.join(', ')}`);
      const text = first.annotations?.summary || first.annotations?.description || first.annotations?.message;
      const runbook = first.annotations?.runbook_url;
      return `${parts.join(' ')}${text ? `: ${oneLine(text)}` : ''}${runbook ? ` (runbook ${runbook})` : ''}`;
    });
}

function oneLine(text: string): string {
  // Masked whole, then cut: a cut never leaves part of a secret.
  const flat = redactSecrets(text).replace(/\s+/g, ' ').trim();
  return flat.length > 140 ? `${flat.slice(0, 140)}...` : flat;
}

export function alertCount(n: number): string {
  return plural(n, 'alert');
}
