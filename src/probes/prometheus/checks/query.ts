// prometheus.query.<name>: each PromQL check of the target (its own `queries:` and its packs'),
// evaluated by an instant query at the run's time within the target's timeout and judged against
// its warn and crit. The finding takes the worst series, counts the series past the thresholds
// and names the worst five with their labels; no series is ok ("no series") when the metric the
// query reads exists (its `requires`), unknown ("no data") when it does not; an expression
// Prometheus rejects, an answer that is not an instant vector or a scalar, or only NaN is unknown.
import { z } from 'zod';
import type { Finding, Status } from '../../../report.ts';
import { apiFailureFix, describeApiFailure, type ApiFailure } from '../../http/json-api.ts';
import { findingFor, snippet, type FindingExtra } from '../../http/probe-support.ts';
import { formatCount } from '../../format.ts';
import { KIND, finding, type PrometheusContext } from '../check-context.ts';
import type { PromQuery } from '../query-config.ts';
import { formatQueryValue } from '../format-query-value.ts';
import { QueryJudge, sampleValue, TOP_SERIES, type QueryVerdict } from '../query-result.ts';

/** The runbook of a query that names none. */
export const QUERIES_RUNBOOK = 'prometheus-queries';
/** Queries in flight at once against one Prometheus. */
const CONCURRENCY = 6;
const MAX_LABEL_CHARS = 200;
/** Labels that say where to look, shown first so a cut title still names them (Prometheus sorts labels by name: device and fstype would come first). */
const WHERE_LABELS = ['instance', 'mountpoint', 'datname', 'namespace', 'pod', 'container', 'service', 'handler', 'job'];

/** The answer's envelope only: the result is read series by series, never validated as a whole. */
const queryAnswerSchema = z.object({
  status: z.literal('success'),
  data: z.object({ resultType: z.string(), result: z.unknown() }),
  warnings: z.array(z.string()).optional(),
});

const findingOfQuery = findingFor<string>(KIND);

export async function checkQueries(ctx: PrometheusContext): Promise<Finding[]> {
  if (ctx.queryProblem !== undefined) {
    return [
      finding('query', 'unknown', `PromQL queries: not run (${ctx.queryProblem})`, {
        config: true,
        fix: `correct the queries of ${ctx.targetKey} in chatops.yml as the message says.`,
      }),
    ];
  }
  const out: Finding[] = new Array<Finding>(ctx.queries.length);
  let next = 0;
  const worker = async () => {
    while (next < ctx.queries.length) {
      const i = next++;
      out[i] = await runQuery(ctx, ctx.queries[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, ctx.queries.length) }, worker));
  return out;
}

async function runQuery(ctx: PrometheusContext, q: PromQuery): Promise<Finding> {
  const make = (status: Status, title: string, extra: FindingExtra = {}) =>
    findingOfQuery(`query.${q.name}`, status, `${q.name}: ${title}`, { ...extra, runbook: q.runbook ?? QUERIES_RUNBOOK });
  // Prometheus stops evaluating when what is left of the run's timeout is spent; the client's own
  // deadline ends the call then too.
  const res = await instantQuery(ctx, q.expression);
  const expression = `expression: ${snippet(q.expression, 300)}`;
  if (!res.ok) return failed(q, res.failure, expression, make);

  const { resultType, result } = res.data.data;
  const warnings = (res.data.warnings ?? []).slice(0, 3).map((w) => `Prometheus warns: ${snippet(w, 200)}`);
  const judge = new QueryJudge(q);
  if (resultType === 'scalar') {
    const v = Array.isArray(result) ? sampleValue(result[1]) : undefined;
    if (v === undefined) return unreadable(q, 'a scalar without a number', expression, make);
    judge.add({}, v);
  } else if (resultType === 'vector') {
    if (!Array.isArray(result)) return unreadable(q, 'a vector that is not a list', expression, make);
    for (const item of result as unknown[]) {
      const s = readSample(item);
      if (!s) return unreadable(q, 'a vector sample without labels or a value', expression, make);
      judge.add(s.labels, s.value);
    }
  } else {
    const what = resultType === 'matrix' ? 'a range vector (matrix)' : resultType === 'string' ? 'a string' : `"${snippet(resultType, 40)}"`;
    return make('unknown', `Prometheus answered ${what}, not an instant vector or a scalar`, {
      detail: expression,
      fix:
        resultType === 'matrix'
          ? `${where(q)}: drop the [range] at the end, or wrap the range selector in a function that makes one value per series (rate(), avg_over_time(), ...).`
          : `${where(q)}: write an expression whose value is a number per series.`,
    });
  }
  const verdict = judge.verdict();
  if (verdict.total === 0 && q.requires !== undefined) return withoutSeries(ctx, q, q.requires, [expression, ...warnings], make);
  return judged(q, verdict, [expression, ...warnings], make);
}

/** GET /api/v1/query at the run's time; Prometheus stops evaluating when what is left of the run's timeout is spent. */
function instantQuery(ctx: PrometheusContext, expression: string) {
  const leftMs = Math.max(1, Math.floor(ctx.timeoutMs - (Date.now() - ctx.now.getTime())));
  const params = new URLSearchParams({ query: expression, time: (ctx.now.getTime() / 1000).toFixed(3), timeout: `${leftMs}ms` });
  return ctx.api.getJson(`api/v1/query?${params.toString()}`, queryAnswerSchema);
}

/**
 * The expression matched nothing: ok only when the metric it reads exists (nothing crosses);
 * when `count(<requires>)` is empty too, nobody scrapes that metric and silence is not health.
 */
async function withoutSeries(ctx: PrometheusContext, q: PromQuery, requires: string, lead: string[], make: Make): Promise<Finding> {
  const metrics = { series: 0, crossing: 0, critical: 0 };
  const source = sourceLine(q);
  const what = snippet(requires, 80);
  const res = await instantQuery(ctx, `count(${requires})`);
  const detail = (line: string) => [...lead, `requires: ${snippet(requires, 300)}`, line, source].join('\n');
  if (!res.ok) {
    return make('unknown', `no series, and could not check that ${what} exists (${describeApiFailure(res.failure).replace(/\/api\/v1\/query\?\S*/, '/api/v1/query')})`, {
      detail: detail('Without that answer an empty result cannot be told from a metric nobody scrapes.'),
      metrics,
      fix: res.failure.type === 'api-error' && res.failure.errorType === 'bad_data' ? `${where(q)}: correct its requires (a selector of the metric the expression reads, e.g. pg_up).` : (apiFailureFix(res.failure) ?? 'run the check again; if it keeps failing, check the Prometheus URL and its load.'),
    });
  }
  const { result } = res.data.data;
  const first: unknown = Array.isArray(result) ? result[0] : undefined;
  const count = first ? readSample(first)?.value : undefined;
  if (count === undefined || !(count > 0)) {
    return make('unknown', `no data: no ${what} series (is its exporter scraped?)`, {
      detail: detail(`The expression matched no series because ${what} does not exist in this Prometheus: the exporter is down, not scraped, or names the metric otherwise. That is not "nothing crosses".`),
      metrics,
      fix: `check that the exporter runs and that Prometheus scrapes it (the prometheus.targets finding; Status > Targets in the Prometheus UI). If this Prometheus names the metric otherwise, correct ${where(q)}: your metric in its expression and requires.`,
    });
  }
  return make('ok', 'no series', {
    detail: detail(`${formatCount(count)} ${what} series exist; none matches the expression, so nothing is past the threshold.`),
    metrics,
  });
}

type Make = (status: Status, title: string, extra?: FindingExtra) => Finding;

function judged(q: PromQuery, v: QueryVerdict, lead: string[], make: Make): Finding {
  const fmt = (n: number) => formatQueryValue(n, q.unit);
  const dir = q.direction;
  const metrics: Record<string, number> = { series: v.total, crossing: v.crossing, critical: v.critical };
  if (v.worst && Number.isFinite(v.worst.value)) metrics.value = v.worst.value;
  const source = sourceLine(q);
  if (v.total === 0) {
    return make('ok', 'no series', {
      detail: [
        ...lead,
        'The expression matched no series, read as nothing past the threshold. If the metric it reads may be missing altogether (exporter gone, scrape job removed), give the query `requires: <that metric>`: no series is then unknown (no data) when the metric does not exist.',
        source,
      ].join('\n'),
      metrics,
    });
  }
  const nanLine = v.nan > 0 ? `${`${formatCount(v.nan)} series`} NaN (a division by zero, or a quantile over no requests): not judged` : undefined;
  if (v.nan === v.total) {
    return make('unknown', `${v.total === 1 ? 'the value is' : `all ${v.total} series are`} NaN: nothing to judge`, {
      detail: [...lead, nanLine!, source].join('\n'),
      metrics,
      fix: `${where(q)} divides by zero or takes a quantile of nothing (often: no traffic in the window); filter the divisor with > 0 so quiet series drop out, or check that the metric is still scraped.`,
    });
  }
  const lines = v.top.map((s) => `${mark(s.value, q)} ${fmt(s.value)}  ${labelText(s.labels)}`);
  if (v.crossing > v.top.length && v.crossing > 0) lines.push(`... ${formatCount(v.crossing - Math.min(v.crossing, v.top.length))} more series ${dir} ${fmt(q.warn)}`);
  const detail = [...lead, `thresholds: warn ${dir === 'above' ? 'at or above' : 'at or below'} ${fmt(q.warn)}, critical at ${fmt(q.crit)}; ${shownWords(v)}:`, ...lines, ...(nanLine ? [nanLine] : []), source].join('\n');
  const worst = fmt(v.worst!.value);
  if (v.status === 'ok') {
    const title = v.total === 1 ? `${worst} (warns ${dir === 'above' ? 'at or above' : 'at or below'} ${fmt(q.warn)})` : `${formatCount(v.total)} series, none ${dir} ${fmt(q.warn)} (worst ${worst})`;
    return make('ok', title, { detail, metrics });
  }
  const crit = v.critical > 0 && v.critical < v.crossing ? ` (${formatCount(v.critical)} ${dir} ${fmt(q.crit)})` : v.critical > 0 && q.crit !== q.warn ? ` (all ${dir} ${fmt(q.crit)})` : '';
  // One threshold for both (up == 0): the value is at it, not past it.
  const past = q.warn === q.crit ? `at or ${dir}` : dir;
  const title = `${formatCount(v.crossing)} of ${formatCount(v.total)} series ${past} ${fmt(q.warn)}${crit}, worst ${worst}${v.top[0] && Object.keys(v.top[0].labels).length ? ` ${labelText(v.top[0].labels, 80)}` : ''}`;
  return make(v.status, title, {
    detail,
    metrics,
    fix: q.fix ?? `the series listed are past the threshold (their labels say where); the runbook ${q.runbook ?? QUERIES_RUNBOOK} says what this query measures and what to do.`,
  });
}

/** "the series", "all 3 series", "the worst 5 of 12 series" (NaN ones are never listed). */
function shownWords(v: QueryVerdict): string {
  const shown = Math.min(TOP_SERIES, v.total - v.nan);
  if (shown === v.total) return v.total === 1 ? 'the series' : `all ${v.total} series`;
  return `the worst ${shown} of ${formatCount(v.total)} series`;
}

function failed(q: PromQuery, f: ApiFailure, expression: string, make: Make): Finding {
  if (f.type === 'api-error' && f.errorType === 'bad_data') {
    return make('unknown', `Prometheus rejected the expression: ${snippet(f.error, 200)}`, {
      detail: expression,
      fix: `${where(q)}: correct the expression (try it in the Prometheus UI's query page first).${q.pack ? ' A pack expression this Prometheus rejects: it may be too old for it (2.x is enough).' : ''}`,
    });
  }
  if (f.type === 'api-error' && (f.errorType === 'timeout' || f.errorType === 'canceled')) {
    return make('unknown', `Prometheus gave up evaluating it in time (${f.errorType}: ${snippet(f.error, 120)})`, {
      detail: expression,
      fix: `${where(q)} is too expensive for the target's timeout: narrow its selectors, shorten its [range], aggregate with sum by (...), or use a recording rule; or raise timeoutMs.`,
    });
  }
  if (f.type === 'malformed' && /larger than/.test(f.reason)) {
    return make('unknown', `the answer is too large to read (${f.reason.replace(/^the answer is /, '')})`, {
      detail: expression,
      fix: `${where(q)} returns too many series: aggregate it (max by (job) (...), topk(50, ...)) so it returns one series per thing to judge.`,
    });
  }
  const fix = apiFailureFix(f);
  return make('unknown', `could not query (${describeApiFailure(f).replace(/\/api\/v1\/query\?\S*/, '/api/v1/query')})`, { detail: expression, ...(fix && { fix }) });
}

function unreadable(q: PromQuery, what: string, expression: string, make: Make): Finding {
  return make('unknown', `Prometheus answered ${what}`, { detail: expression, fix: 'something other than Prometheus answers /api/v1/query at this URL (a proxy, another service): check the base URL with curl.' });
}

function readSample(item: unknown): { labels: Record<string, string>; value: number } | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const { metric, value } = item as { metric?: unknown; value?: unknown };
  if (typeof metric !== 'object' || metric === null || Array.isArray(metric) || !Array.isArray(value)) return undefined;
  const v = sampleValue(value[1]);
  return v === undefined ? undefined : { labels: metric as Record<string, string>, value: v };
}

function mark(value: number, q: PromQuery): string {
  const at = (t: number) => (q.direction === 'above' ? value >= t : value <= t);
  return Number.isNaN(value) ? '   ' : at(q.crit) ? 'crit' : at(q.warn) ? 'warn' : 'ok  ';
}

/** {instance="10.0.0.1:9100", job="node"}, the metric name in front when there is one, the labels that locate first; whole pairs only, up to `max` characters. */
function labelText(labels: Record<string, string>, max = MAX_LABEL_CHARS): string {
  const { __name__: rawName, ...rest } = labels;
  const name = rawName === undefined ? '' : shortText(rawName, 80);
  const pairs: string[] = [];
  let length = name.length + 2;
  const rank = (k: string) => (WHERE_LABELS.includes(k) ? WHERE_LABELS.indexOf(k) : WHERE_LABELS.length);
  const entries = Object.entries(rest).sort(([a], [b]) => rank(a) - rank(b));
  for (const [k, v] of entries) {
    const pair = `${shortText(k, 40)}="${shortText(v, 60)}"`;
    if (length + pair.length + 2 > max) {
      pairs.push('...');
      break;
    }
    pairs.push(pair);
    length += pair.length + 2;
  }
  return `${name}{${pairs.join(', ')}}`;
}

/**
 * A label name or value as one line of at most `max` characters: a value may hold a newline, a
 * control or a bidi-override character (from whatever the exporter scraped), or be megabytes long.
 */
function shortText(text: unknown, max: number): string {
  // eslint-disable-next-line no-control-regex
  const flat = String(text).slice(0, max * 2 + 2).replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]+/g, ' ');
  const chars = Array.from(flat);
  return chars.length > max ? `${chars.slice(0, max).join('')}...` : flat;
}

/** "from the node query pack", "from targets.prom.queries[2]": the last line of a detail. */
function sourceLine(q: PromQuery): string {
  return q.pack ? `from the ${q.pack} query pack` : `from ${q.source}`;
}

function where(q: PromQuery): string {
  return q.pack ? `the ${q.name} query of the ${q.pack} pack (override it with a query of the same name in ${q.source.replace(/\.queryPacks .*$/, '.queries')})` : `the query at ${q.source}`;
}
