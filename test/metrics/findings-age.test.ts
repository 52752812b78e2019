// The chatops_findings gauge counts a target's latest run for an hour: a target not probed again
// (its critical cleared, or removed from the config) drops out of the counts at the next scrape.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { metrics } from '../../src/metrics/metrics.ts';
import { FINDINGS_MAX_AGE_MS, recordProbeRun } from '../../src/metrics/record-probe-run.ts';
import type { Finding } from '../../src/report.ts';

const finding = (check: string, status: Finding['status']): Finding => ({ check, status, title: `${check} ${status}` });

/** The gauge's values for one kind, as a scrape reads them. */
async function scrape(kind: string): Promise<Record<string, number>> {
  const { values } = await metrics.findings.get();
  return Object.fromEntries(values.filter((v) => v.labels.kind === kind).map((v) => [`${v.labels.check} ${v.labels.status}`, v.value]));
}

afterEach(() => {
  vi.useRealTimers();
});

describe('chatops_findings', () => {
  it('leaves out, at scrape, targets whose latest run is older than an hour', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = new Date('2026-12-02T03:00:00Z').getTime();
    vi.setSystemTime(start);
    recordProbeRun('agetest', 'db-a', 0.1, [finding('agetest.connections', 'crit')]);
    vi.setSystemTime(start + 30 * 60_000);
    recordProbeRun('agetest', 'db-b', 0.1, [finding('agetest.connections', 'crit'), finding('agetest.replication', 'ok')]);
    expect(await scrape('agetest')).toEqual({ 'agetest.connections crit': 2, 'agetest.replication ok': 1 });

    // Just past an hour after db-a's run: only db-b counts.
    vi.setSystemTime(start + FINDINGS_MAX_AGE_MS + 1);
    expect(await scrape('agetest')).toEqual({ 'agetest.connections crit': 1, 'agetest.replication ok': 1 });

    // Past an hour after db-b's too: every pair reads 0 rather than its old count.
    vi.setSystemTime(start + 30 * 60_000 + FINDINGS_MAX_AGE_MS + 1);
    expect(await scrape('agetest')).toEqual({ 'agetest.connections crit': 0, 'agetest.replication ok': 0 });

    // A new run counts again.
    recordProbeRun('agetest', 'db-a', 0.1, [finding('agetest.connections', 'ok')]);
    expect(await scrape('agetest')).toEqual({ 'agetest.connections crit': 0, 'agetest.replication ok': 0, 'agetest.connections ok': 1 });
  });

  it('keeps a run within the hour', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = new Date('2026-12-02T05:00:00Z').getTime();
    vi.setSystemTime(start);
    recordProbeRun('agetest2', 'db-a', 0.1, [finding('agetest2.connections', 'warn')]);
    vi.setSystemTime(start + FINDINGS_MAX_AGE_MS - 1_000);
    expect(await scrape('agetest2')).toEqual({ 'agetest2.connections warn': 1 });
  });
});
