// The series of a digest's trend chart, read from a real state store: the run that posts the digest
// is on its own chart (its points are stamped when its probes started, after the slot), with the
// thresholds of each target's checks; and a digest with nothing to chart draws nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.ts';
import type { Config } from '../../src/config/config.ts';
import { digestTrendSeries } from '../../src/digest/digest-trend-series.ts';
import { buildTrendChartSvg, renderTrendChart } from '../../src/digest/render-trend-chart.ts';
import { silentLogger } from '../../src/logger.ts';
import type { Finding, Report, ReportSet } from '../../src/report.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { freshDatabaseUrl } from '../support/fresh-database.ts';

let store: Store;
let config: Config;
const DAY = 86_400_000;

beforeAll(async () => {
  store = await openStore({ databaseUrl: await freshDatabaseUrl('digest_trends'), dataDir: '/nonexistent', log: silentLogger() });
  config = parseConfig(
    {
      targets: {
        'main-db': { kind: 'postgres', url: 'postgres://app@db.internal:5432/app', thresholds: { connections: { warn: 70 } } },
        'web': { kind: 'http', url: 'https://example.com/health' },
      },
    },
    'test',
  );
});

afterAll(async () => {
  await store?.close();
});

function report(target: string, startedAt: Date, findings: Finding[]): Report {
  return { target, kind: 'postgres', status: 'ok', startedAt: startedAt.toISOString(), durationMs: 40, findings };
}

const db = (at: Date, pct: number, hit: number): Report => report('main-db', at, [
  { check: 'postgres.connections', status: 'ok', title: `Connections ${pct}%`, metrics: { pct, connections: pct * 2 } },
  { check: 'postgres.cache_hit', status: 'ok', title: `Cache hit ${hit}%`, metrics: { hit_pct: hit } },
  { check: 'postgres.reachable', status: 'ok', title: 'Reachable', metrics: { connect_ms: 4 } },
]);

const setOf = (...reports: Report[]): ReportSet => ({ status: 'ok', startedAt: reports[0]!.startedAt, durationMs: 60, reports });

describe('digestTrendSeries', () => {
  it("the first digest's chart has the run's own points, stamped after the slot, and draws them", async () => {
    const slot = new Date('2026-11-20T07:00:00.000Z');
    // The probes start a few milliseconds after the slot the digest stands for.
    const current = setOf(db(new Date(slot.getTime() + 7), 45, 99.5));
    await store.reportHistory.record(current.reports, 'digest:first', { runAt: slot });

    const { series, from, to } = await digestTrendSeries(config.targets.filter((t) => t.name === 'main-db'), store.reportHistory, current, slot, 7);
    expect(to.getTime()).toBeGreaterThanOrEqual(slot.getTime() + 7);
    expect(to.getTime() - from.getTime()).toBe(7 * DAY);
    expect(series.map((s) => [s.target, s.metric, s.unit, s.points.map((p) => [p.at.toISOString(), p.value]), s.thresholds])).toEqual([
      ['main-db', 'connections used', '%', [['2026-11-20T07:00:00.007Z', 45]], { warn: 70, crit: 95 }],
      ['main-db', 'cache hit', '%', [['2026-11-20T07:00:00.007Z', 99.5]], { warn: 98, crit: 90 }],
    ]);
    const svg = buildTrendChartSvg(series, { from, to })!;
    expect(svg).not.toContain('no data');
    expect(svg).toContain('>45%<');
    expect(svg).toContain('>99.5%<');
    expect(await renderTrendChart(series, { from, to })).toBeInstanceOf(Buffer);
  });

  it('the next digest has the stored points of the week and its own, each once', async () => {
    const slot = new Date('2026-12-20T07:00:00.000Z');
    const earlier = [1, 2, 3].map((d) => db(new Date(slot.getTime() - d * DAY + 5), 40 + d, 99 - d / 10));
    // Older than the week: not drawn.
    const old = db(new Date(slot.getTime() - 9 * DAY), 10, 50);
    await store.reportHistory.record([...earlier, old], 'digest:next');
    const current = setOf(db(new Date(slot.getTime() + 12), 60, 97.1));
    await store.reportHistory.record(current.reports, 'digest:next', { runAt: slot });

    const { series } = await digestTrendSeries(config.targets.filter((t) => t.name === 'main-db'), store.reportHistory, current, slot, 7);
    const hit = series.find((s) => s.metric === 'cache hit')!;
    // Oldest first; the run stored and in hand is one point, not two.
    expect(hit.points.map((p) => p.value)).toEqual([98.7, 98.8, 98.9, 97.1]);
    expect(hit.points.at(-1)).toEqual({ at: new Date(slot.getTime() + 12), value: 97.1 });
  });

  it('a digest whose targets have no charted metric draws nothing, so nothing is uploaded', async () => {
    const slot = new Date('2026-11-26T07:00:00.000Z');
    const web: Report = { target: 'web', kind: 'http', status: 'ok', startedAt: new Date(slot.getTime() + 3).toISOString(), durationMs: 20, findings: [{ check: 'http.latency', status: 'ok', title: '80 ms', metrics: { latency_ms: 80 } }] };
    const { series, from, to } = await digestTrendSeries(config.targets.filter((t) => t.name === 'web'), store.reportHistory, setOf(web), slot, 7);
    expect(series).toEqual([]);
    expect(await renderTrendChart(series, { from, to })).toBeUndefined();
  });
});
