// `chatops runbooks check`: every problem of a runbooks directory at once, where the bot's start
// stops at the first. Beyond what the loader refuses (unknown ids, bad parameters), it finds what
// the loader cannot: links to runbooks that do not exist, checks no runbook explains, runbooks too
// thin for /triage to match, and rows of the README's coverage tables that name a missing runbook.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { isUserError, UserError } from '../user-error.ts';
import { parseRunbookFile } from './load-runbooks.ts';
import type { Runbook } from './runbook.ts';

/** The fewest symptoms a runbook may have: /triage matches what people type against them. */
export const MIN_SYMPTOMS = 3;

/** The README heading whose tables map the troubleshooting guides' sections to runbooks. */
export const COVERAGE_HEADING = '## Coverage of the troubleshooting guides';

export interface RunbookProblem {
  /** The runbook, the README, or the directory itself for a problem of the whole set. */
  file: string;
  problem: string;
}

export interface RunbookCheck {
  dir: string;
  /** Runbooks that loaded (a file with a problem the loader refuses is not counted). */
  runbooks: number;
  /** Rows of the README's coverage tables that were read. */
  coverageRows: number;
  problems: RunbookProblem[];
}

/** Checks the runbooks of `dir` against the check ids the probes produce. Throws (a UserError) only when the directory cannot be read. */
export function checkRunbooks(dir: string, knownChecks: Set<string>): RunbookCheck {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.md') && f.toLowerCase() !== 'readme.md').sort();
  } catch (cause) {
    throw new UserError(`cannot read the runbooks directory ${dir}; set runbooks.dir in chatops.yml or pass --config FILE`, { cause });
  }
  const problems: RunbookProblem[] = [];
  const runbooks: Runbook[] = [];
  for (const name of files) {
    const file = path.join(dir, name);
    try {
      runbooks.push(parseRunbookFile(file, knownChecks));
    } catch (e) {
      if (!isUserError(e)) throw e;
      const prefix = `runbook ${file}: `;
      problems.push({ file, problem: e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message });
    }
  }
  problems.push(...ownershipProblems(runbooks));
  const ids = new Set(files.map((f) => path.basename(f, '.md')));
  for (const rb of runbooks) {
    if (rb.symptoms.length < MIN_SYMPTOMS) {
      problems.push({ file: rb.file, problem: `symptoms: ${rb.symptoms.length} given, at least ${MIN_SYMPTOMS} needed: the ways people type the problem ("too many clients already", "db slow")` });
    }
    problems.push(...linkProblems(rb.file, rb.body, dir, ids));
  }
  // A file the loader refused still claims its checks: its problem is reported, not each of them.
  const loaded = new Set(runbooks.map((rb) => rb.file));
  const refused = files.map((f) => path.join(dir, f)).filter((f) => !loaded.has(f));
  const explained = new Set([...runbooks.flatMap((rb) => rb.checks), ...refused.flatMap(claimedChecks)]);
  for (const check of [...knownChecks].sort()) {
    if (explained.has(check)) continue;
    problems.push({ file: dir, problem: `check ${check} is explained by no runbook: add it to the checks: of the runbook for its problem (${runbooks.length ? 'runbooks: ' + runbooks.map((r) => r.id).join(', ') : 'there is none'})` });
  }
  const coverage = coverageProblems(dir, ids);
  problems.push(...coverage.problems);
  return { dir, runbooks: runbooks.length, coverageRows: coverage.rows, problems };
}

/**
 * A check listed by two runbooks: the loader refuses it at the second. (An id cannot be used twice:
 * it must be the file's name.)
 */
function ownershipProblems(runbooks: Runbook[]): RunbookProblem[] {
  const problems: RunbookProblem[] = [];
  const byCheck = new Map<string, Runbook>();
  for (const rb of runbooks) {
    for (const check of rb.checks) {
      const owner = byCheck.get(check);
      if (owner) problems.push({ file: rb.file, problem: `checks: ${check} is already explained by runbook ${owner.id}; a check links to one runbook (list it under evidence: instead)` });
      else byCheck.set(check, rb);
    }
  }
  return problems;
}

/** The checks a file lists, read as leniently as its front matter allows. */
function claimedChecks(file: string): string[] {
  try {
    const match = /^---\r?\n([\s\S]*?)\r?\n---/.exec(readFileSync(file, 'utf8'));
    const meta = match ? (parseYaml(match[1]!) as { checks?: unknown }) : undefined;
    return Array.isArray(meta?.checks) ? meta.checks.filter((c): c is string => typeof c === 'string') : [];
  } catch {
    return [];
  }
}

/** Markdown links to a .md file: `[text](other.md)`, `[text](./other.md#fix)`. */
const MD_LINK = /\[[^\]]*\]\(\s*<?([^)\s>]+\.md)(#[^)\s>]*)?>?(?:\s+"[^"]*")?\s*\)/g;
/** A runbook named in prose: "the `postgres-locks` runbook". */
const NAMED_RUNBOOK = /`([a-z0-9][a-z0-9-]*)`\s+runbooks?\b/g;

function linkProblems(file: string, text: string, dir: string, ids: Set<string>): RunbookProblem[] {
  const problems: RunbookProblem[] = [];
  const runbookList = () => [...ids].sort().join(', ');
  for (const m of text.matchAll(MD_LINK)) {
    const target = m[1]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // an absolute URL: not ours to resolve
    const resolved = path.resolve(path.dirname(file), target);
    if (!existsSync(resolved) || !statSync(resolved).isFile()) {
      problems.push({ file, problem: `link ${m[0]} points at ${path.relative(dir, resolved) || target}, which does not exist; runbooks: ${runbookList()}` });
    }
  }
  for (const m of text.matchAll(NAMED_RUNBOOK)) {
    if (!ids.has(m[1]!)) problems.push({ file, problem: `names the \`${m[1]}\` runbook, which does not exist; runbooks: ${runbookList()}` });
  }
  return problems;
}

/**
 * The README's coverage tables: every row names runbooks that exist, or says why the section has
 * none ("left out" with its reason, or a row of sections that are not troubleshooting), and every
 * runbook is linked from the README (a row, or the list of those no guide asked for). A README
 * without the coverage heading (a directory of one's own runbooks) has nothing to check there;
 * its links still have to resolve.
 */
function coverageProblems(dir: string, ids: Set<string>): { rows: number; problems: RunbookProblem[] } {
  const file = readdirSync(dir).find((f) => f.toLowerCase() === 'readme.md');
  if (!file) return { rows: 0, problems: [] };
  const readme = path.join(dir, file);
  const text = readFileSync(readme, 'utf8');
  const at = text.indexOf(`\n${COVERAGE_HEADING}\n`);
  if (at < 0) return { rows: 0, problems: linkProblems(readme, text, dir, ids) };
  const lines = text.slice(at + 1).split('\n');
  // The links of the coverage rows are judged as rows below (a runbook of this directory, named
  // by its id); the README's other links need only resolve.
  const prose = `${text.slice(0, at + 1)}${lines.filter((l) => !l.startsWith('|')).join('\n')}`;
  const problems = linkProblems(readme, prose, dir, ids);
  let guide = '';
  let rows = 0;
  for (const [i, line] of lines.entries()) {
    if (i > 0 && /^## /.test(line)) break; // the next top-level section
    if (line.startsWith('### ')) guide = line.slice(4).trim();
    if (!line.startsWith('|')) continue;
    const cells = splitRow(line);
    if (cells.length < 3 || /^:?-+:?$/.test(cells[0]!) || (cells[0] === 'Section' && cells[1] === 'Runbook')) continue;
    rows += 1;
    const [section, runbook, status] = cells as [string, string, string];
    const where = `${guide || 'coverage'} › ${section}`;
    if (cells.length !== 3) problems.push({ file: readme, problem: `${where}: ${cells.length} cells, a row has 3: section | runbook | status` });
    const links = [...runbook.matchAll(/\[([^\]]*)\]\(([^)\s]+)\)/g)];
    for (const [, label, target] of links) {
      const id = path.basename(target!, '.md');
      if (!target!.endsWith('.md') || target!.includes('/') || !ids.has(id)) {
        problems.push({ file: readme, problem: `${where}: runbook link [${label}](${target}) names no runbook file of ${dir}; runbooks: ${[...ids].sort().join(', ')}` });
      } else if (label !== id) {
        problems.push({ file: readme, problem: `${where}: the link [${label}](${target}) reads "${label}" but opens ${id}; write [${id}](${target})` });
      }
    }
    if (links.length === 0) {
      const notTroubleshooting = /^not troubleshooting\b/i.test(section);
      const leftOut = /\*\*left out\*\*:\s*\S/.test(status);
      if (!notTroubleshooting && !leftOut) {
        problems.push({ file: readme, problem: `${where}: maps to no runbook; link one ([id](id.md)), or write **left out**: and the reason in its status` });
      }
    }
  }
  // Every runbook is accounted for: in the row of a guide's section, or among those no guide asked for.
  const linked = new Set([...text.matchAll(/\]\(\s*(?:\.\/)?([a-z0-9][a-z0-9-]*)\.md(?:#[^)\s]*)?\s*\)/g)].map((m) => m[1]!));
  for (const id of [...ids].sort()) {
    if (!linked.has(id)) {
      problems.push({ file: readme, problem: `runbook ${id} is linked nowhere in the README: put [${id}](${id}.md) in the coverage row of the guide section it covers, or among the runbooks no guide asked for` });
    }
  }
  return { rows, problems };
}

/** The cells of a markdown table row, split on | outside backticks. */
function splitRow(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let inCode = false;
  for (const ch of line.trim().replace(/^\|/, '').replace(/\|$/, '')) {
    if (ch === '`') inCode = !inCode;
    if (ch === '|' && !inCode) {
      cells.push(cell.trim());
      cell = '';
    } else cell += ch;
  }
  cells.push(cell.trim());
  return cells;
}
