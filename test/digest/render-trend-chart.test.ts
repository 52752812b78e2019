// The trend chart renderer: real PNGs decoded with pngjs, checked for size, drawn pixels and limits;
// the SVG for what each panel draws: its legend and unit, a fitted axis, threshold bands, the latest value.
import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { percentScale } from '../../src/digest/chart-scale.ts';
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

function decode(png: Buffer | undefined): PNG {
  expect(png).toBeDefined();
  expect(png!.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  return PNG.sync.read(png!);
}

function svgOf(series: TrendSeries[], options = { from: FROM, to: TO }): string {
  const svg = buildTrendChartSvg(series, options);
  expect(svg).toBeDefined();
  return svg!;
}

/** The plot rectangles, panel by panel. */
function plots(svg: string): Array<{ x: number; y: number; w: number; h: number }> {
  return [...svg.matchAll(/<rect class="plot" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g)]
    .map((m) => ({ x: Number(m[1]), y: Number(m[2]), w: Number(m[3]), h: Number(m[4]) }));
}

/** The svg of panel `i`: from its title to the next panel's. */
function panelSvg(svg: string, i: number): string {
  const starts = [...svg.matchAll(/<text x="[\d.]+" y="[\d.]+" font-size="13" font-weight="bold"/g)].map((m) => m.index);
  return svg.slice(starts[i], starts[i + 1]);
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
    expect(png?.readUInt32BE(16)).toBe(1000);
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
    const svg = svgOf(series);
    // A lone point is a dot; a target without points says "no data".
    expect(svg).toContain('<circle');
    expect(svg).toContain('no data');

    const img = decode(await renderTrendChart(series, { from: FROM, to: TO }));
    expect(img.width).toBe(1000);
    // db-00's panels, by metric name: cache hit rate, connections used (orange), pods not ready.
    const plot = plots(svg)[1]!;
    const xAt = (h: number): number => Math.round(plot.x + (h / 168) * plot.w);
    const inPlot = { y0: Math.round(plot.y), y1: Math.round(plot.y + plot.h) };
    // The 62% line is drawn left of the gap and right of it, not inside it.
    expect(orangePixels(img, { x0: xAt(5), x1: xAt(35), ...inPlot })).toBeGreaterThan(20);
    expect(orangePixels(img, { x0: xAt(50), x1: xAt(90), ...inPlot })).toBe(0);
    expect(orangePixels(img, { x0: xAt(105), x1: xAt(160), ...inPlot })).toBeGreaterThan(20);
  });

  it('draws nothing when there is nothing to draw: no series, or no point in the period', async () => {
    expect(await renderTrendChart([], { from: FROM, to: TO })).toBeUndefined();
    expect(buildTrendChartSvg([], { from: FROM, to: TO })).toBeUndefined();
    expect(buildTrendChartSvg([{ target: 'db', metric: 'cache hit', unit: '%', points: [] }], { from: FROM, to: TO })).toBeUndefined();
    // Series whose points all fall outside the period have nothing to draw either.
    const outside = [hourly('db-00', 'memory used', '%', () => 50)].map((s) => ({
      ...s,
      points: s.points.map((p) => ({ at: new Date(p.at.getTime() - 30 * 24 * HOUR), value: p.value })),
    }));
    expect(await renderTrendChart(outside, { from: FROM, to: TO })).toBeUndefined();
  });

  it('gives each panel its own legend, with the metric, its colour and its unit', () => {
    const svg = svgOf([
      hourly('db', 'connections used', '%', () => 40),
      hourly('db', 'cache hit', '%', () => 99),
      hourly('api', 'response time', 'ms', () => 120),
    ]);
    const legends = [...svg.matchAll(/<g class="legend">([\s\S]*?)<\/g>/g)].map((m) => m[1]!);
    expect(legends).toHaveLength(3);
    expect(legends[0]).toMatch(/stroke="#0072B2"[\s\S]*>cache hit \(%\)</);
    expect(legends[1]).toMatch(/stroke="#D55E00"[\s\S]*>connections used \(%\)</);
    expect(legends[2]).toContain('>response time (ms)<');
    // No legend for the chart as a whole: the panels carry theirs.
    expect(svg.split('<g class="legend">')[0]).not.toContain('cache hit');
  });

  it('fits a hit-rate axis to its data: a fall from 99.5% to 97% spans much of the plot', () => {
    expect(percentScale([99.5, 97, 98])).toEqual({ min: 94, max: 100, ticks: [94, 96, 98, 100] });
    // Never beyond 0-100, and a steady value is not blown up into noise.
    expect(percentScale([0.2, 0.1])).toMatchObject({ min: 0 });
    const steady = percentScale([40, 40.4]);
    expect(steady.max - steady.min).toBeGreaterThanOrEqual(5);
    expect(percentScale([])).toEqual({ min: 0, max: 100, ticks: [0, 25, 50, 75, 100] });

    const svg = svgOf([{ ...hourly('db', 'cache hit', '%', (h) => 99.5 - (h / 168) * 2.5), thresholds: { warn: 98, crit: 90 } }]);
    const plot = plots(svg)[0]!;
    const labels = [...svg.matchAll(/text-anchor="end" fill="#555">([\d.]+)%</g)].map((m) => Number(m[1]));
    expect(Math.min(...labels)).toBeGreaterThanOrEqual(90);
    expect(Math.max(...labels)).toBe(100);
    const ys = [...(/<path d="([^"]+)"/.exec(svg)?.[1] ?? '').matchAll(/[ML][\d.]+ ([\d.]+)/g)].map((m) => Number(m[1]));
    // On 0-100 the fall would be 2.5% of the plot's height; fitted, it is over a third.
    expect((Math.max(...ys) - Math.min(...ys)) / plot.h).toBeGreaterThan(0.35);
  });

  it('draws the warn and crit thresholds as bands, above or below as the check judges', () => {
    const connections = svgOf([{ ...hourly('db', 'connections used', '%', (h) => 50 + (h / 168) * 46), thresholds: { warn: 80, crit: 95 } }]);
    const band = (svg: string, level: 'warn' | 'crit') => {
      const m = new RegExp(`<rect class="band-${level}" x="[\\d.]+" y="([\\d.]+)" width="[\\d.]+" height="([\\d.]+)"`).exec(svg);
      return m ? { y: Number(m[1]), h: Number(m[2]) } : undefined;
    };
    const plot = plots(connections)[0]!;
    const warn = band(connections, 'warn')!;
    const crit = band(connections, 'crit')!;
    // Higher is worse: crit at the top of the plot, warn under it, both inside the plot.
    expect(crit.y).toBeCloseTo(plot.y, 0);
    expect(warn.y + warn.h).toBeLessThanOrEqual(plot.y + plot.h);
    expect(warn.y).toBeCloseTo(crit.y + crit.h, 0);
    expect(connections).toContain('>warn above 80%<');
    expect(connections).toContain('>crit above 95%<');

    // Lower is worse (crit below warn): the warn band is under 98%; crit (below 90%) is off this axis.
    const hit = svgOf([{ ...hourly('db', 'cache hit', '%', (h) => 99.5 - (h / 168) * 2.5), thresholds: { warn: 98, crit: 90 } }]);
    const hitPlot = plots(hit)[0]!;
    const hitWarn = band(hit, 'warn')!;
    expect(hitWarn.y + hitWarn.h).toBeCloseTo(hitPlot.y + hitPlot.h, 0);
    expect(hit).not.toContain('class="band-crit"');
    expect(hit).toContain('>warn below 98%<');
    expect(hit).toContain('>crit below 90%<');
    // No thresholds, no bands.
    expect(svgOf([hourly('db', 'memory used', '%', () => 50)])).not.toContain('class="band-');
  });

  it('ends each line with its latest value, next to its last point', () => {
    const svg = svgOf([
      hourly('db', 'cache hit', '%', (h) => (h === 168 ? 97.14 : 99.5)),
      { target: 'db', metric: 'connections used', unit: '%', points: [{ at: new Date(TO.getTime() - HOUR), value: 45 }] },
      hourly('api', 'response time', 'ms', () => 480),
    ]);
    const latest = [...svg.matchAll(/<circle class="latest" cx="([\d.]+)"[^>]*\/>\n<text class="latest" x="([\d.]+)"[^>]*fill="(#[0-9A-Fa-f]+)">([^<]+)</g)]
      .map((m) => ({ dot: Number(m[1]), x: Number(m[2]), color: m[3], text: m[4] }));
    expect(latest.map((l) => [l.text, l.color])).toEqual([['97.1%', '#0072B2'], ['45%', '#D55E00'], ['480 ms', '#009E73']]);
    for (const l of latest) expect(l.x).toBeGreaterThan(l.dot);
    const [cacheHit] = plots(svg);
    // The last point is at the end of the period: its label sits right of the plot, in the panel.
    expect(latest[0]!.dot).toBeCloseTo(cacheHit!.x + cacheHit!.w, 0);
    expect(panelSvg(svg, 0)).toContain('>97.1%<');
  });

  it('clamps % values outside 0-100 to the plot', async () => {
    const series = [hourly('db-00', 'connections used', '%', (h) => (h % 2 === 0 ? 250 : -80))];
    const svg = svgOf(series);
    const path = /<path d="([^"]+)"/.exec(svg)?.[1] ?? '';
    const ys = [...path.matchAll(/[ML][\d.]+ ([\d.]+)/g)].map((m) => Number(m[1]));
    expect(ys.length).toBe(169);
    const plot = plots(svg)[0]!;
    const top = plot.y;
    const bottom = top + plot.h;
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
    expect(png!.length).toBeLessThan(1_500_000);
    // All 20 rows of 3 panels are shown (each gets close to 200 px), none is left out.
    const svg = svgOf(fleet(20));
    expect(svg).not.toContain('not shown');
    expect(plots(svg)).toHaveLength(60);
  });

  it('leaves out panels that would be too small, and says so', async () => {
    const svg = svgOf(fleet(60));
    expect(svg).toMatch(/… \d+ more panels not shown/);
    const img = decode(await renderTrendChart(fleet(60), { from: FROM, to: TO }));
    expect(img.height).toBe(TREND_CHART_LIMITS.maxHeight);
  });

  it('gives the same bytes for the same input', async () => {
    const a = await renderTrendChart(fleet(3), { from: FROM, to: TO, title: 'x' });
    const b = await renderTrendChart(fleet(3), { from: FROM, to: TO, title: 'x' });
    expect(a!.equals(b!)).toBe(true);
  });

  it('escapes names and rejects an empty period', async () => {
    const svg = svgOf([hourly('a<b>&"c"', 'm', '%', () => 1)]);
    expect(svg).toContain('a&lt;b&gt;&amp;&quot;c&quot;');
    await expect(renderTrendChart([], { from: TO, to: FROM })).rejects.toThrow(RangeError);
  });
});
