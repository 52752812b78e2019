// The display model of `/diag all`: one line per target with its worst finding, worst first. As
// for single reports, what is left out to fit is decided here against the caller's Budget (with
// UNLIMITED_BUDGET, the default, nothing is).
import { UNLIMITED_BUDGET, type Budget } from '../message/budget.ts';
import { isConfigProblem, sortFindings, type Report, type ReportSet, type Status } from '../report.ts';
import { cutText, formatElapsedMs, plural } from './display-report.ts';

/** Characters of one target's line, under a limited budget. */
const MAX_SUMMARY_LINE_CHARS = 240;
/** Characters of a target's name and of its kind in its line, under a limited budget. */
const MAX_TARGET_CHARS = 60;
const MAX_KIND_CHARS = 16;
/** Characters of the folded "N ok: a, b, ..." line, under a limited budget. */
const MAX_OK_TARGETS_CHARS = 1000;
/** Target lines in one section at most (fewer when the budget's section cannot hold that many). */
const LINES_PER_SECTION = 8;
/** Room a renderer may add around each line (status emoji, bold name, kind, duration, separators). */
const LINE_FRAME_CHARS = 56;
/** A target's line at its longest under a limited budget, with what a renderer adds. */
const MAX_LINE_WITH_FRAME = MAX_SUMMARY_LINE_CHARS + MAX_TARGET_CHARS + MAX_KIND_CHARS + LINE_FRAME_CHARS;
/** Room for header, context and notes around the lines. */
const FIXED_FRAME_CHARS = 600;

export interface SummaryLine {
  status: Status;
  target: string;
  kind: string;
  /** The worst finding's title, or how many checks passed. */
  text: string;
  duration: string;
}

export interface DisplaySummary {
  status: Status;
  /** "3 of 20 targets need attention" / "all 20 targets ok" */
  headline: string;
  counts: Record<Status, number>;
  duration: string;
  startedAt: string;
  /** Targets that are not ok, worst first, in sections of LINES_PER_SECTION. */
  sections: SummaryLine[][];
  /** "17 ok: db, cache, ..." */
  okLine?: string;
  /** "N more targets not shown" */
  omittedLine?: string;
  /** Targets the bot's own configuration leaves unusable: not counted as targets that need attention. */
  config?: ConfigSummary;
}

export interface ConfigSummary {
  /** "bot configuration: 2 problems" */
  headline: string;
  /** One per target: "cache: targets.cache.url: environment variable CACHE_URL is not set". */
  lines: string[];
  /** What to do about them. */
  fix: string;
}

export function toDisplaySummary(set: ReportSet, budget: Budget = UNLIMITED_BUDGET): DisplaySummary {
  const measure = budget.measure;
  const limited = budget.maxMessageText !== Infinity || budget.maxSectionText !== Infinity;
  const counts: Record<Status, number> = { crit: 0, warn: 0, unknown: 0, ok: 0 };
  for (const r of set.reports) if (!isConfigProblem(r)) counts[r.status] += 1;
  const total = set.reports.length;
  // A target the bot cannot run for its own configuration is the bot's problem, said apart.
  const misconfigured = set.reports.filter(isConfigProblem);
  const bad = set.reports.filter((r) => r.status !== 'ok' && !isConfigProblem(r));
  const ok = set.reports.filter((r) => r.status === 'ok');
  const checked = total - misconfigured.length;

  const lines: SummaryLine[] = [];
  let room = budget.maxMessageText - FIXED_FRAME_CHARS - MAX_OK_TARGETS_CHARS;
  // A header, a context line, the notes, and one section per LINES_PER_SECTION lines.
  // As many lines in a section as its budget holds at their longest (8 under Slack's 3,000 characters).
  const perSection = Math.max(1, Math.min(LINES_PER_SECTION, Math.floor(budget.maxSectionText / MAX_LINE_WITH_FRAME)));
  const maxLines = Math.max(0, (budget.maxBlocks - 6) * perSection);
  for (const r of bad) {
    if (lines.length >= maxLines) break;
    const line = summaryLine(r, limited, measure);
    const cost = measure(line.text) + measure(line.target) + measure(line.kind) + LINE_FRAME_CHARS;
    if (cost > room) break;
    room -= cost;
    lines.push(line);
  }
  const sections: SummaryLine[][] = [];
  for (let i = 0; i < lines.length; i += perSection) sections.push(lines.slice(i, i + perSection));
  const omitted = bad.length - lines.length;
  const okLine = `${ok.length} ok: ${ok.map((r) => r.target).join(', ')}`;
  return {
    status: set.status,
    headline: total === 0 ? 'no targets configured' : checked === 0 ? `no target could be checked` : bad.length === 0 ? `all ${plural(checked, 'target')} ok` : `${bad.length} of ${plural(checked, 'target')} need attention`,
    counts,
    duration: formatElapsedMs(set.durationMs),
    startedAt: set.startedAt,
    sections,
    ...(ok.length > 0 && { okLine: limited ? cutText(okLine, MAX_OK_TARGETS_CHARS, measure) : okLine }),
    ...(misconfigured.length > 0 && { config: configSummary(misconfigured, limited, measure) }),
    ...(omitted > 0 && { omittedLine: `${plural(omitted, 'more target')} not shown (use the CLI with --json for all)` }),
  };
}

function configSummary(reports: Report[], limited: boolean, measure: (text: string) => number): ConfigSummary {
  const shown = limited ? reports.slice(0, LINES_PER_SECTION) : reports;
  const lines = shown.map((r) => {
    const words = `${r.target}: ${(r.findings[0]?.title ?? 'configuration problem').replace(/^bot configuration:\s*/i, '').replace(/\s+/g, ' ')}`;
    return limited ? cutText(words, MAX_SUMMARY_LINE_CHARS, measure) : words;
  });
  if (shown.length < reports.length) lines.push(`${plural(reports.length - shown.length, 'more target')} (chatops config check lists them all)`);
  return {
    headline: `bot configuration: ${plural(reports.length, 'problem')}`,
    lines,
    fix: 'correct chatops.yml or the bot\'s environment, then run `chatops config check`; these targets were not checked',
  };
}

function summaryLine(r: Report, limited: boolean, measure: (text: string) => number): SummaryLine {
  const worst = sortFindings(r.findings)[0];
  const text = !worst || worst.status === 'ok' ? `${plural(r.findings.length, 'check')} ok` : worst.title.replace(/\s+/g, ' ');
  const more = r.findings.filter((f) => f.status !== 'ok').length - 1;
  const suffix = more > 0 ? ` (+${more} more)` : '';
  const kind = r.kind.replace(/\s+/g, ' ');
  return {
    status: r.status,
    target: limited ? cutText(r.target, MAX_TARGET_CHARS, measure) : r.target,
    kind: limited ? cutText(kind, MAX_KIND_CHARS, measure) : kind,
    text: (limited ? cutText(text, MAX_SUMMARY_LINE_CHARS - measure(suffix), measure) : text) + suffix,
    duration: formatElapsedMs(r.durationMs),
  };
}
