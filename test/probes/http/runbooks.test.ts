import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRunbooks } from '../../../src/runbooks/load-runbooks.ts';
import { allCheckIds } from '../../../src/probes/probe-registry.ts';

const RUNBOOKS = path.resolve(import.meta.dirname, '../../../runbooks');

describe('runbooks of the http, prometheus and alertmanager checks', () => {
  it('every check id of the three kinds is explained by exactly one runbook', () => {
    const index = loadRunbooks(RUNBOOKS, allCheckIds());
    const ours = [...allCheckIds()].filter((c) => /^(http|prometheus|alertmanager)\./.test(c)).sort();
    expect(ours).toHaveLength(5 + 5 + 2);
    const owners = Object.fromEntries(ours.map((c) => [c, index.byCheck.get(c)]));
    expect(owners).toEqual({
      'alertmanager.alerts': 'alert-fatigue',
      'alertmanager.reachable': 'prometheus-targets-down',
      'http.body': 'http-health-endpoint',
      'http.certificate': 'http-health-endpoint',
      'http.latency': 'http-health-endpoint',
      'http.reachable': 'http-health-endpoint',
      'http.status': 'http-health-endpoint',
      'prometheus.alertmanagers': 'prometheus-targets-down',
      'prometheus.alerts': 'alert-fatigue',
      'prometheus.reachable': 'prometheus-targets-down',
      'prometheus.rules': 'prometheus-targets-down',
      'prometheus.targets': 'prometheus-targets-down',
    });
    for (const id of ['http-health-endpoint', 'prometheus-targets-down', 'alert-fatigue']) {
      const rb = index.byId.get(id)!;
      expect(rb.remedies).toEqual([]);
      expect(rb.body).toMatch(/^## Confirm[\s\S]*\n## Fix[\s\S]*\n## Prevent[\s\S]*\n## Escalate/);
    }
  });
});
