// What changed since the previous digest: new problems, resolved ones, a status that got worse or
// better, a metric a person acts on that moved a lot (connections 45% → 91%, cache hit 99.5% →
// 97.1%: only the metrics of DIGEST_METRICS), targets added or gone. Pure: the caller gives the
// previous digest's reports (ReportHistory.previousRun) and the current ones.
import { formatCount, formatDuration, formatMs } from '../probes/format.ts';
import { findingOfCheck, statusRank, type Finding, type Report, type Status } from '../report.ts';
import { DIGEST_METRICS, type DigestMetric } from './digest-metrics.ts';

export type DigestChangeKind =
  | 'new_problem' | 'worse' | 'better' | 'resolved' | 'metric_moved' | 'target_added' | 'target_gone';

export interface MetricMove {
  /** The key in the finding's metrics. */
  metric: string;
  /** The allow-list's words for it (DIGEST_METRICS): "cache hit". */
  label: string;
  from: number;
  to: number;
  /** Moved the way that is worse. */
  worse: boolean;
}

export interface DigestChange {
  kind: DigestChangeKind;
  target: string;
  /** The finding's check id (`postgres.connections`); absent for target_added / target_gone. */
  check?: string;
  /** Status now; for target_gone and for a resolved finding that is no longer reported, undefined. */
  status?: Status;
  /** Status in the previous digest; undefined when the finding or the target was absent. */
  previousStatus?: Status;
  /** The finding's title now, or the previous one when it is no longer reported. */
  title?: string;
  /** metric_moved: the moves of that check, biggest first; a status change lists the moves of its check too. */
  moves?: MetricMove[];
  /** One line for a human: "db: new crit: Connections 190/200 (95%) (connections 40% → 95%)". */
  text: string;
}

export interface DigestChanges {
  /** No previous report at all: nothing to compare, `changes` is empty. */
  firstDigest: boolean;
  /** Most important first. */
  changes: DigestChange[];
}

export interface DigestChangeOptions {
  /** The metrics a move of which is listed; default DIGEST_METRICS. Any other metric is never named. */
  metrics?: readonly DigestMetric[];
}

/**
 * Changes between the previous digest's reports and the current ones. `previous` undefined (or
 * without any report) is the first digest: nothing to compare, `firstDigest` true and no change.
 * Entries of `previous` may be undefined (a target without an earlier report); a target absent
 * from `previous` is `target_added`, one absent from `current` is `target_gone`.
 */
export function digestChanges(
  previous: readonly (Report | undefined)[] | undefined,
  current: readonly Report[],
  options: DigestChangeOptions = {},
): DigestChanges {
  const before = latestByTarget((previous ?? []).filter((r): r is Report => r !== undefined));
  if (before.size === 0) return { firstDigest: true, changes: [] };
  const now = latestByTarget(current);
  const allowed = allowList(options.metrics ?? DIGEST_METRICS);

  const ranked: Array<{ change: DigestChange; group: number; order: number; weight: number }> = [];
  const add = (change: DigestChange, order: number, weight = 0) =>
    ranked.push({ change, group: groupOf(change), order, weight });

  let order = 0;
  for (const report of now.values()) {
    const was = before.get(report.target);
    if (!was) {
      const worst = report.findings.reduce<Finding | undefined>((w, f) => (!w || statusRank(f.status) > statusRank(w.status) ? f : w), undefined);
      add({
        kind: 'target_added', target: report.target, status: report.status,
        text: `${report.target}: new target, ${report.status}${worst && worst.status !== 'ok' ? `: ${worst.title}` : ''}`,
      }, order++);
      continue;
    }
    const oldFindings = byCheck(was.findings);
    const newFindings = byCheck(report.findings);
    for (const [check, f] of newFindings) {
      const old = oldFindings.get(check);
      const moves = old ? metricMoves(old, f, allowed.get(check) ?? []) : [];
      const status = statusChange(report.target, check, old, f, moves);
      if (status) add(status, order++);
      else if (moves.length > 0) {
        add({
          kind: 'metric_moved', target: report.target, check, status: f.status, previousStatus: old?.status,
          title: f.title, moves: moves.map((m) => m.move),
          text: `${report.target}: ${moves.map((m) => m.text).join(', ')}`,
        }, order++, moves[0]?.weight ?? 0);
      }
    }
    for (const [check, old] of oldFindings) {
      // A check a root cause took in is part of that finding's story, not resolved.
      if (old.status === 'ok' || findingOfCheck(report, check)) continue;
      add({
        kind: 'resolved', target: report.target, check, previousStatus: old.status, title: old.title,
        text: `${report.target}: resolved (was ${old.status}, no longer reported): ${old.title}`,
      }, order++);
    }
  }
  for (const was of before.values()) {
    if (now.has(was.target)) continue;
    add({
      kind: 'target_gone', target: was.target, previousStatus: was.status,
      text: `${was.target}: no longer in the digest (was ${was.status})`,
    }, order++);
  }

  ranked.sort((a, b) => a.group - b.group || b.weight - a.weight || a.order - b.order);
  return { firstDigest: false, changes: ranked.map((r) => r.change) };
}

/** Most important first: problems by severity, big metric moves, improvements, then the roster. */
function groupOf(c: DigestChange): number {
  switch (c.kind) {
    case 'new_problem':
    case 'worse':
      // crit 0, warn 1, unknown 2; a new problem before a worsening of the same severity.
      return (3 - statusRank(c.status ?? 'unknown')) * 2 + (c.kind === 'new_problem' ? 0 : 1);
    // A metric that moved the worse way before one that got better.
    case 'metric_moved': return c.moves?.some((m) => m.worse) ? 6 : 7;
    case 'better': return 7;
    case 'resolved': return 8;
    case 'target_gone': return 9;
    case 'target_added': return 10;
  }
}

function statusChange(target: string, check: string, old: Finding | undefined, f: Finding, moves: JudgedMove[]): DigestChange | undefined {
  const was = old?.status ?? 'ok';
  if (was === f.status) return undefined;
  const suffix = moves[0] ? ` (${moves[0].text})` : '';
  const base = { target, check, status: f.status, previousStatus: old?.status, title: f.title, ...(moves.length ? { moves: moves.map((m) => m.move) } : {}) };
  if (was === 'ok') {
    return { kind: 'new_problem', ...base, text: `${target}: new ${f.status}: ${f.title}${suffix}` };
  }
  if (f.status === 'ok') {
    return { kind: 'resolved', ...base, text: `${target}: resolved (was ${was}): ${f.title}${suffix}` };
  }
  const kind = statusRank(f.status) > statusRank(was) ? 'worse' : 'better';
  return { kind, ...base, text: `${target}: ${was} → ${f.status}: ${f.title}${suffix}` };
}

interface JudgedMove {
  move: MetricMove;
  /** "cache hit 99.5% → 97.1%" */
  text: string;
  /** How far past its threshold, to rank moves: 1 = just at it. */
  weight: number;
}

/** The allowed metrics of one check that moved enough, biggest move first. */
function metricMoves(old: Finding, f: Finding, allowed: readonly DigestMetric[]): JudgedMove[] {
  const out: JudgedMove[] = [];
  for (const m of allowed) {
    const from = old.metrics?.[m.metric];
    const to = f.metrics?.[m.metric];
    if (from === undefined || to === undefined || !Number.isFinite(from) || !Number.isFinite(to)) continue;
    const [a, b] = [formatMetric(from, m.unit), formatMetric(to, m.unit)];
    // Moves too small to show in the unit's own precision are no move.
    if (a === b) continue;
    const weight = moveWeight(from, to, m);
    if (weight < 1) continue;
    const worse = m.worse === 'up' ? to > from : to < from;
    out.push({ move: { metric: m.metric, label: m.label, from, to, worse }, text: `${m.label} ${a} → ${b}`, weight });
  }
  // Worse moves first, then the biggest.
  return out.sort((x, y) => Number(y.move.worse) - Number(x.move.worse) || y.weight - x.weight);
}

function moveWeight(from: number, to: number, m: DigestMetric): number {
  const delta = Math.abs(to - from);
  if ('points' in m.moved) return delta / m.moved.points;
  if (delta < m.moved.minDelta) return 0;
  const lo = Math.min(Math.abs(from), Math.abs(to));
  const hi = Math.max(Math.abs(from), Math.abs(to));
  // From or to zero (or across it): as big as a move gets; otherwise how many "factors" it moved.
  if (lo === 0 || Math.sign(from) !== Math.sign(to)) return Number.MAX_VALUE;
  return Math.log(hi / lo) / Math.log(m.moved.factor);
}

/** The allow-list by check id, each entry checked: a move rule that can never or always fire is refused. */
function allowList(metrics: readonly DigestMetric[]): Map<string, DigestMetric[]> {
  const map = new Map<string, DigestMetric[]>();
  for (const m of metrics) {
    const bad = 'points' in m.moved
      ? (m.moved.points > 0 ? undefined : `points must be > 0, got ${m.moved.points}`)
      : m.moved.factor > 1 && m.moved.minDelta >= 0 ? undefined : `factor must be > 1 and minDelta >= 0, got factor ${m.moved.factor}, minDelta ${m.moved.minDelta}`;
    if (bad) throw new RangeError(`digest metric ${m.check} ${m.metric}: ${bad}`);
    map.set(m.check, [...(map.get(m.check) ?? []), m]);
  }
  return map;
}

/** A value in its unit, as the change line shows it: "97.1%", "480 ms", "5 min", "1,200", "9 days", "1.85". */
function formatMetric(v: number, unit: DigestMetric['unit']): string {
  switch (unit) {
    case '%': return `${round(v, 1)}%`;
    case 'ms': return formatMs(v);
    case 's': return formatDuration(v);
    case 'count': return formatCount(v);
    case 'days': return `${round(v, 0)} ${round(v, 0) === 1 ? 'day' : 'days'}`;
    case 'ratio': return String(round(v, 2));
  }
}

function round(v: number, decimals: number): number {
  const f = 10 ** decimals;
  const r = Math.round(v * f) / f;
  return Object.is(r, -0) ? 0 : r;
}

/** One report per target; with several, the latest. */
function latestByTarget(reports: readonly Report[]): Map<string, Report> {
  const map = new Map<string, Report>();
  for (const r of reports) {
    const had = map.get(r.target);
    if (!had || Date.parse(r.startedAt) >= Date.parse(had.startedAt)) map.set(r.target, r);
  }
  return map;
}

/** Findings by check id; a repeated check keeps its first (worst, as reports sort them) finding. */
function byCheck(findings: readonly Finding[]): Map<string, Finding> {
  const map = new Map<string, Finding>();
  for (const f of findings) if (!map.has(f.check)) map.set(f.check, f);
  return map;
}
