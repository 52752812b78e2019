// PromQL checks against a local server that answers /api/v1/query the way Prometheus does: the
// {"status":"success","data":{"resultType":...,"result":...}} envelope, sample values as strings
// ("NaN", "+Inf"), and {"status":"error","errorType":"bad_data"} with HTTP 400 for an expression
// it cannot parse. The server answers by the expression it is asked, as a Prometheus would.
import { describe, expect, it } from 'vitest';
import { prometheusKind } from '../../../src/probes/prometheus/prometheus-kind.ts';
import type { Finding } from '../../../src/report.ts';
import type { TargetBase } from '../../../src/probes/probe-definition.ts';
import type { PrometheusTarget } from '../../../src/probes/prometheus/prometheus-target.ts';
import { prometheusRoutes, useFakeHttpServers, type FakeResponse, type SeenRequest } from '../http/fake-http-services.ts';
import { findingOf, runKind, type RunOptions } from '../http/probe-helpers.ts';
import { queryPack } from '../../../src/probes/prometheus/query-packs.ts';

const serve = useFakeHttpServers();

type Answer = FakeResponse | ((req: SeenRequest) => FakeResponse);

const vector = (series: Array<[Record<string, string>, string]>, t = 1_767_225_600.123): FakeResponse => ({
  body: { status: 'success', data: { resultType: 'vector', result: series.map(([metric, v]) => ({ metric, value: [t, v] })) } },
});
const badData = (error: string): FakeResponse => ({ status: 400, body: { status: 'error', errorType: 'bad_data', error } });

/** A Prometheus whose /api/v1/query answers each expression from `answers` (404-like bad_data for the others). */
async function prometheus(answers: Record<string, Answer>) {
  const s = await serve({
    ...prometheusRoutes(),
    '/api/v1/query': (req) => {
      const query = new URL(req.url, 'http://x').searchParams.get('query') ?? '';
      const a = answers[query];
      if (a === undefined) return badData(`unexpected query in this test: ${query}`);
      return typeof a === 'function' ? a(req) : a;
    },
  });
  return s;
}

interface Q {
  name: string;
  expression: string;
  warn: number;
  crit: number;
  direction?: 'above' | 'below';
  unit?: string;
  runbook?: string;
  requires?: string;
}
const run = (url: string, queries: Q[], extra: Record<string, unknown> = {}, options?: RunOptions) =>
  runKind(prometheusKind, { url, queries, ...extra } as Omit<PrometheusTarget, keyof TargetBase>, options);

const q = (f: Finding[], name: string) => findingOf(f, `prometheus.query.${name}`);

describe('prometheus PromQL checks', () => {
  it('above: counts the series at or past warn and crit, takes the worst, lists the top 5 with labels and % values', async () => {
    const values = ['0.5', '1', '2', '23.4', '3', '4.9', '5', '0', '7.25', '0.1', '2.2', '4'];
    const s = await prometheus({
      'err_ratio': vector(values.map((v, i) => [{ job: 'api', instance: `api-${i}:8080` }, v])),
    });
    const f = q(await run(s.url, [{ name: 'err_ratio', expression: 'err_ratio', warn: 5, crit: 10, unit: '%' }]), 'err_ratio');
    expect(f.status).toBe('crit');
    expect(f.title).toBe('err_ratio: 3 of 12 series above 5% (1 above 10%), worst 23.4% {instance="api-3:8080", job="api"}');
    const lines = f.detail!.split('\n');
    const listed = lines.filter((l) => /^(crit|warn|ok) /.test(l));
    expect(listed).toEqual([
      'crit 23.4%  {instance="api-3:8080", job="api"}',
      'warn 7.25%  {instance="api-8:8080", job="api"}',
      'warn 5%  {instance="api-6:8080", job="api"}',
      'ok   4.9%  {instance="api-5:8080", job="api"}',
      'ok   4%  {instance="api-11:8080", job="api"}',
    ]);
    expect(f.detail).toContain('expression: err_ratio');
    expect(f.metrics).toEqual({ series: 12, crossing: 3, critical: 1, value: 23.4 });
    expect(f.runbook).toBe('prometheus-queries');
    expect(f.fix).toMatch(/runbook prometheus-queries/);
  });

  it('above: all series under warn is ok, naming the worst; exactly at warn is a warning', async () => {
    const s = await prometheus({
      'under': vector([[{ job: 'a' }, '4.99'], [{ job: 'b' }, '1']]),
      'at_warn': vector([[{ job: 'a', note: 'line one\nline two' }, '5']]),
    });
    const f = await run(s.url, [
      { name: 'under', expression: 'under', warn: 5, crit: 10, unit: '%' },
      { name: 'at_warn', expression: 'at_warn', warn: 5, crit: 10, unit: '%' },
    ]);
    expect(q(f, 'under')).toMatchObject({ status: 'ok', title: 'under: 2 series, none above 5% (worst 4.99%)' });
    expect(q(f, 'under').fix).toBeUndefined();
    expect(q(f, 'at_warn')).toMatchObject({ status: 'warn', title: 'at_warn: 1 of 1 series above 5%, worst 5% {job="a", note="line one line two"}' });
    expect(q(f, 'at_warn').detail!.split('\n').filter((l) => l.startsWith('warn '))).toEqual(['warn 5%  {job="a", note="line one line two"}']);
  });

  it('below: less is worse, at crit is critical, at warn a warning, above warn ok; seconds and bytes formatted', async () => {
    const s = await prometheus({
      'disk_free': vector([[{ instance: 'db-1:9100', mountpoint: '/var' }, '5'], [{ instance: 'db-2:9100', mountpoint: '/' }, '42']]),
      'mem_free': vector([[{ instance: 'web-1:9100' }, '10']]),
      'free_bytes': vector([[{ instance: 'web-1:9100' }, '3221225472']]),
      'latency': vector([[{ job: 'api' }, '0.35']]),
    });
    const f = await run(s.url, [
      { name: 'disk_free', expression: 'disk_free', warn: 10, crit: 5, direction: 'below', unit: '%', runbook: 'k8s-storage' },
      { name: 'mem_free', expression: 'mem_free', warn: 10, crit: 5, direction: 'below', unit: '%' },
      { name: 'free_bytes', expression: 'free_bytes', warn: 1073741824, crit: 536870912, direction: 'below', unit: 'bytes' },
      { name: 'latency', expression: 'latency', warn: 1, crit: 3, unit: 's' },
    ]);
    expect(q(f, 'disk_free')).toMatchObject({ status: 'crit', title: 'disk_free: 1 of 2 series below 10% (all below 5%), worst 5% {instance="db-1:9100", mountpoint="/var"}', runbook: 'k8s-storage' });
    expect(q(f, 'mem_free')).toMatchObject({ status: 'warn', title: 'mem_free: 1 of 1 series below 10%, worst 10% {instance="web-1:9100"}' });
    expect(q(f, 'free_bytes')).toMatchObject({ status: 'ok', title: 'free_bytes: 3.0 GB (warns at or below 1.0 GB)' });
    expect(q(f, 'latency')).toMatchObject({ status: 'ok', title: 'latency: 350 ms (warns at or above 1 s)' });
  });

  it('asks an instant query at the run time, with the time left of the target timeout, and sends the target headers', async () => {
    const s = await prometheus({ 'up': vector([[{ job: 'x' }, '1']]) });
    const before = Date.now() / 1000;
    await run(s.url, [{ name: 'up_check', expression: 'up', warn: 0, crit: 0, direction: 'below' }], { headers: { authorization: 'Bearer tok-123' } }, { timeoutMs: 4000 });
    const req = s.requests.find((r) => r.url.startsWith('/api/v1/query?'))!;
    const params = new URL(req.url, 'http://x').searchParams;
    expect(params.get('query')).toBe('up');
    expect(Number(params.get('time'))).toBeGreaterThanOrEqual(Math.floor(before) - 1);
    expect(Number(params.get('time'))).toBeLessThanOrEqual(Date.now() / 1000);
    expect(params.get('timeout')).toMatch(/^\d+ms$/);
    expect(Number(params.get('timeout')!.replace('ms', ''))).toBeLessThanOrEqual(4000);
    expect(req.headers.authorization).toBe('Bearer tok-123');
  });

  it('the expression reaches Prometheus whole, whatever it holds (+, &, #, %, quotes, a newline), and is shown cut in the detail only', async () => {
    const expression = `sum by (job) (rate(http_requests_total{path=~"/a&b#c", q="x+y %20"}[5m]))\n  > 0 ${'+ 0 '.repeat(200)}`;
    const s = await prometheus({ [expression]: vector([[{ job: 'api' }, '0.5']]) });
    const f = q(await run(s.url, [{ name: 'odd', expression, warn: 1, crit: 2 }]), 'odd');
    expect(f).toMatchObject({ status: 'ok', title: 'odd: 0.5 (warns at or above 1)' });
    const raw = s.requests.find((r) => r.url.startsWith('/api/v1/query?'))!.url;
    expect(raw.split('?')[1]!.split('&').map((kv) => kv.split('=')[0])).toEqual(['query', 'time', 'timeout']);
    expect(raw).not.toMatch(/[#\s"]/);
    expect(f.title).not.toContain('sum by');
    expect(f.detail).toContain('expression: sum by (job) (rate(http_requests_total{path=~"/a&b#c", q="x+y %20"}[5m])) > 0 + 0');
    expect(f.detail!.split('\n')[0]!.length).toBeLessThanOrEqual('expression: '.length + 303);
  });

  it('no series without requires is ok and says so, pointing at requires for a metric that may be missing', async () => {
    const s = await prometheus({ 'pg_up == 0': vector([]) });
    const f = q(await run(s.url, [{ name: 'pg_alive', expression: 'pg_up == 0', warn: 0, crit: 0, direction: 'below' }]), 'pg_alive');
    expect(f).toMatchObject({ status: 'ok', title: 'pg_alive: no series' });
    expect(f.detail).toMatch(/requires: <that metric>/);
    expect(f.metrics).toEqual({ series: 0, crossing: 0, critical: 0 });
    expect(s.requests.filter((r) => r.url.startsWith('/api/v1/query?'))).toHaveLength(1);
  });

  it('no series with requires: ok when the metric exists (nothing crosses), unknown "no data" when it does not, unknown when that cannot be told', async () => {
    const s = await prometheus({
      'pg_up == 0': vector([]),
      'count(pg_up)': vector([[{}, '3']]),
      'redis_up == 0': vector([]),
      'count(redis_up)': vector([]),
      'x_up == 0': vector([]),
      'count(x_up{': badData('invalid parameter "query": 1:12: parse error: unexpected end of input inside braces'),
    });
    const f = await run(s.url, [
      { name: 'pg_down', expression: 'pg_up == 0', warn: 0, crit: 0, direction: 'below', requires: 'pg_up' },
      { name: 'redis_down', expression: 'redis_up == 0', warn: 0, crit: 0, direction: 'below', requires: 'redis_up' },
      { name: 'x_down', expression: 'x_up == 0', warn: 0, crit: 0, direction: 'below', requires: 'x_up{' },
    ]);
    expect(q(f, 'pg_down')).toMatchObject({ status: 'ok', title: 'pg_down: no series' });
    expect(q(f, 'pg_down').detail).toContain('3 pg_up series exist; none matches the expression');
    expect(q(f, 'redis_down')).toMatchObject({ status: 'unknown', title: 'redis_down: no data: no redis_up series (is its exporter scraped?)' });
    expect(q(f, 'redis_down').fix).toMatch(/Prometheus scrapes it .*prometheus\.targets/);
    expect(q(f, 'redis_down').metrics).toEqual({ series: 0, crossing: 0, critical: 0 });
    expect(q(f, 'x_down').status).toBe('unknown');
    expect(q(f, 'x_down').title).toMatch(/^x_down: no series, and could not check that x_up\{ exists/);
    expect(q(f, 'x_down').fix).toMatch(/correct its requires/);
    const asked = s.requests.filter((r) => r.url.startsWith('/api/v1/query?')).map((r) => new URL(r.url, 'http://x').searchParams);
    // The companion query is asked at the same time as the query, within the same timeout.
    const pair = asked.filter((p) => p.get('query') === 'pg_up == 0' || p.get('query') === 'count(pg_up)');
    expect(pair.map((p) => p.get('time'))).toEqual([pair[0]!.get('time'), pair[0]!.get('time')]);
    expect(pair.every((p) => /^\d+ms$/.test(p.get('timeout')!))).toBe(true);
  });

  it('every pack query names the metric it reads: a Prometheus without those metrics makes each one unknown (no data), not ok', async () => {
    const s = await prometheus(
      Object.fromEntries(
        (['http', 'node', 'postgres', 'redis'] as const).flatMap((p) => queryPack(p).flatMap((x) => [[x.expression, vector([])], [`count(${x.requires})`, vector([])]])),
      ),
    );
    const f = await run(s.url, [], { queryPacks: ['http', 'node', 'postgres', 'redis'] });
    const queries = f.filter((x) => x.check.startsWith('prometheus.query.'));
    expect(queries).toHaveLength(12);
    for (const x of queries) expect(x, x.check).toMatchObject({ status: 'unknown', title: expect.stringMatching(/: no data: no \w+ series \(is its exporter scraped\?\)$/) });
    expect(q(f, 'postgres_up').title).toBe('postgres_up: no data: no pg_up series (is its exporter scraped?)');
  });

  it('an expression Prometheus rejects (400 bad_data) is unknown with its error and where to fix it', async () => {
    const s = await prometheus({
      'rate(http_requests_total[5m]': badData('invalid parameter "query": 1:29: parse error: unclosed left parenthesis'),
      'up': vector([[{ job: 'x' }, '1']]),
    });
    const f = await run(s.url, [
      { name: 'ok_one', expression: 'up', warn: 2, crit: 3 },
      { name: 'broken', expression: 'rate(http_requests_total[5m]', warn: 1, crit: 2 },
    ]);
    const broken = q(f, 'broken');
    expect(broken.status).toBe('unknown');
    expect(broken.title).toBe('broken: Prometheus rejected the expression: invalid parameter "query": 1:29: parse error: unclosed left parenthesis');
    expect(broken.fix).toContain('targets.test-target.queries[1]');
    expect(q(f, 'ok_one').status).toBe('ok');
  });

  it('a scalar is one value; a range vector or a string is unknown, saying an instant vector or scalar is expected', async () => {
    const s = await prometheus({
      'scalar(sum(up))': { body: { status: 'success', data: { resultType: 'scalar', result: [1_767_225_600, '7'] } } },
      'up[5m]': { body: { status: 'success', data: { resultType: 'matrix', result: [{ metric: { job: 'x' }, values: [[1, '1'], [2, '1']] }] } } },
      '"hello"': { body: { status: 'success', data: { resultType: 'string', result: [1, 'hello'] } } },
    });
    const f = await run(s.url, [
      { name: 'targets_up', expression: 'scalar(sum(up))', warn: 5, crit: 10 },
      { name: 'ranged', expression: 'up[5m]', warn: 1, crit: 2 },
      { name: 'text', expression: '"hello"', warn: 1, crit: 2 },
    ]);
    expect(q(f, 'targets_up')).toMatchObject({ status: 'warn', title: 'targets_up: 1 of 1 series above 5, worst 7' });
    expect(q(f, 'ranged')).toMatchObject({ status: 'unknown', title: 'ranged: Prometheus answered a range vector (matrix), not an instant vector or a scalar' });
    expect(q(f, 'ranged').fix).toMatch(/rate\(\)/);
    expect(q(f, 'text')).toMatchObject({ status: 'unknown', title: 'text: Prometheus answered a string, not an instant vector or a scalar' });
  });

  it('NaN series are not judged and are counted apart; only NaN is unknown; +Inf crosses above', async () => {
    const s = await prometheus({
      'p99': vector([[{ job: 'quiet' }, 'NaN'], [{ job: 'api' }, '0.4'], [{ job: 'web' }, 'NaN']]),
      'p99_idle': vector([[{ job: 'quiet' }, 'NaN']]),
      'inf': vector([[{ job: 'api' }, '+Inf'], [{ job: 'web' }, '2']]),
      'neg': vector([[{ job: 'api' }, '-Inf']]),
    });
    const f = await run(s.url, [
      { name: 'p99', expression: 'p99', warn: 1, crit: 3, unit: 's' },
      { name: 'p99_idle', expression: 'p99_idle', warn: 1, crit: 3, unit: 's' },
      { name: 'inf', expression: 'inf', warn: 1, crit: 3, unit: 's' },
      { name: 'neg', expression: 'neg', warn: 10, crit: 5, direction: 'below', unit: '%' },
    ]);
    expect(q(f, 'p99')).toMatchObject({ status: 'ok', title: 'p99: 3 series, none above 1 s (worst 400 ms)' });
    expect(q(f, 'p99').detail).toContain('2 series NaN');
    expect(q(f, 'p99_idle')).toMatchObject({ status: 'unknown', title: 'p99_idle: the value is NaN: nothing to judge' });
    expect(q(f, 'inf')).toMatchObject({ status: 'crit', title: 'inf: 2 of 2 series above 1 s (1 above 3 s), worst +Inf {job="api"}' });
    expect(q(f, 'inf').metrics).toEqual({ series: 2, crossing: 2, critical: 1 });
    expect(q(f, 'neg').status).toBe('crit');
    expect(JSON.stringify(f)).not.toMatch(/null/);
  });

  it('labels from the scraped data stay one bounded line each: newlines, control and bidi characters, a megabyte value, a hostile metric name', async () => {
    const s = await prometheus({
      'hostile': vector([
        [{ __name__: 'evil\nmetric\u202e', 'job\rx': 'api', path: `/a\u0000b\u2028c\u202ed${'z'.repeat(1_000_000)}`, note: '*bold* <!channel> `code`' }, '9'],
      ]),
    });
    const f = q(await run(s.url, [{ name: 'hostile', expression: 'hostile', warn: 5, crit: 10 }]), 'hostile');
    expect(f.status).toBe('warn');
    // eslint-disable-next-line no-control-regex
    expect(f.title).not.toMatch(/[\n\r\u0000\u2028\u202e]/);
    expect(f.title.startsWith('hostile: 1 of 1 series above 5, worst 9 evil metric {job x="api", ')).toBe(true);
    expect(f.title.length).toBeLessThan(200);
    const line = f.detail!.split('\n').find((l) => l.startsWith('warn '))!;
    expect(line).toContain(`path="/a b c d${'z'.repeat(52)}..."`);
    expect(line.length).toBeLessThan(260);
    expect(f.detail!.length).toBeLessThan(1000);
  });

  it('a huge answer (100,000 series) is counted whole and only the worst 5 are listed', async () => {
    const result = Array.from({ length: 100_000 }, (_, i) => ({ metric: { __name__: 'x', instance: `host-${i}:9100`, job: 'node' }, value: [1_767_225_600, String(i % 1000)] }));
    const body = JSON.stringify({ status: 'success', data: { resultType: 'vector', result } });
    const s = await prometheus({ 'x': { body, headers: { 'content-type': 'application/json' } } });
    const f = q(await run(s.url, [{ name: 'big', expression: 'x', warn: 990, crit: 999 }], {}, { timeoutMs: 10_000 }), 'big');
    expect(f.status).toBe('crit');
    expect(f.title).toBe('big: 1,000 of 100,000 series above 990 (100 above 999), worst 999 x{instance="host-999:9100", job="node"}');
    expect(f.metrics).toEqual({ series: 100_000, crossing: 1000, critical: 100, value: 999 });
    const listed = f.detail!.split('\n').filter((l) => /^(crit|warn|ok) /.test(l));
    expect(listed).toHaveLength(5);
    expect(f.detail).toContain('... 995 more series above 990');
    expect(f.detail!.length).toBeLessThan(1500);
  });

  it('an answer larger than the client reads (32 MiB) is unknown, asking for an aggregation', async () => {
    const one = JSON.stringify({ metric: { __name__: 'x', instance: 'host-000000:9100', job: 'node', pad: 'p'.repeat(300) }, value: [1_767_225_600, '1'] });
    const count = Math.ceil((33 * 1024 * 1024) / one.length);
    const body = `{"status":"success","data":{"resultType":"vector","result":[${Array.from({ length: count }, () => one).join(',')}]}}`;
    const s = await prometheus({ 'x': { body, headers: { 'content-type': 'application/json' } } });
    const f = q(await run(s.url, [{ name: 'too_big', expression: 'x', warn: 5, crit: 10 }], {}, { timeoutMs: 10_000 }), 'too_big');
    expect(f.status).toBe('unknown');
    expect(f.title).toBe('too_big: the answer is too large to read (larger than 32 MiB)');
    expect(f.fix).toMatch(/aggregate it/);
  });

  it('a query Prometheus does not answer within the target timeout is unknown; the others still report', async () => {
    const s = await prometheus({
      'slow': { ...vector([[{ job: 'x' }, '1']]), delayMs: 3000 },
      'fast': vector([[{ job: 'x' }, '1']]),
      'prom_timeout': { status: 503, body: { status: 'error', errorType: 'timeout', error: 'query timed out in expression evaluation' } },
    });
    const f = await run(s.url, [
      { name: 'slow', expression: 'slow', warn: 5, crit: 10 },
      { name: 'fast', expression: 'fast', warn: 5, crit: 10 },
      { name: 'heavy', expression: 'prom_timeout', warn: 5, crit: 10 },
    ], {}, { timeoutMs: 700 });
    expect(q(f, 'slow').status).toBe('unknown');
    expect(q(f, 'slow').title).toMatch(/^slow: could not query \(timeout/);
    expect(q(f, 'fast').status).toBe('ok');
    expect(q(f, 'heavy')).toMatchObject({ status: 'unknown', title: 'heavy: Prometheus gave up evaluating it in time (timeout: query timed out in expression evaluation)' });
    expect(q(f, 'heavy').fix).toMatch(/timeoutMs/);
  });

  it('a token the server echoes back in its error is masked in the finding', async () => {
    const token = 'prom-token-9f8e7d6c5b4a';
    const s = await prometheus({ 'bad(': badData(`parse error near bad( (request authorization Bearer ${token})`) });
    const f = await run(s.url, [{ name: 'echo', expression: 'bad(', warn: 1, crit: 2 }], { headers: { authorization: `Bearer ${token}` } });
    expect(q(f, 'echo').status).toBe('unknown');
    expect(JSON.stringify(f)).not.toContain(token);
  });

  it('queryPacks adds the pack queries; a query of the target with the same name replaces the pack one', async () => {
    const seen: string[] = [];
    const s = await serve({
      ...prometheusRoutes(),
      '/api/v1/query': (req) => {
        const query = new URL(req.url, 'http://x').searchParams.get('query') ?? '';
        seen.push(query);
        if (query.startsWith('count(')) return vector([[{}, '1']]);
        return vector(query === 'my_redis_up' ? [[{ job: 'redis' }, '0']] : []);
      },
    });
    const f = await run(s.url, [{ name: 'redis_up', expression: 'my_redis_up', warn: 0, crit: 0, direction: 'below', runbook: 'redis-connection-problems' }], { queryPacks: ['redis'] });
    expect(f.filter((x) => x.check.startsWith('prometheus.query.')).map((x) => x.check)).toEqual([
      'prometheus.query.redis_memory_used',
      'prometheus.query.redis_rejected_connections',
      'prometheus.query.redis_up',
    ]);
    expect(seen).toContain('my_redis_up');
    expect(seen).not.toContain('redis_up');
    expect(q(f, 'redis_up')).toMatchObject({ status: 'crit', runbook: 'redis-connection-problems' });
    expect(q(f, 'redis_memory_used').status).toBe('ok');
  });

  it('without queries there is no query finding; a target whose queries are bad reports a configuration finding', async () => {
    const s = await prometheus({});
    const none = await run(s.url, []);
    expect(none.some((x) => x.check.startsWith('prometheus.query'))).toBe(false);
    const bad = await run(s.url, [{ name: 'x', expression: 'up', warn: 10, crit: 5 }]);
    const f = findingOf(bad, 'prometheus.query');
    expect(f).toMatchObject({ status: 'unknown', config: true });
    expect(f.title).toContain('targets.test-target.queries[0].crit: crit 5 is below warn 10');
  });

  it('an unreachable Prometheus reports reachable only, not one unknown per query', async () => {
    const s = await prometheus({});
    const url = s.url;
    await s.close();
    const f = await run(url, [{ name: 'a', expression: 'up', warn: 1, crit: 2 }, { name: 'b', expression: 'up', warn: 1, crit: 2 }], { queryPacks: ['node'] });
    expect(f.map((x) => x.check)).toEqual(['prometheus.reachable']);
    expect(f[0]!.status).toBe('crit');
  });
});
