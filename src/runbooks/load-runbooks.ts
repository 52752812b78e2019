// Loads runbooks/*.md (YAML front matter + markdown steps) and validates every id they mention.
// A bad runbook stops the bot at start, naming the file: a broken link found at 3 a.m. is worse.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { findAction } from '../actions/action-catalogue.ts';
import { invalidParam, ownEntry, show } from '../actions/validate-params.ts';
import { UserError } from '../user-error.ts';
import type { Runbook, RunbookEvidence } from './runbook.ts';

const frontMatterSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and -'),
  title: z.string().min(1),
  summary: z.string().min(1),
  severity_hint: z.enum(['info', 'warn', 'crit']),
  symptoms: z.array(z.string().min(1)).min(1),
  checks: z.array(z.string()).default([]),
  remedies: z
    .array(
      z.strictObject({
        action: z.string(),
        label: z.string().min(1).max(75),
        params: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
      }),
    )
    .default([]),
  escalate_after: z.string().regex(/^\d+(m|h|d)$/, 'a duration like 30m, 4h or 1d').optional(),
  // Checks beyond `checks` (which may belong to other runbooks) whose findings confirm or rule out
  // this runbook's problem for /triage; `confirms` is the least status that confirms it.
  evidence: z
    .array(z.union([z.string(), z.strictObject({ check: z.string(), confirms: z.enum(['warn', 'crit']).default('warn') })]))
    .default([]),
  // Steps no probe reaches (a vendor's console, a code change), in the order a person does them.
  manual: z.array(z.string().min(1)).default([]),
});

export interface RunbookIndex {
  all: Runbook[];
  byId: Map<string, Runbook>;
  /** check id -> runbook id */
  byCheck: Map<string, string>;
}

export function loadRunbooks(dir: string, knownChecks: Set<string>): RunbookIndex {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.md') && f.toLowerCase() !== 'readme.md').sort();
  } catch (cause) {
    throw new UserError(`cannot read the runbooks directory ${dir}; set runbooks.dir in chatops.yml`, { cause });
  }
  const all = files.map((f) => parseRunbookFile(path.join(dir, f), knownChecks));
  const byId = new Map<string, Runbook>();
  const byCheck = new Map<string, string>();
  for (const rb of all) {
    const other = byId.get(rb.id);
    if (other) throw new UserError(`runbook ${rb.file}: id "${rb.id}" is already used by ${other.file}`);
    byId.set(rb.id, rb);
    for (const check of rb.checks) {
      const owner = byCheck.get(check);
      if (owner) throw new UserError(`runbook ${rb.file}: check ${check} is already explained by runbook ${owner}; a check links to one runbook`);
      byCheck.set(check, rb.id);
    }
  }
  return { all, byId, byCheck };
}

export function parseRunbookFile(file: string, knownChecks: Set<string>): Runbook {
  const fail = (msg: string): never => {
    throw new UserError(`runbook ${file}: ${msg}`);
  };
  const text = readFileSync(file, 'utf8');
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  if (!match) fail('must start with a YAML front matter block between --- lines');
  let meta: unknown;
  try {
    meta = parseYaml(match![1]!);
  } catch (e) {
    fail(`front matter is not valid YAML: ${(e as Error).message}`);
  }
  const parsed = frontMatterSchema.safeParse(meta);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    fail(`${issue.path.join('.') || 'front matter'}: ${issue.message}`);
  }
  const fm = parsed.data!;
  const expectedId = path.basename(file, '.md');
  if (fm.id !== expectedId) fail(`id "${fm.id}" must match the file name "${expectedId}"`);
  for (const check of fm.checks) {
    if (!knownChecks.has(check)) fail(`unknown check id "${check}"; known: ${[...knownChecks].sort().join(', ')}`);
  }
  const evidence: RunbookEvidence[] = fm.checks.map((check) => ({ check, confirms: 'warn' }));
  fm.evidence.forEach((e, i) => {
    const item: RunbookEvidence = typeof e === 'string' ? { check: e, confirms: 'warn' } : e;
    if (!knownChecks.has(item.check) && !oneQuery(item.check, knownChecks)) fail(`evidence.${i}: unknown check id "${item.check}"; known: ${[...knownChecks].sort().join(', ')}, or prometheus.query.<name> for one PromQL query`);
    const own = evidence.find((x) => x.check === item.check);
    if (own) own.confirms = item.confirms;
    else evidence.push(item);
  });
  fm.remedies.forEach((r, i) => {
    const action = findAction(r.action);
    if (!action) fail(`remedies.${i}.action: unknown action id "${r.action}"`);
    // A runbook may fix some parameters; each must be declared (an own property, not `constructor`)
    // and meet its declaration, as at press time.
    for (const [name, value] of Object.entries(r.params)) {
      const spec = name === '__proto__' ? undefined : ownEntry(action!.params, name);
      if (!spec) fail(`remedies.${i}.params.${name}: action ${r.action} takes no parameter ${show(name)}; accepted: ${Object.keys(action!.params).join(', ')}`);
      const problem = invalidParam(name, spec!, value);
      if (problem) fail(`remedies.${i}.params.${name}: ${problem}`);
    }
  });
  const body = match![2]!.trim();
  if (!body) fail('has no steps: write them below the front matter');
  return {
    id: fm.id,
    title: fm.title,
    summary: fm.summary,
    severityHint: fm.severity_hint,
    symptoms: fm.symptoms,
    checks: fm.checks,
    remedies: fm.remedies,
    escalateAfter: fm.escalate_after,
    evidence,
    manual: fm.manual,
    body,
    file,
  };
}

/** One PromQL query's finding, `prometheus.query.<name>` (a pack's or the user's): evidence may name it alone. */
function oneQuery(check: string, knownChecks: Set<string>): boolean {
  return knownChecks.has('prometheus.query') && /^prometheus\.query\.[a-z0-9_]{1,64}$/.test(check);
}
