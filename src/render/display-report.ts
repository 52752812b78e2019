// The display model of a report, from which reportMessage builds the neutral message. What is
// left out to fit a transport is decided here, against the Budget the caller passes (SLACK_BUDGET
// from the Slack side, UNLIMITED_BUDGET for a terminal, where nothing is left out).
import { UNLIMITED_BUDGET, type Budget } from '../message/budget.ts';
import type { Intent } from '../message/intent.ts';
import { sortFindings } from '../report.ts';
import type { Finding, Remedy, Report, Status } from '../report.ts';
import { maskSecrets } from '../security/mask-secrets.ts';
import { cutText } from './cut-text.ts';

export { cutText };


// --- Our own caps under a limited budget (Slack's): one finding always fits in one section, and a
// long report stays readable there. Under an unlimited budget (a terminal) none applies.

/** Remedy buttons per finding. */
const MAX_REMEDIES_PER_FINDING = 5;
/** Detail lines per finding before "N more lines". */
const MAX_DETAIL_LINES = 15;
/** Characters per detail line before it is cut with "…". */
const MAX_DETAIL_LINE_CHARS = 160;
/** Characters of a finding title. */
const MAX_TITLE_CHARS = 250;
/** Effect lines listed under a root cause before "N more effects". */
const MAX_EFFECTS = 10;
/** Characters of the folded "N checks ok: …" line. */
const MAX_OK_LINE_CHARS = 1000;
/** Room a renderer keeps in the header for a status emoji before the headline. */
const HEADER_PREFIX_RESERVE = 24;
/**
 * Characters a renderer may add around one finding (status emoji, bold markers, code fences,
 * newlines, runbook button label); counted against the budget's maxMessageText.
 */
const FINDING_FRAME_CHARS = 64;
/** Characters a renderer may add around the header and the context line. */
const FIXED_FRAME_CHARS = 160;
/** Detail line caps tried in turn when the whole message is over the budget. */
const DETAIL_LINE_STEPS = [MAX_DETAIL_LINES, 8, 4, 2, 1, 0] as const;

/** The caps that apply under a budget: ours under a limited one, none at all under an unlimited one. */
interface Caps {
  remedies: number;
  detailLines: number;
  detailLineChars: number;
  titleChars: number;
  okLineChars: number;
  effects: number;
  /** Characters of the detail block of one finding; keeps the section under the budget's maxSectionText. */
  detailChars: number;
  lineSteps: readonly number[];
}

function capsFor(budget: Budget): Caps {
  if (budget.maxSectionText === Infinity && budget.maxMessageText === Infinity) {
    return { remedies: Infinity, detailLines: Infinity, detailLineChars: Infinity, titleChars: Infinity, okLineChars: Infinity, effects: Infinity, detailChars: Infinity, lineSteps: [Infinity] };
  }
  return {
    remedies: MAX_REMEDIES_PER_FINDING,
    detailLines: MAX_DETAIL_LINES,
    detailLineChars: MAX_DETAIL_LINE_CHARS,
    titleChars: MAX_TITLE_CHARS,
    okLineChars: MAX_OK_LINE_CHARS,
    effects: MAX_EFFECTS,
    detailChars: budget.maxSectionText - MAX_TITLE_CHARS - 200,
    lineSteps: DETAIL_LINE_STEPS,
  };
}

// --- The model ------------------------------------------------------------------------------------

export interface DisplayRemedy {
  action: string;
  /** Button text, within the budget's maxButtonText. */
  label: string;
  params: Record<string, string | number>;
}

export interface DisplayRunbook {
  id: string;
  /** Where the runbook can be read, when the caller knows (an http(s) URL). */
  url?: string;
}

export interface DisplayFinding {
  check: string;
  status: Status;
  /** One line. */
  title: string;
  /** Detail lines (each cut to MAX_DETAIL_LINE_CHARS under a limited budget); empty when there is no detail. */
  detail: string[];
  /** Detail lines left out. */
  moreLines: number;
  remedies: DisplayRemedy[];
  /** Remedies left out (over MAX_REMEDIES_PER_FINDING, or a button the budget cannot carry). */
  moreRemedies: number;
  runbook?: DisplayRunbook;
  /** The finding names the root cause of the others: shown first, as "Root cause: …". */
  rootCause: boolean;
  /** What the root cause does to others, one line each (each cut like a detail line under a limited budget). */
  effects: string[];
  /** The fix in full, on its own line: never cut (only a fix longer than a whole section would be). */
  fix?: string;
  /** The bot's own configuration is the problem, not the system. */
  config: boolean;
  /** "3 more lines · 2 more actions not shown", when anything was left out. */
  note?: string;
}

export interface DisplayReport {
  target: string;
  kind: string;
  status: Status;
  startedAt: string;
  durationMs: number;
  /** "<target> (<kind> at <endpoint>): <STATUS>", short enough for a header after a status icon. */
  headline: string;
  /** Which server, when the kind said ("db.internal:5432/app"). */
  endpoint?: string;
  /** "142 ms", "3.2 s". */
  duration: string;
  /** How many findings of each status the report holds (before anything is left out). */
  counts: Record<Status, number>;
  /** The findings that are not ok, worst first, as many as fit. */
  findings: DisplayFinding[];
  /** "12 checks ok: connections, cache_hit, …", when any check is ok. */
  okLine?: string;
  /** Findings that are not ok and did not fit. */
  omittedFindings: number;
  /** "N more findings not shown (…)", when omittedFindings > 0. */
  omittedLine?: string;
}

export interface DisplayOptions {
  /** What the transport can show; UNLIMITED_BUDGET (the default) leaves nothing out. */
  budget?: Budget;
  /** URL of a runbook, if one can be linked; dropped when it is not an http(s) URL. */
  runbookUrl?: (id: string) => string | undefined;
  /**
   * Configured secrets (configSecrets) masked, with the generic patterns, in every title, detail
   * and button label before anything is cut: a cut never leaves part of a secret.
   */
  secrets?: readonly string[];
}

// --- Building it ---------------------------------------------------------------------------------

export function toDisplayReport(report: Report, options: DisplayOptions = {}): DisplayReport {
  const budget = options.budget ?? UNLIMITED_BUDGET;
  const caps = capsFor(budget);
  const measure = budget.measure;
  const sorted = sortFindings(report.findings);
  const bad = sorted.filter((f) => f.status !== 'ok');
  // Masked whole once, before any of the cuts below.
  const masked = bad.map((f) => maskFinding(f, options.secrets ?? NO_SECRETS));
  const ok = sorted.filter((f) => f.status === 'ok');
  const counts: Record<Status, number> = { crit: 0, warn: 0, unknown: 0, ok: 0 };
  for (const f of sorted) counts[f.status] += 1;

  const endpoint = report.endpoint !== undefined ? maskSecrets(oneLine(report.endpoint), options.secrets ?? NO_SECRETS) : undefined;
  const headline = buildHeadline(report, endpoint, budget.maxHeaderText - HEADER_PREFIX_RESERVE);
  const okLine = ok.length > 0 ? buildOkLine(ok, report.kind, caps.okLineChars, measure) : undefined;
  const fixedChars = FIXED_FRAME_CHARS + measure(headline) + (okLine ? measure(okLine) : 0);

  // Blocks: header, context line, the ok line; then per finding a section and, when it has
  // buttons, an actions block; the "Declare incident" button; and the "N more findings" line
  // when some are left out.
  const fixedBlocks = 3 + (okLine ? 1 : 0);
  const blockCost = (f: Finding) => 1 + (hasButtons(f) ? 1 : 0);
  let shown = bad.length;
  if (fixedBlocks + sum(bad.map(blockCost)) > budget.maxBlocks) {
    let used = fixedBlocks + 1;
    shown = 0;
    for (const f of bad) {
      if (used + blockCost(f) > budget.maxBlocks) break;
      used += blockCost(f);
      shown += 1;
    }
  }

  // Text: shorten every detail alike until the message fits; if even titles alone do not fit,
  // leave out the least severe findings. What does not depend on the detail cap is prepared once.
  const prepared = masked.slice(0, shown).map((f) => prepareFinding(f, report.target, caps, budget, options.runbookUrl));
  const build = (maxLines: number) => prepared.map((p) => toDisplayFinding(p, maxLines, caps, measure));
  const textOf = (list: DisplayFinding[], n: number) =>
    fixedChars + sum(list.map((f) => findingChars(f, measure))) + (n < bad.length ? measure(omittedLineFor(bad.length - n)) : 0);
  let findings: DisplayFinding[] = [];
  for (const maxLines of caps.lineSteps) {
    findings = build(maxLines);
    if (textOf(findings, shown) <= budget.maxMessageText) break;
  }
  while (findings.length > 0 && textOf(findings, findings.length) > budget.maxMessageText) findings.pop();

  const omittedFindings = bad.length - findings.length;
  return {
    target: report.target,
    kind: report.kind,
    status: report.status,
    startedAt: report.startedAt,
    durationMs: report.durationMs,
    headline,
    ...(endpoint && { endpoint }),
    duration: formatElapsedMs(report.durationMs),
    counts,
    findings,
    ...(okLine !== undefined && { okLine }),
    omittedFindings,
    ...(omittedFindings > 0 && { omittedLine: omittedLineFor(omittedFindings) }),
  };
}

const NO_SECRETS: readonly string[] = [];

function maskFinding(f: Finding, secrets: readonly string[]): Finding {
  const out: Finding = { ...f, title: maskSecrets(f.title, secrets) };
  if (f.detail !== undefined) out.detail = maskSecrets(f.detail, secrets);
  if (f.fix !== undefined) out.fix = maskSecrets(f.fix, secrets);
  if (f.effects) out.effects = f.effects.map((e) => maskSecrets(e, secrets));
  if (f.remedies) out.remedies = f.remedies.map((r) => ({ ...r, label: maskSecrets(r.label, secrets) }));
  return out;
}

function hasButtons(f: Finding): boolean {
  return (f.remedies?.length ?? 0) > 0 || !!f.runbook;
}

/** A finding's title, detail lines, buttons: what does not depend on how many detail lines are shown. */
interface PreparedFinding {
  f: Finding;
  title: string;
  /** Every detail line, cleaned, and each one's cut form and measure once computed. */
  lines: string[];
  cut: Array<{ text: string; size: number } | undefined>;
  remedies: DisplayRemedy[];
  moreRemedies: number;
  runbook?: DisplayRunbook;
  effects: string[];
  moreEffects: number;
  fix?: string;
}

function prepareFinding(f: Finding, target: string, caps: Caps, budget: Budget, runbookUrl: DisplayOptions['runbookUrl']): PreparedFinding {
  const words = oneLine(f.title) || f.check;
  const title = cutText(f.config && !/^bot configuration\b/i.test(words) ? `Bot configuration: ${words}` : words, caps.titleChars, budget.measure);
  const allEffects = (f.effects ?? []).map(oneLine).filter((e) => e !== '');
  const effects = allEffects.slice(0, caps.effects).map((e) => cutText(e, caps.detailLineChars, budget.measure));
  const fixWords = f.fix !== undefined ? oneLine(f.fix) : '';
  // A fix is never cut for style; only one longer than a whole section could ever be.
  const fix = fixWords === '' ? undefined : cutText(fixWords, Math.max(200, caps.detailChars), budget.measure);
  const lines = clean(f.detail ?? '').replace(/\s+$/, '').split('\n');
  // Leading blank lines carry nothing; an empty detail has no lines at all.
  const first = lines.findIndex((l) => l.trim() !== '');
  const all = first < 0 ? [] : lines.slice(first);

  const remedies: DisplayRemedy[] = [];
  let moreRemedies = 0;
  for (const r of f.remedies ?? []) {
    const d = remedies.length < caps.remedies ? toDisplayRemedy(r, target, budget) : undefined;
    if (d) remedies.push(d);
    else moreRemedies += 1;
  }

  let runbook: DisplayRunbook | undefined;
  if (f.runbook && fits(budget, { intent: 'runbook.open', runbook: f.runbook })) {
    const url = runbookUrl?.(f.runbook);
    runbook = { id: f.runbook, ...(url !== undefined && isWebUrl(url) && { url }) };
  }
  return { f, title, lines: all, cut: [], remedies, moreRemedies, ...(runbook && { runbook }), effects, moreEffects: allEffects.length - effects.length, ...(fix !== undefined && { fix }) };
}

function toDisplayFinding(p: PreparedFinding, maxLines: number, caps: Caps, measure: (text: string) => number): DisplayFinding {
  const { lines: detail, more: moreLines } = cutDetail(p, maxLines, caps, measure);
  const notes: string[] = [];
  if (moreLines > 0) notes.push(plural(moreLines, 'more line'));
  if (p.moreEffects > 0) notes.push(`${plural(p.moreEffects, 'more affected')}`);
  if (p.moreRemedies > 0) notes.push(`${plural(p.moreRemedies, 'more action')} not shown`);
  return {
    check: p.f.check,
    status: p.f.status,
    title: p.title,
    detail,
    moreLines,
    remedies: p.remedies,
    moreRemedies: p.moreRemedies,
    ...(p.runbook && { runbook: p.runbook }),
    rootCause: p.f.rootCause === true,
    effects: p.effects,
    ...(p.fix !== undefined && { fix: p.fix }),
    config: p.f.config === true,
    ...(notes.length > 0 && { note: notes.join(' · ') }),
  };
}

/** A remedy as a button, or undefined when the transport cannot carry it (its value too long for a Slack button). */
function toDisplayRemedy(r: Remedy, target: string, budget: Budget): DisplayRemedy | undefined {
  if (!fits(budget, { intent: 'remedy', action: r.action, params: r.params, target })) return undefined;
  const label = cutText(oneLine(r.label) || r.action, budget.maxButtonText);
  return { action: r.action, label, params: r.params };
}

function fits(budget: Budget, intent: Intent): boolean {
  return budget.fitsButton?.(intent) ?? true;
}

function findingChars(f: DisplayFinding, measure: (text: string) => number): number {
  return (
    FINDING_FRAME_CHARS +
    measure(f.title) +
    sum(f.detail.map((l) => measure(l) + 1)) +
    (f.note ? measure(f.note) : 0) +
    sum(f.effects.map((e) => measure(e) + 4)) +
    (f.fix ? measure(f.fix) + 8 : 0) +
    sum(f.remedies.map((r) => r.label.length))
  );
}

function cutDetail(p: PreparedFinding, maxLines: number, caps: Caps, measure: (text: string) => number): { lines: string[]; more: number } {
  const lines: string[] = [];
  let chars = 0;
  for (let i = 0; i < p.lines.length && lines.length < maxLines; i++) {
    let cut = p.cut[i];
    if (!cut) {
      const text = cutText(p.lines[i]!, caps.detailLineChars, measure);
      cut = { text, size: measure(text) };
      p.cut[i] = cut;
    }
    if (chars + cut.size + 1 > caps.detailChars) break;
    lines.push(cut.text);
    chars += cut.size + 1;
  }
  return { lines, more: p.lines.length - lines.length };
}

function buildHeadline(report: Report, endpoint: string | undefined, max: number): string {
  const kind = cutText(oneLine(report.kind), 30);
  const status = `: ${report.status.toUpperCase()}`;
  const target = cutText(oneLine(report.target), Math.max(1, max - kind.length - status.length - 3));
  const room = max - target.length - kind.length - status.length - 3;
  // The server is named when there is room for something readable; the target and status come first.
  const at = endpoint && room >= 12 ? ` at ${cutText(endpoint, room - 4)}` : '';
  return `${target} (${kind}${at})${status}`;
}

function buildOkLine(ok: Finding[], kind: string, max: number, measure: (text: string) => number): string {
  const head = `${plural(ok.length, 'check')} ok: `;
  const names = ok.map((f) => oneLine(f.check.startsWith(`${kind}.`) ? f.check.slice(kind.length + 1) : f.check));
  let line = head;
  for (let i = 0; i < names.length; i++) {
    const next = `${line}${i > 0 ? ', ' : ''}${names[i]}`;
    const rest = names.length - i - 1;
    const tail = rest > 0 ? `, … ${rest} more` : '';
    if (measure(next + tail) > max) return `${line}${i > 0 ? ', ' : ''}… ${names.length - i} more`;
    line = next;
  }
  return line;
}

/** Only a transport with limits (Slack) leaves findings out: its reader is sent to the CLI, which shows them all. */
function omittedLineFor(n: number): string {
  return `${plural(n, 'more finding')} not shown (use the CLI with --json for all)`;
}

// --- Small helpers, exported for the message builders -------------------------------------------

/** How long a run took, from milliseconds: "850 ms", "4.2 s", "2 min 5 s" (formatDuration in probes/format.ts takes seconds). */
export function formatElapsedMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '? ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Control characters out (they would drive a terminal), CRLF to LF; keeps newlines and tabs. */
function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}

/** One line of plain text: control characters out, runs of white space as one space. */
function oneLine(text: string): string {
  return clean(text).replace(/\s+/g, ' ').trim();
}

function isWebUrl(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const { protocol } = new URL(url);
  return protocol === 'https:' || protocol === 'http:';
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
