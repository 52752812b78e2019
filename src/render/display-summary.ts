// The display model of `/diag all`: one line per target with its worst finding, worst first.
// As for single reports, every cut to Slack's limits happens here, not in the renderers.
import { sortFindings, type Report, type ReportSet, type Status } from '../report.ts';
import { cutText, formatElapsedMs, MAX_MESSAGE_TEXT, MAX_SECTION_TEXT, plural } from './display-report.ts';

/** Characters of one target's line. */
export const MAX_SUMMARY_LINE_CHARS = 240;
/** Characters of the folded "N ok: a, b, ..." line. */
export const MAX_OK_TARGETS_CHARS = 1000;
/** Target lines in one section; keeps a section well under MAX_SECTION_TEXT. */
export const LINES_PER_SECTION = 8;
/** Room a renderer may add around each line (emoji, bold name, separators). */
const LINE_FRAME_CHARS = 48;
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
}

export function toDisplaySummary(set: ReportSet, measure: (text: string) => number = (t) => t.length): DisplaySummary {
  const counts: Record<Status, number> = { crit: 0, warn: 0, unknown: 0, ok: 0 };
  for (const r of set.reports) counts[r.status] += 1;
  const total = set.reports.length;
  const bad = set.reports.filter((r) => r.status !== 'ok');
  const ok = set.reports.filter((r) => r.status === 'ok');

  const lines: SummaryLine[] = [];
  let budget = MAX_MESSAGE_TEXT - FIXED_FRAME_CHARS - MAX_OK_TARGETS_CHARS;
  for (const r of bad) {
    const line = summaryLine(r, measure);
    const cost = measure(line.text) + measure(line.target) + LINE_FRAME_CHARS;
    if (cost > budget) break;
    budget -= cost;
    lines.push(line);
  }
  const sections: SummaryLine[][] = [];
  for (let i = 0; i < lines.length; i += LINES_PER_SECTION) sections.push(lines.slice(i, i + LINES_PER_SECTION));
  const omitted = bad.length - lines.length;
  return {
    status: set.status,
    headline: total === 0 ? 'no targets configured' : bad.length === 0 ? `all ${plural(total, 'target')} ok` : `${bad.length} of ${plural(total, 'target')} need attention`,
    counts,
    duration: formatElapsedMs(set.durationMs),
    startedAt: set.startedAt,
    sections,
    ...(ok.length > 0 && { okLine: cutText(`${ok.length} ok: ${ok.map((r) => r.target).join(', ')}`, MAX_OK_TARGETS_CHARS, measure) }),
    ...(omitted > 0 && { omittedLine: `${plural(omitted, 'more target')} not shown (use the CLI with --json for all)` }),
  };
}

function summaryLine(r: Report, measure: (text: string) => number): SummaryLine {
  const worst = sortFindings(r.findings)[0];
  const text = !worst || worst.status === 'ok' ? `${plural(r.findings.length, 'check')} ok` : worst.title.replace(/\s+/g, ' ');
  const more = r.findings.filter((f) => f.status !== 'ok').length - 1;
  const suffix = more > 0 ? ` (+${more} more)` : '';
  return {
    status: r.status,
    target: cutText(r.target, 60, measure),
    kind: r.kind,
    text: cutText(text, MAX_SUMMARY_LINE_CHARS - measure(suffix), measure) + suffix,
    duration: formatElapsedMs(r.durationMs),
  };
}

// A section holds LINES_PER_SECTION lines of at most MAX_SUMMARY_LINE_CHARS plus framing.
if (LINES_PER_SECTION * (MAX_SUMMARY_LINE_CHARS + 60 + LINE_FRAME_CHARS) > MAX_SECTION_TEXT) {
  throw new Error('summary sections could exceed Slack section limit');
}
