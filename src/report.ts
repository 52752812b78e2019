// The neutral result every probe produces and every renderer (Block Kit, terminal, JSON) consumes.

export type Status = 'ok' | 'warn' | 'crit' | 'unknown';

/** What a button will do: an action id from the action catalogue and its parameters. */
export interface Remedy {
  action: string;
  label: string;
  params: Record<string, string | number>;
}

export interface Finding {
  /** Stable id, `<kind>.<check>`, e.g. `postgres.connections`. */
  check: string;
  status: Status;
  /** One line a human reads: "Connections 182/200 (91%)". */
  title: string;
  /** A few lines more: top offenders, the query, the table. */
  detail?: string;
  metrics?: Record<string, number>;
  remedies?: Remedy[];
  /** Id of the runbook in runbooks/ that explains this finding. */
  runbook?: string;
}

export interface Report {
  target: string;
  kind: string;
  status: Status;
  startedAt: string;
  durationMs: number;
  findings: Finding[];
}

/** The reports of several targets diagnosed together (`/diag all`). */
export interface ReportSet {
  status: Status;
  startedAt: string;
  durationMs: number;
  /** Worst first; within a status, in configuration order. */
  reports: Report[];
}

/** Severity order used for sorting and for the overall status: crit > warn > unknown > ok. */
const RANK: Record<Status, number> = { crit: 3, warn: 2, unknown: 1, ok: 0 };

export function statusRank(status: Status): number {
  return RANK[status];
}

export function worstStatus(statuses: Iterable<Status>): Status {
  let worst: Status = 'ok';
  for (const s of statuses) if (RANK[s] > RANK[worst]) worst = s;
  return worst;
}

/** Findings sorted worst first; the sort is stable so probes control the order within a status. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => RANK[b.status] - RANK[a.status]);
}

/** Monitoring-plugin exit codes: 0 ok, 1 warn, 2 crit, 3 unknown. */
export function exitCodeFor(status: Status): number {
  return { ok: 0, warn: 1, crit: 2, unknown: 3 }[status];
}

export function buildReport(target: string, kind: string, startedAt: Date, findings: Finding[]): Report {
  return {
    target,
    kind,
    status: worstStatus(findings.map((f) => f.status)),
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    findings: sortFindings(findings),
  };
}

export function buildReportSet(startedAt: Date, reports: Report[]): ReportSet {
  return {
    status: worstStatus(reports.map((r) => r.status)),
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    reports: [...reports].sort((a, b) => RANK[b.status] - RANK[a.status]),
  };
}
