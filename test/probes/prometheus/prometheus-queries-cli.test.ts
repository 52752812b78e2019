// The PromQL checks through the real CLI: a chatops.yml with queries: and queryPacks:, loaded by
// the config loader, run by `chatops diag`, against a local server that answers /api/v1/query as
// Prometheus does; and `chatops config check` naming a bad query item by its key.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../../../src/report.ts';
import { isolatedCliEnv } from '../../cli/isolated-cli-env.ts';
import { prometheusRoutes, useFakeHttpServers } from '../http/fake-http-services.ts';

const BIN = path.resolve(import.meta.dirname, '../../../bin/chatops');
const serve = useFakeHttpServers();
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function chatops(args: string[], config: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chatops-prom-cli-'));
  dirs.push(dir);
  const file = path.join(dir, 'chatops.yml');
  writeFileSync(file, config);
  return new Promise((resolve) => {
    execFile(BIN, args, { env: { ...isolatedCliEnv(), CHATOPS_CONFIG: file }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('chatops diag with PromQL queries', () => {
  it('runs the configured queries and the pack, each its own finding, and exits with the worst status', async () => {
    const asked: string[] = [];
    const s = await serve({
      ...prometheusRoutes(),
      '/api/v1/query': (req) => {
        const query = new URL(req.url, 'http://x').searchParams.get('query') ?? '';
        asked.push(query);
        // redis_exporter is scraped (redis_up exists) but exports no memory metrics here.
        const result =
          query === 'job:errors:ratio' ? [{ metric: { job: 'checkout' }, value: [1_767_225_600, '7.5'] }] : query === 'count(redis_up)' ? [{ metric: {}, value: [1_767_225_600, '2'] }] : [];
        return { body: { status: 'success', data: { resultType: 'vector', result } } };
      },
    });
    const r = await chatops(
      ['diag', 'prom', '--json'],
      `targets:\n  prom:\n    kind: prometheus\n    url: ${s.url}\n    queryPacks: [redis]\n    queries:\n      - name: checkout_errors\n        expression: job:errors:ratio\n        warn: 5\n        crit: 10\n        unit: '%'\n`,
    );
    const report = JSON.parse(r.stdout) as Report;
    expect(r.code).toBe(1);
    const byId = Object.fromEntries(report.findings.map((f) => [f.check, f]));
    expect(byId['prometheus.query.checkout_errors']).toMatchObject({ status: 'warn', title: 'checkout_errors: 1 of 1 series above 5%, worst 7.5% {job="checkout"}', runbook: 'prometheus-queries' });
    expect(byId['prometheus.query.redis_up']).toMatchObject({ status: 'ok', title: 'redis_up: no series' });
    expect(byId['prometheus.query.redis_memory_used']).toMatchObject({ status: 'unknown', title: 'redis_memory_used: no data: no redis_memory_used_bytes series (is its exporter scraped?)' });
    expect(asked).toContain('redis_up');
    expect(asked).toContain('count(redis_memory_used_bytes)');
  });

  it('config check names a bad query item by its key and what is accepted', async () => {
    const r = await chatops(
      ['config', 'check'],
      `targets:\n  prom:\n    kind: prometheus\n    url: http://prometheus:9090\n    queries:\n      - { name: a, expression: up, warn: 1, crit: 2 }\n      - { name: b, expression: up, warn: 10, crit: 5 }\n      - { name: c, expression: up, warn: 1, crit: 2, direction: sideways }\n`,
    );
    expect(r.code).not.toBe(0);
    const out = r.stdout + r.stderr;
    expect(out).toContain('targets.prom.queries[1].crit: crit 5 is below warn 10');
    expect(out).toMatch(/targets\.prom\.queries\[2\]\.direction: .*\(got "sideways"\); accepted: "above", "below"/);
  });
});
