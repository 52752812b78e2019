// What changed since the previous digest: new problems, resolved ones, a status that got worse or
// better, a metric that moved a lot (connections 40% -> 85%), targets added or gone. Pure: the
// caller gives the previous digest's reports (ReportHistory.previousRun) and the current ones.
import { statusRank, type Finding, type Report, type Status } from '../report.ts';

export type DigestChangeKind =
  | 'new_problem' | 'worse' | 'better' | 'resolved' | 'metric_moved' | 'target_added' | 'target_gone';

export interface MetricMove {
  metric: string;
  from: number;
  to: number;
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
  /** One line for a human: "db: new crit: Connections 190/200 (95%) (pct 40% -> 95%)". */
  text: string;
}

export interface DigestChanges {
  /** No previous report at all: nothing to compare, `changes` is empty. */
  firstDigest: boolean;
  /** Most important first. */
  changes: DigestChange[];
}

/** How a metric is judged to have moved a lot; undefined: never reported. */
export type MetricRule =
  | { kind: 'percent'; points: number }
  | { kind: 'relative'; factor: number; minDelta: number };

export interface DigestChangeOptions {
  /** A percentage metric (`pct`, `*_pct`) moved when it changed by at least this many points. Default 20. */
  percentPoints?: number;
  /** Another metric moved when the larger value is at least `factor` times the smaller. Default 2. */
  factor?: number;
  /** ...and the two differ by at least this much (keeps 0 -> 1 or 3 ms -> 7 ms quiet). Default 10. */
  minDelta?: number;
  /**
   * The rule of a metric, overriding the defaults above; return undefined to ignore it. The default
   * treats `pct`/`*_pct`/`*_percent` as percentages, ignores ids, versions, status codes and
   * cumulative totals (`*_pid`, `*_num`, `*_total`, `status`, `role_*`) and judges the rest relatively.
   */
  metricRule?: (check: string, metric: string, defaults: DefaultRules) => MetricRule | undefined;
}

export interface DefaultRules {
  percent: MetricRule;
  relative: MetricRule;
  /** The default choice for this metric, built from the options. */
  fallback: MetricRule | undefined;
}

const PERCENT = /(^|_)(pct|percent)$/;
const IGNORED = /(^|_)pid$|_num$|_total$|^status$|^role_/;

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
  const ruleFor = ruleChooser(options);

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
      const moves = old ? metricMoves(check, old, f, ruleFor) : [];
      const status = statusChange(report.target, check, old, f, moves);
      if (status) add(status, order++);
      else if (moves.length > 0) {
        add({
          kind: 'metric_moved', target: report.target, check, status: f.status, previousStatus: old?.status,
          title: f.title, moves: moves.map((m) => m.move),
          text: `${report.target}: ${shortCheck(check)} ${moves.map((m) => moveText(m.move, m.rule)).join(', ')}`,
        }, order++, moves[0]?.weight ?? 0);
      }
    }
    for (const [check, old] of oldFindings) {
      if (newFindings.has(check) || old.status === 'ok') continue;
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
    case 'metric_moved': return 6;
    case 'better': return 7;
    case 'resolved': return 8;
    case 'target_gone': return 9;
    case 'target_added': return 10;
  }
}

function statusChange(target: string, check: string, old: Finding | undefined, f: Finding, moves: JudgedMove[]): DigestChange | undefined {
  const was = old?.status ?? 'ok';
  if (was === f.status) return undefined;
  const suffix = moves[0] ? ` (${moveText(moves[0].move, moves[0].rule)})` : '';
  const base = { target, check, status: f.status, previousStatus: old?.status, title: f.title, ...(moves.length ? { moves: moves.map((m) => m.move) } : {}) };
  if (was === 'ok') {
    return { kind: 'new_problem', ...base, text: `${target}: new ${f.status}: ${f.title}${suffix}` };
  }
  if (f.status === 'ok') {
    return { kind: 'resolved', ...base, text: `${target}: resolved (was ${was}): ${f.title}${suffix}` };
  }
  const kind = statusRank(f.status) > statusRank(was) ? 'worse' : 'better';
  return { kind, ...base, text: `${target}: ${was} -> ${f.status}: ${f.title}${suffix}` };
}

interface JudgedMove {
  move: MetricMove;
  rule: MetricRule;
  /** How far past its threshold, to rank moves: 1 = just at it. */
  weight: number;
}

function metricMoves(check: string, old: Finding, f: Finding, ruleFor: (check: string, metric: string) => MetricRule | undefined): JudgedMove[] {
  const out: JudgedMove[] = [];
  for (const [metric, to] of Object.entries(f.metrics ?? {})) {
    const from = old.metrics?.[metric];
    if (from === undefined || !Number.isFinite(from) || !Number.isFinite(to) || from === to) continue;
    const rule = ruleFor(check, metric);
    if (!rule) continue;
    const weight = moveWeight(from, to, rule);
    if (weight >= 1) out.push({ move: { metric, from, to }, rule, weight });
  }
  return out.sort((a, b) => b.weight - a.weight);
}

function moveWeight(from: number, to: number, rule: MetricRule): number {
  const delta = Math.abs(to - from);
  if (rule.kind === 'percent') return delta / rule.points;
  if (delta < rule.minDelta) return 0;
  const lo = Math.min(Math.abs(from), Math.abs(to));
  const hi = Math.max(Math.abs(from), Math.abs(to));
  // From or to zero (or across it): as big as a move gets; otherwise how many "factors" it moved.
  if (lo === 0 || Math.sign(from) !== Math.sign(to)) return Number.MAX_VALUE;
  return Math.log(hi / lo) / Math.log(rule.factor);
}

function ruleChooser(options: DigestChangeOptions): (check: string, metric: string) => MetricRule | undefined {
  const percent: MetricRule = { kind: 'percent', points: options.percentPoints ?? 20 };
  const relative: MetricRule = { kind: 'relative', factor: options.factor ?? 2, minDelta: options.minDelta ?? 10 };
  if (percent.points <= 0 || relative.factor <= 1 || relative.minDelta < 0) {
    throw new RangeError('digestChanges: percentPoints must be > 0, factor > 1 and minDelta >= 0');
  }
  return (check, metric) => {
    const fallback = IGNORED.test(metric) ? undefined : PERCENT.test(metric) ? percent : relative;
    return options.metricRule ? options.metricRule(check, metric, { percent, relative, fallback }) : fallback;
  };
}

function moveText(m: MetricMove, rule: MetricRule): string {
  const unit = rule.kind === 'percent' ? '%' : '';
  return `${m.metric} ${num(m.from)}${unit} -> ${num(m.to)}${unit}`;
}

function num(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return String(Math.round(n * 100) / 100);
}

/** `postgres.connections` -> `connections`: the target already says which kind it is. */
function shortCheck(check: string): string {
  const dot = check.indexOf('.');
  return dot >= 0 ? check.slice(dot + 1) : check;
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
