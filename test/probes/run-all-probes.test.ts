import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { runAllProbes } from '../../src/probes/run-all-probes.ts';
import { buildReport, type Status } from '../../src/report.ts';
import type { Target } from '../../src/config/config.ts';

const target = (name: string): Target => ({ name, kind: 'postgres', timeoutMs: 1000, thresholds: {}, url: 'x' });

describe('runAllProbes', () => {
  it('runs every target, never more at once than the limit, and sorts the reports worst first', async () => {
    const statuses: Record<string, Status> = { a: 'ok', b: 'crit', c: 'warn', d: 'ok', e: 'unknown', f: 'crit', g: 'ok' };
    let active = 0;
    let maxActive = 0;
    const progress: number[] = [];
    const set = await runAllProbes(Object.keys(statuses).map(target), {
      log: silentLogger(),
      concurrency: 3,
      onProgress: (done, total) => progress.push(done * 100 + total),
      runOne: async (t) => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        await new Promise((r) => setTimeout(r, 5 + (t.name.charCodeAt(0) % 3) * 5));
        active -= 1;
        return buildReport(t.name, t.kind, new Date(), [{ check: 'postgres.reachable', status: statuses[t.name]!, title: t.name }]);
      },
    });
    expect(maxActive).toBe(3);
    expect(set.status).toBe('crit');
    expect(set.reports.map((r) => r.target)).toEqual(['b', 'f', 'c', 'e', 'a', 'd', 'g']);
    expect(progress).toEqual([107, 207, 307, 407, 507, 607, 707]);
  });

  it('returns an ok, empty set for no targets', async () => {
    const set = await runAllProbes([], { log: silentLogger() });
    expect(set).toMatchObject({ status: 'ok', reports: [] });
  });
});
