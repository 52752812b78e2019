// Renders the morning digest's trend chart (issue 6): small multiples, one panel per target, each
// with that target's metrics over [from, to], as a PNG to upload to Slack with the digest.
//
// Library: @resvg/resvg-js. We write the SVG ourselves (plain strings, so the same input gives the
// same bytes) and resvg rasterises it. Why this one:
// - no browser and no native build: the Rust renderer ships prebuilt napi binaries as optional
//   dependencies per platform (linux x64 glibc and musl, arm64, macOS, Windows) with no install
//   script, so `npm ci` on a fresh machine needs neither a compiler nor cairo/pango (unlike
//   node-canvas); everything comes from the npm registry;
// - well kept and widely used (it is what satori/@vercel/og rasterise with), good anti-aliasing and
//   SVG coverage, and fast (it renders on libuv's thread pool via renderAsync, off the event loop);
// - licence MPL-2.0: weak, file-level copyleft that only binds changes to resvg's own files; using it
//   unmodified as a dependency puts no conditions on this project's code. (pureimage, MIT, was the
//   pure-JS alternative: slower, cruder anti-aliasing and text.)
// Text: resvg reads TTF/OTF (not WOFF/WOFF2, which is all @fontsource ships now), so we load DejaVu
// Sans from the dejavu-fonts-ttf package (Bitstream Vera licence: permissive, redistribution allowed)
// and turn system fonts off, so the chart looks the same on a machine with no fonts at all.
import { createRequire } from 'node:module';
import { renderAsync } from '@resvg/resvg-js';
import type { ResvgRenderOptions } from '@resvg/resvg-js';
import { PERCENT_SCALE, formatDateTime, formatValue, timeTicks, valueScale } from './chart-scale.ts';
import type { ValueScale } from './chart-scale.ts';
import { estimateTextWidth, fitText, n, svgLine, svgText } from './chart-svg.ts';

export interface TrendSeries {
  target: string;
  metric: string;
  unit: '%' | 'count' | 'ms';
  points: Array<{ at: Date; value: number }>;
}

export interface TrendChartOptions {
  width?: number;
  height?: number;
  title?: string;
  from: Date;
  to: Date;
}

type Unit = TrendSeries['unit'];

/** Size limits: Slack shows the picture well at these sizes, and the PNG stays small. */
export const TREND_CHART_LIMITS = {
  defaultWidth: 1000,
  minWidth: 400,
  maxWidth: 2000,
  panelHeight: 200,
  minPanelHeight: 90,
  minHeight: 200,
  maxHeight: 4000,
} as const;

const FONT_FAMILY = 'DejaVu Sans';
const resolveFromHere = createRequire(import.meta.url).resolve;
const FONT_FILES = [
  resolveFromHere('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
  resolveFromHere('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
];
const RESVG_OPTIONS: ResvgRenderOptions = {
  font: {
    loadSystemFonts: false,
    fontFiles: FONT_FILES,
    defaultFontFamily: FONT_FAMILY,
    sansSerifFamily: FONT_FAMILY,
  },
  fitTo: { mode: 'original' },
  background: '#ffffff',
  logLevel: 'off',
};

/** Colour-blind-friendly palette (Okabe–Ito, then Tableau extras); assigned by sorted metric name. */
const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#8c564b', '#7f7f7f', '#bcbd22', '#000000'];
const UNIT_ORDER: Unit[] = ['%', 'count', 'ms'];

const PAD = 16;
const PLOT_LEFT = 52;
const RIGHT_AXIS = 48;
const PANEL_TITLE = 20;
const PANEL_XLABELS = 22;
const PANEL_GAP = 6;

interface PreparedSeries {
  metric: string;
  unit: Unit;
  color: string;
  /** Runs of consecutive points; a new run starts after a gap in the data. */
  segments: Array<Array<{ at: number; value: number }>>;
}

interface Panel {
  target: string;
  units: Unit[];
  series: PreparedSeries[];
}

interface LegendItem {
  label: string;
  color: string;
  dashed: boolean;
}

/** Renders the chart as a PNG. An empty series list (or one with no points in range) gives a "no data" chart. */
export async function renderTrendChart(series: TrendSeries[], options: TrendChartOptions): Promise<Buffer> {
  const from = options.from.getTime();
  const to = options.to.getTime();
  if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from) {
    throw new RangeError('renderTrendChart: options.from must be a valid date before options.to');
  }
  const svg = buildTrendChartSvg(series, options);
  const image = await renderAsync(svg, RESVG_OPTIONS);
  return image.asPng();
}

/** The SVG that renderTrendChart rasterises (exported for tests and debugging). */
export function buildTrendChartSvg(series: TrendSeries[], options: TrendChartOptions): string {
  const from = options.from.getTime();
  const to = options.to.getTime();
  const L = TREND_CHART_LIMITS;
  const width = Math.round(clamp(finiteOr(options.width, L.defaultWidth), L.minWidth, L.maxWidth));
  const title = options.title ?? 'Health trends';
  const colors = metricColors(series);
  const panels = buildPanels(series, colors, from, to);
  const hasData = panels.some((p) => p.series.some((s) => s.segments.length > 0));

  const legend = legendItems(panels, colors);
  const legendLines = hasData ? layoutLegend(legend, width - 2 * PAD) : [];
  const headerHeight = 56 + legendLines.length * 18 + 6;

  // Panel height: 200 px each by default; a given height is shared out; both capped. Panels that do
  // not fit at the minimum height are left out, with a note at the bottom.
  const panelCount = hasData ? panels.length : 1;
  const footerFor = (shown: number): number => (shown < panelCount ? 22 : 8);
  let height: number;
  if (options.height !== undefined && Number.isFinite(options.height)) {
    height = Math.round(clamp(options.height, L.minHeight, L.maxHeight));
  } else {
    height = Math.min(L.maxHeight, headerHeight + panelCount * L.panelHeight + footerFor(panelCount));
  }
  let shown = panelCount;
  while (shown > 1 && (height - headerHeight - footerFor(shown)) / shown < L.minPanelHeight) shown--;
  const panelHeight = Math.max(40, (height - headerHeight - footerFor(shown)) / shown);

  const parts: string[] = [];
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(svgText(PAD, 28, fitText(title, 18, width - 2 * PAD), { size: 18, weight: 'bold', fill: '#111' }));
  parts.push(svgText(PAD, 47, `${formatDateTime(from)} – ${formatDateTime(to)} UTC`, { size: 12, fill: '#555' }));
  legendLines.forEach((line, i) => parts.push(...renderLegendLine(line, PAD, 68 + i * 18)));

  if (!hasData) {
    parts.push(...renderNoDataPanel(PAD, headerHeight, width - 2 * PAD, panelHeight - PANEL_GAP, from, to, panels.length));
  } else {
    for (let i = 0; i < shown; i++) {
      const panel = panels[i];
      if (!panel) continue;
      const top = headerHeight + i * panelHeight;
      parts.push(...renderPanel(panel, i, PAD, top, width - 2 * PAD, panelHeight - PANEL_GAP, from, to));
    }
    if (shown < panels.length) {
      const more = panels.length - shown;
      parts.push(svgText(PAD, height - 8, `… ${more} more panel${more === 1 ? '' : 's'} not shown`, { size: 12, fill: '#555' }));
    }
  }

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT_FAMILY}">`,
    ...parts,
    '</svg>',
  ].join('\n');
}

function finiteOr(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) ? value : fallback;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function metricColors(series: TrendSeries[]): Map<string, string> {
  const names = [...new Set(series.map((s) => s.metric))].sort();
  return new Map(names.map((name, i) => [name, PALETTE[i % PALETTE.length] ?? '#000000']));
}

/** Clamps a value to its unit's range: 0–100 for %, not below 0 for counts and durations. */
function clampValue(value: number, unit: Unit): number {
  return unit === '%' ? clamp(value, 0, 100) : Math.max(0, value);
}

/** Sorts points, drops those outside [from, to], and splits the run where data is missing. */
function segmentPoints(points: TrendSeries['points'], unit: Unit, from: number, to: number): PreparedSeries['segments'] {
  const sorted = points
    .map((p) => ({ at: p.at.getTime(), value: p.value }))
    .filter((p) => Number.isFinite(p.at) && p.at >= from && p.at <= to)
    .sort((a, b) => a.at - b.at);
  const diffs: number[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1];
    const b = sorted[i];
    if (a && b && b.at > a.at && Number.isFinite(a.value) && Number.isFinite(b.value)) diffs.push(b.at - a.at);
  }
  diffs.sort((a, b) => a - b);
  // A gap is a step well over the usual sampling interval (the median step).
  const usual = diffs[Math.floor(diffs.length / 2)];
  const maxStep = usual === undefined ? Infinity : usual * 1.5;

  const segments: PreparedSeries['segments'] = [];
  let current: Array<{ at: number; value: number }> = [];
  let prevAt: number | undefined;
  for (const p of sorted) {
    if (!Number.isFinite(p.value)) {
      if (current.length > 0) segments.push(current);
      current = [];
      prevAt = undefined;
      continue;
    }
    if (prevAt !== undefined && p.at - prevAt > maxStep && current.length > 0) {
      segments.push(current);
      current = [];
    }
    current.push({ at: p.at, value: clampValue(p.value, unit) });
    prevAt = p.at;
  }
  if (current.length > 0) segments.push(current);
  return segments;
}

/**
 * One panel per target, in the order targets first appear. A panel has at most two value axes
 * (left and right), so a target whose metrics use three units gets a second panel.
 */
function buildPanels(series: TrendSeries[], colors: Map<string, string>, from: number, to: number): Panel[] {
  const byTarget = new Map<string, TrendSeries[]>();
  for (const s of series) {
    const list = byTarget.get(s.target) ?? [];
    list.push(s);
    byTarget.set(s.target, list);
  }
  const panels: Panel[] = [];
  for (const [target, list] of byTarget) {
    const units = UNIT_ORDER.filter((u) => list.some((s) => s.unit === u));
    for (let i = 0; i < units.length; i += 2) {
      const panelUnits = units.slice(i, i + 2);
      const prepared = list
        .filter((s) => panelUnits.includes(s.unit))
        .map((s) => ({
          metric: s.metric,
          unit: s.unit,
          color: colors.get(s.metric) ?? '#000000',
          segments: segmentPoints(s.points, s.unit, from, to),
        }))
        .sort((a, b) => (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0));
      panels.push({ target: units.length > 2 ? `${target} (${panelUnits.join(', ')})` : target, units: panelUnits, series: prepared });
    }
  }
  return panels;
}

function unitLabel(unit: Unit): string {
  return unit === '%' ? '%' : unit;
}

/** Legend: one entry per metric (its colour), dashed where the metric is read on a right axis. */
function legendItems(panels: Panel[], colors: Map<string, string>): LegendItem[] {
  const seen = new Map<string, LegendItem>();
  for (const panel of panels) {
    for (const s of panel.series) {
      const key = `${s.metric}\u0000${s.unit}`;
      if (seen.has(key)) continue;
      const dashed = panel.units[0] !== s.unit;
      seen.set(key, { label: `${s.metric} (${unitLabel(s.unit)}${dashed ? ', right axis' : ''})`, color: colors.get(s.metric) ?? '#000000', dashed });
    }
  }
  return [...seen.values()].sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
}

function layoutLegend(items: LegendItem[], maxWidth: number): LegendItem[][] {
  const lines: LegendItem[][] = [];
  let line: LegendItem[] = [];
  let used = 0;
  for (const item of items) {
    const w = itemWidth(item);
    if (line.length > 0 && used + w > maxWidth) {
      lines.push(line);
      line = [];
      used = 0;
    }
    line.push(item);
    used += w;
  }
  if (line.length > 0) lines.push(line);
  return lines.slice(0, 4);
}

function itemWidth(item: LegendItem): number {
  return 22 + estimateTextWidth(item.label, 12) + 18;
}

function renderLegendLine(line: LegendItem[], x: number, y: number): string[] {
  const out: string[] = [];
  let cx = x;
  for (const item of line) {
    const dash = item.dashed ? ' stroke-dasharray="5 3"' : '';
    out.push(`<line x1="${n(cx)}" y1="${n(y - 4)}" x2="${n(cx + 18)}" y2="${n(y - 4)}" stroke="${item.color}" stroke-width="2.5"${dash}/>`);
    out.push(svgText(cx + 22, y, item.label, { size: 12, fill: '#333' }));
    cx += itemWidth(item);
  }
  return out;
}

function scaleFor(unit: Unit, series: PreparedSeries[]): ValueScale {
  if (unit === '%') return PERCENT_SCALE;
  let max = 0;
  for (const s of series) {
    if (s.unit !== unit) continue;
    for (const seg of s.segments) for (const p of seg) max = Math.max(max, p.value);
  }
  return valueScale(unit === 'count' ? Math.max(max, 4) : max, unit === 'count');
}

function renderPanel(panel: Panel, index: number, x: number, y: number, w: number, h: number, from: number, to: number): string[] {
  const out: string[] = [];
  const hasRight = panel.units.length > 1;
  const plotX = x + PLOT_LEFT;
  const plotW = w - PLOT_LEFT - (hasRight ? RIGHT_AXIS : 8);
  const plotY = y + PANEL_TITLE + 4;
  const plotH = Math.max(10, h - PANEL_TITLE - 4 - PANEL_XLABELS);
  const xOf = (at: number): number => plotX + ((at - from) / (to - from)) * plotW;

  const axisNote = panel.units.length > 1 ? `left: ${unitLabel(panel.units[0] ?? '%')}, right: ${unitLabel(panel.units[1] ?? '%')}` : panel.units[0] === '%' ? '' : unitLabel(panel.units[0] ?? '%');
  const name = fitText(panel.target, 13, w - (axisNote ? estimateTextWidth(axisNote, 11) + 16 : 0));
  out.push(svgText(x, y + 14, name, { size: 13, weight: 'bold', fill: '#111' }));
  if (axisNote) out.push(svgText(x + estimateTextWidth(name, 13) * 1.05 + 10, y + 14, axisNote, { size: 11, fill: '#777' }));
  out.push(`<rect x="${n(plotX)}" y="${n(plotY)}" width="${n(plotW)}" height="${n(plotH)}" fill="#fafafa" stroke="#d0d0d0" stroke-width="1"/>`);

  // Time axis: a grid line and a label per tick (UTC midnights for a week).
  const ticks = timeTicks(from, to, Math.floor(plotW / 80));
  for (const tick of ticks) {
    const tx = xOf(tick.at);
    out.push(svgLine(tx, plotY, tx, plotY + plotH, '#e4e4e4'));
    out.push(svgLine(tx, plotY + plotH, tx, plotY + plotH + 4, '#999'));
    if (tx - plotX > 10 && plotX + plotW - tx > 10) {
      out.push(svgText(tx, plotY + plotH + 16, tick.label, { size: 11, fill: '#555', anchor: 'middle' }));
    }
  }

  // Value axes: the first unit on the left (with grid lines), a second one on the right.
  const scales = new Map<Unit, ValueScale>();
  panel.units.forEach((unit, i) => {
    const scale = scaleFor(unit, panel.series);
    scales.set(unit, scale);
    // Short panels: every other tick label, so that they do not overlap.
    const labelled = plotH < 100 ? scale.ticks.filter((_t, k) => k % 2 === 0) : scale.ticks;
    for (const t of labelled) {
      const ty = plotY + plotH - (t / scale.max) * plotH;
      if (i === 0) {
        if (t > 0 && t < scale.max) out.push(svgLine(plotX, ty, plotX + plotW, ty, '#e4e4e4'));
        out.push(svgText(plotX - 6, ty + 4, `${formatValue(t)}${unit === '%' ? '%' : ''}`, { size: 11, fill: '#555', anchor: 'end' }));
      } else {
        out.push(svgText(plotX + plotW + 6, ty + 4, formatValue(t), { size: 11, fill: '#555' }));
      }
    }
  });

  // Lines, clipped to the plot (a little slack so a line at 100% is not cut in half).
  const clipId = `plot-${index}`;
  out.push(`<clipPath id="${clipId}"><rect x="${n(plotX - 2)}" y="${n(plotY - 2)}" width="${n(plotW + 4)}" height="${n(plotH + 4)}"/></clipPath>`);
  out.push(`<g clip-path="url(#${clipId})" fill="none" stroke-width="1.6" stroke-linejoin="round" stroke-linecap="round">`);
  let points = 0;
  for (const s of panel.series) {
    const scale = scales.get(s.unit) ?? PERCENT_SCALE;
    const yOf = (v: number): number => plotY + plotH - (Math.min(v, scale.max) / scale.max) * plotH;
    const dash = panel.units[0] !== s.unit ? ' stroke-dasharray="5 3"' : '';
    for (const seg of s.segments) {
      points += seg.length;
      const first = seg[0];
      if (seg.length === 1 && first) {
        out.push(`<circle cx="${n(xOf(first.at))}" cy="${n(yOf(first.value))}" r="2" fill="${s.color}" stroke="none"/>`);
        continue;
      }
      const d = seg.map((p, i) => `${i === 0 ? 'M' : 'L'}${n(xOf(p.at))} ${n(yOf(p.value))}`).join('');
      out.push(`<path d="${d}" stroke="${s.color}"${dash}/>`);
    }
  }
  out.push('</g>');
  if (points === 0) {
    out.push(svgText(plotX + plotW / 2, plotY + plotH / 2 + 4, 'no data', { size: 12, fill: '#888', anchor: 'middle' }));
  }
  return out;
}

function renderNoDataPanel(x: number, y: number, w: number, h: number, from: number, to: number, panelCount: number): string[] {
  const out: string[] = [];
  out.push(`<rect x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${n(h)}" fill="#fafafa" stroke="#d0d0d0" stroke-width="1"/>`);
  const ticks = timeTicks(from, to, Math.floor(w / 80));
  for (const tick of ticks) {
    const tx = x + ((tick.at - from) / (to - from)) * w;
    out.push(svgLine(tx, y, tx, y + h, '#eeeeee'));
  }
  const detail = panelCount === 0 ? 'No metrics were recorded for this period.' : 'No data points fall in this period.';
  out.push(svgText(x + w / 2, y + h / 2 - 4, 'No data', { size: 16, weight: 'bold', fill: '#666', anchor: 'middle' }));
  out.push(svgText(x + w / 2, y + h / 2 + 16, detail, { size: 12, fill: '#777', anchor: 'middle' }));
  return out;
}
