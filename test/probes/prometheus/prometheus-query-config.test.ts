// The queries: and queryPacks: keys as the config loader checks them: each problem named at its
// key (targets.prom.queries[2].warn) with what is accepted; a good config parsed as written.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.ts';
import { parseQueryConfig, MAX_EXPRESSION_CHARS, MAX_QUERIES } from '../../../src/probes/prometheus/query-config.ts';
import { QUERY_PACK_NAMES, queryPack } from '../../../src/probes/prometheus/query-packs.ts';

const good = { name: 'errors', expression: 'sum(rate(http_requests_total{status=~"5.."}[5m]))', warn: 1, crit: 5 };

function problems(target: Record<string, unknown>): string {
  try {
    parseConfig({ targets: { prom: { kind: 'prometheus', url: 'http://prometheus:9090', ...target } } }, 'chatops.yml', {});
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('the config was accepted');
}

describe('prometheus queries config', () => {
  it('a good config is kept as written, direction defaulting to above', () => {
    const config = parseConfig(
      { targets: { prom: { kind: 'prometheus', url: 'http://prometheus:9090', queryPacks: ['node', 'redis'], queries: [good, { ...good, name: 'disk', warn: 10, crit: 5, direction: 'below', unit: '%', runbook: 'k8s-storage' }] } } },
      'chatops.yml',
      {},
    );
    const t = config.targets.find((x) => x.name === 'prom') as unknown as { queries: unknown[]; queryPacks: string[] };
    expect(t.queryPacks).toEqual(['node', 'redis']);
    const parsed = parseQueryConfig(t, 'targets.prom');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.queries.map((q) => q.name)).toEqual([...queryPack('node'), ...queryPack('redis')].map((q) => q.name).concat(['errors', 'disk']));
    expect(parsed.queries.find((q) => q.name === 'errors')).toMatchObject({ direction: 'above', source: 'targets.prom.queries[0]' });
    expect(parsed.queries.find((q) => q.name === 'disk')).toMatchObject({ direction: 'below', unit: '%', runbook: 'k8s-storage' });
  });

  it('warn and crit the wrong way round for the direction name the item key', () => {
    expect(problems({ queries: [good, good && { ...good, name: 'b' }, { ...good, name: 'c', warn: 10, crit: 5 }] })).toContain(
      'targets.prom.queries[2].crit: crit 5 is below warn 10: with direction above (higher is worse) crit must be at or above warn',
    );
    expect(problems({ queries: [{ ...good, direction: 'below', warn: 5, crit: 10 }] })).toContain(
      'targets.prom.queries[0].crit: crit 10 is above warn 5: with direction below (lower is worse) crit must be at or below warn',
    );
  });

  it('a missing or non-numeric threshold, a bad name, a bad direction or unit, an unknown key', () => {
    const { warn: _w, ...noWarn } = good;
    expect(problems({ queries: [good, good && { ...good, name: 'b' }, noWarn] })).toMatch(/targets\.prom\.queries\[2\]\.warn: required: the warning threshold: a number is expected/);
    expect(problems({ queries: [{ ...good, crit: 'high' }] })).toMatch(/targets\.prom\.queries\[0\]\.crit: the critical threshold: a number is expected \(got "high"\)/);
    expect(problems({ queries: [{ ...good, name: 'Error-Rate' }] })).toMatch(/targets\.prom\.queries\[0\]\.name: a name of lowercase letters, digits and _ \(at most 64\) is expected \(got "Error-Rate"\)/);
    expect(problems({ queries: [{ ...good, direction: 'up' }] })).toMatch(/targets\.prom\.queries\[0\]\.direction: .*\(got "up"\); accepted: "above", "below"/);
    expect(problems({ queries: [{ ...good, unit: 'percent' }] })).toMatch(/targets\.prom\.queries\[0\]\.unit: .*; accepted: "%", "s", "ms", "bytes", "count", "ratio"/);
    expect(problems({ queries: [{ ...good, treshold: 3 }] })).toContain('targets.prom.queries[0]: unknown key treshold; accepted keys: name, expression, warn, crit, direction, unit, runbook, requires, workload');
    expect(problems({ queries: [{ ...good, requires: 42 }] })).toContain('targets.prom.queries[0].requires: a PromQL selector of the metric the expression reads (a string, e.g. pg_up) is expected');
    expect(problems({ queries: [{ ...good, requires: ' ' }] })).toContain('targets.prom.queries[0].requires: a PromQL selector of at most');
    expect(problems({ queries: ['up > 1'] })).toContain('targets.prom.queries[0]: a mapping with the keys name, expression, warn, crit, direction, unit, runbook, requires, workload is expected');
  });

  it('expressions are non-empty and bounded; names unique per target; at most MAX_QUERIES queries', () => {
    expect(problems({ queries: [{ ...good, expression: '   ' }] })).toContain('targets.prom.queries[0].expression: an expression is required');
    expect(problems({ queries: [{ ...good, expression: `sum(up)${' '.repeat(MAX_EXPRESSION_CHARS)}` }] })).toContain(`targets.prom.queries[0].expression: an expression of at most ${MAX_EXPRESSION_CHARS} characters is expected`);
    expect(problems({ queries: [good, { ...good, expression: 'up' }] })).toContain('targets.prom.queries[1].name: name errors is already used by queries[0]; names are unique per target');
    expect(problems({ queries: Array.from({ length: MAX_QUERIES + 1 }, (_, i) => ({ ...good, name: `q${i}` })) })).toContain(`targets.prom.queries: at most ${MAX_QUERIES} queries per target`);
  });

  it('queryPacks accepts the pack names only, each once', () => {
    expect(problems({ queryPacks: ['node', 'mysql'] })).toMatch(/targets\.prom\.queryPacks\[1\]: unknown query pack \(got "mysql"\); accepted: "http", "node", "postgres", "redis"/);
    expect(problems({ queryPacks: ['node', 'node'] })).toContain('targets.prom.queryPacks[1]: pack node is listed twice');
    expect(problems({ querypacks: ['node'] })).toMatch(/unknown key querypacks; accepted keys: .*queries, queryPacks/);
  });

  it('every pack query is valid as a query of the target (name, thresholds in its direction, unit)', () => {
    for (const pack of QUERY_PACK_NAMES) {
      const items = queryPack(pack).map(({ description: _d, fix: _f, ...q }) => q);
      const res = parseQueryConfig({ queries: items });
      expect(res.ok, pack).toBe(true);
      for (const q of queryPack(pack)) {
        expect(q.name.startsWith(pack === 'node' ? 'node_' : `${pack}_`), q.name).toBe(true);
        expect(q.fix.length).toBeGreaterThan(20);
      }
    }
  });
});

describe('the packs are documented', () => {
  it('the runbook and docs/query-packs.md name every pack query, and the docs give its expression', async () => {
    const { readFile } = await import('node:fs/promises');
    const root = new URL('../../../', import.meta.url);
    const runbook = await readFile(new URL('runbooks/prometheus-queries.md', root), 'utf8');
    const docs = await readFile(new URL('docs/query-packs.md', root), 'utf8');
    for (const pack of QUERY_PACK_NAMES) {
      for (const q of queryPack(pack)) {
        expect(runbook, q.name).toContain(`\`${q.name}\``);
        expect(docs, q.name).toContain(`\`${q.expression.replace(/\|/g, '\\|')}\``);
      }
    }
  });
});
