// The `queries:` and `queryPacks:` keys of a prometheus target: PromQL expressions judged against
// a warn and a crit threshold. Checked when the config is loaded (a bad item names its key,
// `targets.prom.queries[2].warn`, and what is accepted) and again when a run starts, so a target
// built without the loader is judged by the same rules.
import { z } from 'zod';
import { QUERY_PACK_NAMES, queryPack, type QueryPackName } from './query-packs.ts';
import { workloadRefSchema } from '../kubernetes/logs/workload-ref.ts';

/** How values are shown: a percentage (0-100), seconds, milliseconds, bytes, a count, a ratio (0-1). */
export const QUERY_UNITS = ['%', 's', 'ms', 'bytes', 'count', 'ratio'] as const;
export type QueryUnit = (typeof QUERY_UNITS)[number];

export const MAX_QUERIES = 50;
export const MAX_EXPRESSION_CHARS = 4000;
const NAME = /^[a-z0-9_]{1,64}$/;
const RUNBOOK_ID = /^[a-z0-9][a-z0-9-]*$/;

export interface PromQuery {
  name: string;
  expression: string;
  warn: number;
  crit: number;
  direction: 'above' | 'below';
  unit?: QueryUnit;
  /** Id of the runbook that explains this query's finding; default prometheus-queries. */
  runbook?: string;
  /**
   * A selector of the metric the expression reads (`pg_up`, `node_filesystem_avail_bytes`): when the
   * expression returns no series, `count(<requires>)` tells "nothing crosses" (ok) from "the metric
   * is not there at all" (unknown: the exporter is not scraped, or the metric is named otherwise).
   */
  requires?: string;
  /**
   * The Kubernetes workload the expression measures (`{ target, name: shop/deployment/web }`): a
   * finding past the threshold then quotes its top error log patterns.
   */
  workload?: { target?: string | undefined; name: string };
  /** Where it comes from: `targets.prom.queries[2]`, or `queryPacks node`. */
  source: string;
  /** The pack it belongs to, for a pack query, with what it measures and what to do when it fires. */
  pack?: QueryPackName;
  description?: string;
  fix?: string;
}

const ITEM_KEYS = ['name', 'expression', 'warn', 'crit', 'direction', 'unit', 'runbook', 'requires', 'workload'];
const finite = (what: string) => z.number({ error: `${what}: a number is expected` }).refine(Number.isFinite, `${what}: a finite number is expected`);

const querySchema = z.strictObject({
  name: z.string({ error: 'a name of lowercase letters, digits and _ (at most 64) is expected' }).regex(NAME, 'a name of lowercase letters, digits and _ (at most 64) is expected'),
  expression: z
    .string({ error: 'a PromQL expression (a string) is expected' })
    .refine((s) => s.trim().length > 0, 'an expression is required: a PromQL instant vector or scalar expression')
    .refine((s) => s.length <= MAX_EXPRESSION_CHARS, `an expression of at most ${MAX_EXPRESSION_CHARS} characters is expected`),
  warn: finite('the warning threshold'),
  crit: finite('the critical threshold'),
  direction: z.enum(['above', 'below']).default('above'),
  unit: z.enum(QUERY_UNITS).optional(),
  runbook: z.string().regex(RUNBOOK_ID, 'a runbook id (the name of a file in runbooks/ without .md: lowercase letters, digits and -) is expected').optional(),
  requires: z
    .string({ error: 'a PromQL selector of the metric the expression reads (a string, e.g. pg_up) is expected' })
    .refine((s) => s.trim().length > 0 && s.length <= MAX_EXPRESSION_CHARS, `a PromQL selector of at most ${MAX_EXPRESSION_CHARS} characters (e.g. pg_up) is expected`)
    .optional(),
  workload: workloadRefSchema.optional(),
});

/** The keys as the target schema declares them: the items are checked by checkQueryConfig. */
export const queryKeys = {
  queries: z
    .array(z.unknown())
    .max(MAX_QUERIES, `at most ${MAX_QUERIES} queries per target`)
    .optional()
    .describe(
      'PromQL checks: a list of `{ name, expression, warn, crit, direction: above|below (default above), unit: %|s|ms|bytes|count|ratio, runbook, requires, workload }`, each evaluated by an instant query and reported as prometheus.query.<name>; `requires` (a selector of the metric read) makes "no series" unknown when that metric does not exist at all; `workload` (`{ target: <k8s target>, name: shop/deployment/web }`) makes a finding past the threshold quote that workload\'s top error log patterns',
    ),
  queryPacks: z
    .array(z.unknown())
    .optional()
    .describe(`default query sets to switch on: ${QUERY_PACK_NAMES.join(', ')} (a query of yours with the same name replaces the pack's)`),
};

interface Issue {
  path: (string | number)[];
  message: string;
  input?: unknown;
  /** Accepted values of an enum, named in the message. */
  values?: readonly unknown[];
}

export type QueryConfigResult = { ok: true; queries: PromQuery[] } | { ok: false; issues: Issue[] };

/**
 * The queries of a target (its packs' first, then its own, which replace a pack query of the same
 * name), or every problem, each at its key (`queries[2]`, `warn`).
 */
export function parseQueryConfig(raw: { queries?: unknown; queryPacks?: unknown }, at = 'targets.<name>'): QueryConfigResult {
  const issues: Issue[] = [];
  const packs: QueryPackName[] = [];
  if (raw.queryPacks !== undefined) {
    if (!Array.isArray(raw.queryPacks)) issues.push({ path: ['queryPacks'], message: `a list of pack names is expected; accepted: ${QUERY_PACK_NAMES.join(', ')}` });
    else {
      raw.queryPacks.forEach((p, i) => {
        if (typeof p !== 'string' || !(QUERY_PACK_NAMES as readonly string[]).includes(p)) {
          issues.push({ path: [`queryPacks[${i}]`], message: 'unknown query pack', input: p, values: QUERY_PACK_NAMES });
        } else if (packs.includes(p as QueryPackName)) {
          issues.push({ path: [`queryPacks[${i}]`], message: `pack ${p} is listed twice` });
        } else packs.push(p as QueryPackName);
      });
    }
  }
  const own: PromQuery[] = [];
  if (raw.queries !== undefined) {
    if (!Array.isArray(raw.queries)) issues.push({ path: ['queries'], message: `a list of queries is expected (${ITEM_KEYS.join(', ')})` });
    else if (raw.queries.length > MAX_QUERIES) issues.push({ path: ['queries'], message: `at most ${MAX_QUERIES} queries per target (got ${raw.queries.length})` });
    else {
      const seen = new Map<string, number>();
      raw.queries.forEach((item, i) => {
        const key = `queries[${i}]`;
        const parsed = querySchema.safeParse(item, { reportInput: true });
        if (!parsed.success) {
          for (const issue of parsed.error.issues) issues.push(itemIssue(key, issue));
          return;
        }
        const q = parsed.data;
        const reversed = q.direction === 'above' ? q.crit < q.warn : q.crit > q.warn;
        if (reversed) {
          issues.push({
            path: [key, 'crit'],
            message:
              q.direction === 'above'
                ? `crit ${q.crit} is below warn ${q.warn}: with direction above (higher is worse) crit must be at or above warn`
                : `crit ${q.crit} is above warn ${q.warn}: with direction below (lower is worse) crit must be at or below warn`,
          });
          return;
        }
        const first = seen.get(q.name);
        if (first !== undefined) {
          issues.push({ path: [key, 'name'], message: `name ${q.name} is already used by queries[${first}]; names are unique per target` });
          return;
        }
        seen.set(q.name, i);
        own.push({ ...q, source: `${at}.${key}` });
      });
    }
  }
  if (issues.length) return { ok: false, issues };
  const ownNames = new Set(own.map((q) => q.name));
  const fromPacks = packs.flatMap((p) => queryPack(p).filter((q) => !ownNames.has(q.name)).map((q) => ({ ...q, source: `${at}.queryPacks ${p}`, pack: p })));
  return { ok: true, queries: [...fromPacks, ...own] };
}

function itemIssue(key: string, issue: z.core.$ZodIssue): Issue {
  const path = [key, ...issue.path.map(String)];
  if (issue.code === 'unrecognized_keys' && issue.message.includes('accepted keys: ')) return { path, message: issue.message };
  if (issue.code === 'unrecognized_keys') return { path, message: `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}; accepted keys: ${ITEM_KEYS.join(', ')}` };
  if (issue.code === 'invalid_value') return { path, message: issue.message, input: issue.input, values: issue.values };
  if (issue.code === 'invalid_type' && issue.path.length === 0) return { path, message: `a mapping with the keys ${ITEM_KEYS.join(', ')} is expected` };
  if (issue.code === 'invalid_type' && issue.input === undefined) return { path, message: `required: ${issue.message}` };
  return { path, message: issue.message, ...(issue.input !== undefined && { input: issue.input }) };
}

/** The problems as the config loader shows them: one zod issue each, at its key. */
export function checkQueryConfig(raw: { queries?: unknown; queryPacks?: unknown }, ctx: z.RefinementCtx): void {
  const res = parseQueryConfig(raw);
  if (res.ok) return;
  for (const i of res.issues) {
    if (i.values) ctx.addIssue({ code: 'invalid_value', values: [...(i.values as z.core.util.Primitive[])], message: i.message, path: i.path, input: i.input });
    // `input` always given, even undefined: otherwise zod names the whole target as the bad value.
    else ctx.addIssue({ code: 'custom', message: i.message, path: i.path, input: i.input });
  }
}

/** The same problems in one line, for a run whose target did not come through the loader. */
export function describeQueryIssues(at: string, issues: readonly Issue[]): string {
  return issues
    .map((i) => `${at}.${i.path.join('.')}: ${i.message}${i.values ? `; accepted: ${i.values.map((v) => JSON.stringify(v)).join(', ')}` : ''}`)
    .join('; ');
}
