// Stored reports: what the previous digest said, a target's findings over the last days, the
// series of one metric for a chart, a digest's "Details" button, and retention. Findings are kept
// small: check, status, title, metrics, runbook and a capped detail (no remedies).
import type pg from 'pg';
import type { Finding, Report, Status } from '../report.ts';
import { maskSecrets } from '../security/mask-secrets.ts';

/** A stored finding: what a digest compares and a chart plots. */
export type StoredFinding = Pick<Finding, 'check' | 'status' | 'title' | 'metrics' | 'detail' | 'runbook'>;

export interface StoredReport extends Report {
  id: number;
  /** Who stored it: `digest:<name>`, `diag`, ... */
  source: string;
  /** When the run that stored it was recorded; the same for every report of one `record` call. */
  runAt: Date;
  findings: StoredFinding[];
}

export interface StoredRun {
  runAt: Date;
  /** In the order they were recorded. */
  reports: StoredReport[];
}

export interface MetricPoint {
  at: Date;
  value: number;
}

export interface RecordOptions {
  /** Identifies the run (a digest's scheduled time); default: the database's now(). */
  runAt?: Date;
}

/** Longest title kept; titles are one line, this only guards against a runaway one. */
const MAX_TITLE = 300;
/** Enough for the top offenders a finding lists; keeps a month of digests small. */
const MAX_DETAIL = 2_000;

const COLUMNS = 'id, target, kind, status, started_at, duration_ms, source, run_at, findings';

interface Row {
  id: string;
  target: string;
  kind: string;
  status: Status;
  started_at: Date;
  duration_ms: number;
  source: string;
  run_at: Date;
  findings: StoredFinding[];
}

export class ReportHistory {
  readonly #pool: pg.Pool;
  readonly #secrets: readonly string[];

  /** `secrets` (configSecrets) are masked, with the generic patterns, in every stored title and detail. */
  constructor(pool: pg.Pool, options: { secrets?: readonly string[] } = {}) {
    this.#pool = pool;
    this.#secrets = options.secrets ?? [];
  }

  /** Stores the reports of one run in one statement; returns the id of each target's stored report. */
  async record(reports: readonly Report[], source: string, options: RecordOptions = {}): Promise<Map<string, number>> {
    if (reports.length === 0) return new Map();
    const rows = reports.map((r) => ({
      target: r.target,
      kind: r.kind,
      status: r.status,
      started_at: r.startedAt,
      duration_ms: Math.max(0, Math.min(2_147_483_647, Math.round(r.durationMs))),
      findings: r.findings.map((f) => storedFinding(f, this.#secrets)),
    }));
    const inserted = await this.#pool.query<{ id: string; target: string }>(
      `INSERT INTO report_history (target, kind, status, started_at, duration_ms, source, run_at, findings)
       SELECT t.target, t.kind, t.status, t.started_at, t.duration_ms, $2, coalesce($3::timestamptz, now()), t.findings
       FROM jsonb_to_recordset($1::jsonb)
         AS t(target text, kind text, status text, started_at timestamptz, duration_ms integer, findings jsonb)
       RETURNING id, target`,
      [JSON.stringify(rows), source, options.runAt ?? null]);
    return new Map(inserted.rows.map((r) => [r.target, Number(r.id)]));
  }

  /** One stored report, for a "Details" button. */
  async byId(id: number): Promise<StoredReport | undefined> {
    const { rows } = await this.#pool.query<Row>(`SELECT ${COLUMNS} FROM report_history WHERE id = $1`, [id]);
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  /** The latest report of a target that started before `before`, from one source when given. */
  async previous(target: string, before: Date, source?: string): Promise<StoredReport | undefined> {
    const { rows } = source === undefined
      ? await this.#pool.query<Row>(
        `SELECT ${COLUMNS} FROM report_history WHERE target = $1 AND started_at < $2
         ORDER BY started_at DESC, id DESC LIMIT 1`, [target, before])
      : await this.#pool.query<Row>(
        `SELECT ${COLUMNS} FROM report_history WHERE target = $1 AND source = $3 AND started_at < $2
         ORDER BY started_at DESC, id DESC LIMIT 1`, [target, before, source]);
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  /** `previous` for several targets in one query; targets without one are absent from the map. */
  async previousMany(targets: readonly string[], before: Date, source?: string): Promise<Map<string, StoredReport>> {
    if (targets.length === 0) return new Map();
    const sourceFilter = source === undefined ? '' : 'AND h.source = $3';
    const { rows } = await this.#pool.query<Row>(
      `SELECT h.* FROM unnest($1::text[]) AS t(target)
       CROSS JOIN LATERAL (
         SELECT ${COLUMNS} FROM report_history h
         WHERE h.target = t.target AND h.started_at < $2 ${sourceFilter}
         ORDER BY h.started_at DESC, h.id DESC LIMIT 1) h`,
      source === undefined ? [[...targets], before] : [[...targets], before, source]);
    return new Map(rows.map((r) => [r.target, fromRow(r)]));
  }

  /**
   * The reports of the latest run of a source recorded before `before` (the previous digest,
   * every target it covered), or undefined when there was none (the first digest).
   */
  async previousRun(source: string, before: Date): Promise<StoredRun | undefined> {
    const { rows } = await this.#pool.query<Row>(
      `SELECT ${COLUMNS} FROM report_history
       WHERE source = $1 AND run_at = (SELECT max(run_at) FROM report_history WHERE source = $1 AND run_at < $2)
       ORDER BY id`, [source, before]);
    return rows[0] ? { runAt: rows[0].run_at, reports: rows.map(fromRow) } : undefined;
  }

  /** The reports of a target that started at or after `since`, oldest first. */
  async since(target: string, since: Date, source?: string): Promise<StoredReport[]> {
    const { rows } = source === undefined
      ? await this.#pool.query<Row>(
        `SELECT ${COLUMNS} FROM report_history WHERE target = $1 AND started_at >= $2
         ORDER BY started_at, id`, [target, since])
      : await this.#pool.query<Row>(
        `SELECT ${COLUMNS} FROM report_history WHERE target = $1 AND source = $3 AND started_at >= $2
         ORDER BY started_at, id`, [target, since, source]);
    return rows.map(fromRow);
  }

  /**
   * One metric of one check of a target since `since`, oldest first: picked out of the stored
   * findings by the database. Reports where the check or the metric is missing give no point.
   */
  async metricSeries(target: string, check: string, metric: string, since: Date): Promise<MetricPoint[]> {
    const { rows } = await this.#pool.query<{ at: Date; value: number }>(
      `SELECT h.started_at AS at, (f.value -> 'metrics' ->> $3)::float8 AS value
       FROM report_history h CROSS JOIN LATERAL jsonb_array_elements(h.findings) AS f(value)
       WHERE h.target = $1 AND h.started_at >= $4
         AND f.value ->> 'check' = $2
         AND jsonb_typeof(f.value -> 'metrics' -> $3) = 'number'
       ORDER BY h.started_at, h.id`, [target, check, metric, since]);
    return rows.map((r) => ({ at: r.at, value: Number(r.value) }));
  }

  /** Deletes the reports that started more than `olderThanDays` days ago; returns how many. */
  async prune(olderThanDays: number): Promise<number> {
    if (!Number.isFinite(olderThanDays) || olderThanDays < 0) {
      throw new RangeError(`prune: olderThanDays must be a number of days >= 0, not ${olderThanDays}`);
    }
    const { rowCount } = await this.#pool.query(
      `DELETE FROM report_history WHERE started_at < now() - $1::float8 * interval '1 day'`, [olderThanDays]);
    return rowCount ?? 0;
  }
}

function storedFinding(f: Finding, secrets: readonly string[]): StoredFinding {
  const out: StoredFinding = {
    check: f.check,
    status: f.status,
    title: maskThenCut(f.title, MAX_TITLE, secrets),
  };
  if (f.detail) out.detail = maskThenCut(f.detail, MAX_DETAIL, secrets);
  if (f.runbook) out.runbook = f.runbook;
  if (f.metrics) {
    // JSON has no NaN or Infinity: drop them rather than store null.
    const metrics = Object.fromEntries(Object.entries(f.metrics).filter(([, v]) => Number.isFinite(v)));
    if (Object.keys(metrics).length > 0) out.metrics = metrics;
  }
  return out;
}

/** Masked whole first, then cut: a cut never leaves part of a secret. */
function maskThenCut(text: string, max: number, secrets: readonly string[]): string {
  const masked = maskSecrets(text, secrets);
  return masked.length > max ? `${masked.slice(0, max - 1)}…` : masked;
}

function fromRow(r: Row): StoredReport {
  return {
    id: Number(r.id),
    target: r.target,
    kind: r.kind,
    status: r.status,
    startedAt: r.started_at.toISOString(),
    durationMs: r.duration_ms,
    source: r.source,
    runAt: r.run_at,
    findings: r.findings,
  };
}
