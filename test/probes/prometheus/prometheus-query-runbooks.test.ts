// The runbook ids named by PromQL queries, checked against the runbooks in runbooks/ as the bot
// loads them: a query naming a runbook that does not exist is reported at its key.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.ts';
import { QUERIES_RUNBOOK } from '../../../src/probes/prometheus/checks/query.ts';
import { queryRunbookProblems } from '../../../src/probes/prometheus/query-runbook-problems.ts';
import { allCheckIds } from '../../../src/probes/probe-registry.ts';
import { loadRunbooks } from '../../../src/runbooks/load-runbooks.ts';

const runbooks = loadRunbooks(path.resolve(import.meta.dirname, '../../../runbooks'), allCheckIds());
const q = (name: string, runbook?: string) => ({ name, expression: 'up', warn: 0, crit: 0, direction: 'below', ...(runbook && { runbook }) });

describe('runbooks named by PromQL queries', () => {
  it('a query naming a runbook that does not exist is a problem at its key; existing ids, no id and other kinds are not', () => {
    const config = parseConfig(
      {
        targets: {
          prom: { kind: 'prometheus', url: 'http://prometheus:9090', queryPacks: ['redis'], queries: [q('disk', 'k8s-storage'), q('checkout', 'checkout-errors'), q('plain')] },
          other: { kind: 'prom', url: 'http://prometheus-2:9090', queries: [q('x', 'no-such-runbook')] },
          web: { kind: 'http', url: 'http://web:8080' },
        },
      },
      'chatops.yml',
      {},
    );
    const problems = queryRunbookProblems(config.targets as never, runbooks.byId);
    expect(problems.map((p) => p.path)).toEqual(['targets.prom.queries[1].runbook', 'targets.other.queries[0].runbook']);
    expect(problems[0]!.message).toMatch(/^no runbook has the id "checkout-errors" .*known: .*k8s-storage.*prometheus-queries/);
    expect(problems[0]!.message).toMatch(/remove the key to use prometheus-queries$/);
  });

  it('the default runbook of the queries exists', () => {
    expect(runbooks.byId.has(QUERIES_RUNBOOK)).toBe(true);
  });
});
