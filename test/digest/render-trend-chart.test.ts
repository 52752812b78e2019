// The trend chart renderer: real PNGs decoded with pngjs, checked for size, drawn pixels and limits.
import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { TREND_CHART_LIMITS, buildTrendChartSvg, renderTrendChart } from '../../src/digest/render-trend-chart.ts';
import type { TrendSeries } from '../../src/digest/render-trend-chart.ts';

const HOUR = 3_600_000;
const TO = new Date('2025-06-10T06:00:00.000Z');
const FROM = new Date(TO.getTime() - 7 * 24 * HOUR);
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function hourly(target: string, metric: string, unit: TrendSeries['unit'], value: (h: number) => number | null): TrendSeries {
  const points: TrendSeries['points'] = [];
  for (let h = 0; h <= 7 * 24; h++) {
    const v = value(h);
    if (v !== null) points.push({ at: new Date(FROM.getTime() + h * HOUR), value: v });
  }
  return { target, metric, unit, points };
}

function fleet(targets: number): TrendSeries[] {
  const series: TrendSeries[] = [];
  for (let t = 0; t < targets; t++) {
    const target = `db-${String(t).padStart(2, '0')}`;
    series.push(hourly(target, 'connections used', '%', (h) => 40 + 30 * Math.sin(h / 9 + t)));
    series.push(hourly(target, 'cache hit rate', '%', (h) => 96 + 3 * Math.cos(h / 7)));
    series.push(hourly(target, 'memory used', '%', (h) => 55 + h / 8));
  }
  return series;
}

function decode(png: Buffer): PNG {
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  return PNG.sync.read(png);
}

/** Pixels in the box [x0, x1) x [y0, y1) that are not (near) white. */
function inkPixels(img: PNG, x0: number, y0: number, x1: number, y1: number): number {
  let count = 0;
  for (let y = Math.max(0, y0); y < Math.min(img.height, y1); y++) {
    for (let x = Math.max(0, x0); x < Math.min(img.width, x1); x++) {
      const i = (y * img.width + x) * 4;
      if ((img.data[i] ?? 255) < 200 || (img.data[i + 1] ?? 255) < 200 || (img.data[i + 2] ?? 255) < 200) count++;
    }
  }
  return count;
}

/** Orange-ish pixels (the second palette colour, #D55E00, also when anti-aliased against white). */
function orangePixels(img: PNG, box: { x0: number; y0: number; x1: number; y1: number }): number {
  let count = 0;
  for (let y = box.y0; y < box.y1; y++) {
    for (let x = box.x0; x < box.x1; x++) {
      const i = (y * img.width + x) * 4;
      const [r, g, b] = [img.data[i] ?? 0, img.data[i + 1] ?? 0, img.data[i + 2] ?? 0];
      if (r - g > 50 && r - b > 90) count++;
    }
  }
  return count;
}

describe('renderTrendChart', () => {
  it('renders a PNG of the default width with 200 px per panel, and draws the title text with the shipped font', async () => {
    const png = await renderTrendChart(fleet(2), { from: FROM, to: TO, title: 'Morning digest' });
    // IHDR holds the size right after the signature: check it by hand as well as through the decoder.
    expect(png.readUInt32BE(16)).toBe(1000);
    const img = decode(png);
    expect(img.width).toBe(1000);
    expect(img.height).toBeGreaterThan(2 * TREND_CHART_LIMITS.panelHeight);
    expect(img.height).toBeLessThan(2 * TREND_CHART_LIMITS.panelHeight + 140);
    // The title is the only thing in the top-left corner: text pixels mean the font was loaded.
    expect(inkPixels(img, 0, 0, 300, 34)).toBeGreaterThan(150);
    // The x-axis day labels and the y-axis labels are drawn too (text under / left of the plot).
    expect(inkPixels(img, 0, 60, 60, img.height)).toBeGreaterThan(200);
  });

  it('honours width and height, within the limits', async () => {
    const img = decode(await renderTrendChart(fleet(1), { from: FROM, to: TO, width: 640, height: 360 }));
    expect([img.width, img.height]).toEqual([640, 360]);
    const big = decode(await renderTrendChart(fleet(1), { from: FROM, to: TO, width: 99_999, height: 99_999 }));
    expect([big.width, big.height]).toEqual([TREND_CHART_LIMITS.maxWidth, TREND_CHART_LIMITS.maxHeight]);
  });

  it('renders several series with gaps, leaving the missing hours blank', async () => {
    // connections used is missing between hour 40 and hour 100 for db-00.
    const series = [
      hourly('db-00', 'connections used', '%', (h) => (h > 40 && h < 100 ? null : 62)),
      hourly('db-00', 'cache hit rate', '%', (h) => (h % 24 < 6 ? null : 90)),
      hourly('db-00', 'pods not ready', 'count', (h) => (h % 30 < 2 ? 3 : 0)),
      { target: 'db-01', metric: 'connections used', unit: '%' as const, points: [{ at: new Date(FROM.getTime() + 5 * HOUR), value: 20 }] },
      { target: 'db-02', metric: 'memory used', unit: '%' as const, points: [] },
    ];
    const svg = buildTrendChartSvg(series, { from: FROM, to: TO });
    // A lone point is a dot; a target without points says "no data".
    expect(svg).toContain('<circle');
    expect(svg).toContain('no data');

    const img = decode(await renderTrendChart(series, { from: FROM, to: TO }));
    expect(img.width).toBe(1000);
    // Panel 1's plot: the 62% line (orange) is drawn left of the gap and right of it, not inside it.
    const plotX = 16 + 52;
    const plotW = 1000 - 2 * 16 - 52 - 48;
    const xAt = (h: number): number => Math.round(plotX + (h / 168) * plotW);
    // Below the one-line legend (header 80 px), within the first panel.
    const headerAndPanel = { y0: 80, y1: 80 + 200 };
    expect(orangePixels(img, { x0: xAt(5), x1: xAt(35), ...headerAndPanel })).toBeGreaterThan(50);
    expect(orangePixels(img, { x0: xAt(50), x1: xAt(90), ...headerAndPanel })).toBe(0);
    expect(orangePixels(img, { x0: xAt(105), x1: xAt(160), ...headerAndPanel })).toBeGreaterThan(50);
  });

  it('renders a "no data" chart for an empty series list instead of throwing', async () => {
    const png = await renderTrendChart([], { from: FROM, to: TO });
    const img = decode(png);
    expect(img.width).toBe(1000);
    expect(img.height).toBeGreaterThanOrEqual(TREND_CHART_LIMITS.minHeight);
    expect(buildTrendChartSvg([], { from: FROM, to: TO })).toContain('No data');
    // "No data" is written in the middle of the panel.
    expect(inkPixels(img, 400, img.height / 2 - 40, 600, img.height / 2 + 30)).toBeGreaterThan(100);
    // Series whose points all fall outside the period are "no data" too.
    const outside = [hourly('db-00', 'memory used', '%', () => 50)].map((s) => ({
      ...s,
      points: s.points.map((p) => ({ at: new Date(p.at.getTime() - 30 * 24 * HOUR), value: p.value })),
    }));
    expect(buildTrendChartSvg(outside, { from: FROM, to: TO })).toContain('No data');
  });

  it('clamps % values outside 0-100 to the plot', async () => {
    const series = [hourly('db-00', 'connections used', '%', (h) => (h % 2 === 0 ? 250 : -80))];
    const svg = buildTrendChartSvg(series, { from: FROM, to: TO });
    const path = /<path d="([^"]+)"/.exec(svg)?.[1] ?? '';
    const ys = [...path.matchAll(/[ML][\d.]+ ([\d.]+)/g)].map((m) => Number(m[1]));
    expect(ys.length).toBe(169);
    const rect = /<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)" fill="#fafafa"/.exec(svg);
    const top = Number(rect?.[1]);
    const bottom = top + Number(rect?.[2]);
    expect(Math.min(...ys)).toBeCloseTo(top, 1);
    expect(Math.max(...ys)).toBeCloseTo(bottom, 1);
    const img = decode(await renderTrendChart(series, { from: FROM, to: TO }));
    expect(img.width).toBe(1000);
  });

  it('keeps 20 targets x 3 metrics x 7 days of hourly points under the size cap', async () => {
    const png = await renderTrendChart(fleet(20), { from: FROM, to: TO });
    const img = decode(png);
    expect(img.width).toBeLessThanOrEqual(TREND_CHART_LIMITS.maxWidth);
    expect(img.height).toBeLessThanOrEqual(TREND_CHART_LIMITS.maxHeight);
    expect(png.length).toBeLessThan(1_500_000);
    // All 20 panels are shown (each gets close to 200 px), none is left out.
    expect(buildTrendChartSvg(fleet(20), { from: FROM, to: TO })).not.toContain('not shown');
  });

  it('leaves out panels that would be too small, and says so', async () => {
    const svg = buildTrendChartSvg(fleet(60), { from: FROM, to: TO });
    expect(svg).toMatch(/… \d+ more panels not shown/);
    const img = decode(await renderTrendChart(fleet(60), { from: FROM, to: TO }));
    expect(img.height).toBe(TREND_CHART_LIMITS.maxHeight);
  });

  it('gives the same bytes for the same input', async () => {
    const a = await renderTrendChart(fleet(3), { from: FROM, to: TO, title: 'x' });
    const b = await renderTrendChart(fleet(3), { from: FROM, to: TO, title: 'x' });
    expect(a.equals(b)).toBe(true);
  });

  it('escapes names and rejects an empty period', async () => {
    const svg = buildTrendChartSvg([hourly('a<b>&"c"', 'm', '%', () => 1)], { from: FROM, to: TO });
    expect(svg).toContain('a&lt;b&gt;&amp;&quot;c&quot;');
    await expect(renderTrendChart([], { from: TO, to: FROM })).rejects.toThrow(RangeError);
  });
});
