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
  /**
   * How to fix it, in full, without a "Fix:" prefix: shown on its own line after the detail (never
   * inside a code block) and never cut.
   */
  fix?: string;
  /**
   * The finding names the root cause of other findings of the report (the session holding the lock
   * the others wait on): the report opens with it, and its buttons are the report's fix.
   */
  rootCause?: boolean;
  /**
   * What the root cause does to others, one line each ("pid 4242 (api) waits on it for 2 min"),
   * listed under it. Effects have no buttons of their own.
   */
  effects?: string[];
  /**
   * Ids of the checks whose findings this one took in (their facts, effects and metrics): those
   * checks have no finding of their own in the report, and are neither ok nor resolved.
   */
  merged?: string[];
  /**
   * The bot's own configuration is the problem (a variable not set, a kube context that does not
   * exist, a host name that does not resolve), not the system's health: always `unknown`, counted
   * apart ("bot configuration: 2 problems"), never crit and never a "Declare incident" button.
   */
  config?: boolean;
}

export interface Report {
  target: string;
  kind: string;
  /** Which server the target points at, without credentials ("db.internal:5432/app"), when the kind knows. */
  endpoint?: string;
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

/**
 * Findings sorted root cause first, then worst first; the sort is stable so probes control the
 * order within a status.
 */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => Number(b.rootCause ?? false) - Number(a.rootCause ?? false) || RANK[b.status] - RANK[a.status]);
}

/** The status a report or a set gets from its findings: a configuration problem is never the system's status. */
function statusOf(findings: readonly Finding[]): Status {
  const own = findings.filter((f) => !f.config);
  return own.length === 0 && findings.length > 0 ? 'unknown' : worstStatus(own.map((f) => f.status));
}

/**
 * The finding that speaks for a check in a report: its own, or the root cause that took it in.
 * Digests and trend charts read a check's status and metrics through this.
 */
export function findingOfCheck(report: Pick<Report, 'findings'>, check: string): Finding | undefined {
  return report.findings.find((f) => f.check === check) ?? report.findings.find((f) => f.merged?.includes(check));
}

/** True when every finding of the report is about the bot's own configuration. */
export function isConfigProblem(report: Report): boolean {
  return report.findings.length > 0 && report.findings.every((f) => f.config);
}

/**
 * The findings as a report holds them: a configuration finding is `unknown`, and a remedy offered
 * twice (the same action with the same parameters, as when two checks blame one pid) stays only
 * on the first finding that offers it, in report order.
 */
function normaliseFindings(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return sortFindings(findings.map((f) => (f.config && f.status !== 'unknown' ? { ...f, status: 'unknown' as const } : f))).map((f) => {
    if (!f.remedies?.length) return f;
    const remedies = f.remedies.filter((r) => {
      const key = JSON.stringify([r.action, Object.entries(r.params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    if (remedies.length === f.remedies.length) return f;
    const { remedies: _dropped, ...rest } = f;
    return remedies.length > 0 ? { ...rest, remedies } : rest;
  });
}

/** Monitoring-plugin exit codes: 0 ok, 1 warn, 2 crit, 3 unknown. */
export function exitCodeFor(status: Status): number {
  return { ok: 0, warn: 1, crit: 2, unknown: 3 }[status];
}

export function buildReport(target: string, kind: string, startedAt: Date, findings: Finding[], endpoint?: string): Report {
  const normalised = normaliseFindings(findings);
  return {
    target,
    kind,
    ...(endpoint !== undefined && endpoint !== '' && { endpoint }),
    status: statusOf(normalised),
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    findings: normalised,
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
