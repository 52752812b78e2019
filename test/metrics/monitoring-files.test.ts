// deploy/monitoring/: the Prometheus rules pass promtool's checks and their unit tests, and the
// Grafana dashboard is a dashboard Grafana can import, with a query on every panel. That every
// metric name they use is one the bot exports is checked against a real scrape (bot-metrics.test.ts).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_FILE, MONITORING_DIR, RULES_FILE, RULES_TEST_FILE, dashboardExpressions, metricNames, ruleExpressions } from './monitoring-files.ts';

function promtool(...args: string[]): string {
  try {
    return execFileSync('promtool', args, { cwd: MONITORING_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as { code?: string; stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') throw new Error('promtool is not on PATH: install Debian\'s prometheus package (apt-get install -y --no-install-recommends prometheus), which ships it', { cause: error });
    throw new Error(`promtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`, { cause: error });
  }
}

describe('deploy/monitoring', () => {
  it('the alert rules pass promtool check rules', () => {
    expect(promtool('check', 'rules', RULES_FILE)).toMatch(/SUCCESS: 7 rules found/);
  });

  it('the alert rules pass their promtool unit tests (bot down, pages failing, timers piling up, rate limits)', () => {
    const out = promtool('test', 'rules', RULES_TEST_FILE);
    expect(out).toContain('SUCCESS');
    const tested = new Set([...readFileSync(RULES_TEST_FILE, 'utf8').matchAll(/alertname: (\w+)/g)].map((m) => m[1]));
    expect([...tested].sort()).toEqual(['ChatopsBotDown', 'ChatopsEscalationTimersPilingUp', 'ChatopsPagesFailing', 'ChatopsSlackRateLimited']);
  });

  it('the dashboard has a query on every panel, unique panel ids, and the datasource as a variable', () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as { uid: string; panels: Array<{ id: number; type: string; targets?: unknown[]; datasource?: { uid?: string } }>; templating: { list: Array<{ name: string; type: string }> } };
    expect(dashboard.uid).toBe('chatops-bot');
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dashboard.panels.filter((x) => x.type !== 'row')) {
      expect(p.targets?.length, `panel ${p.id}`).toBeGreaterThan(0);
      expect(p.datasource?.uid).toBe('${datasource}');
    }
    expect(dashboard.templating.list.find((v) => v.name === 'datasource')?.type).toBe('datasource');
  });

  it('reads the metric names out of PromQL (what the scrape check relies on)', () => {
    expect(metricNames('histogram_quantile(0.9, sum by (le, kind) (rate(chatops_probe_duration_seconds_bucket{job=~"$job"}[$__rate_interval])))')).toEqual(['chatops_probe_duration_seconds_bucket']);
    expect(metricNames('sum(rate(a_total{outcome="error"}[10m])) / sum(rate(b_total[10m])) > 0.1 or up{job="x"} == 0')).toEqual(['a_total', 'b_total', 'up']);
    const all = [...dashboardExpressions(), ...ruleExpressions()];
    expect(all.length).toBeGreaterThan(25);
    for (const e of all) expect(metricNames(e.expr).length, `${e.where}: ${e.expr}`).toBeGreaterThan(0);
  });
});
