// Renders the digest's trend chart: small multiples, one row per target and one panel per metric,
// each with its own legend, unit and axis fitted to its data (a percentage axis zooms in on a cache
// hit rate falling from 99.5% to 97%), its warn and crit thresholds drawn as bands, and its latest
// value written at the end of its line. Nothing to draw: no chart at all.
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
import { formatDateTime, formatValue, percentScale, timeTicks, valueScale } from './chart-scale.ts';
import type { ValueScale } from './chart-scale.ts';
import { estimateTextWidth, fitText, n, svgLine, svgText } from './chart-svg.ts';

export interface TrendSeries {
  target: string;
  /** What a person calls the metric: "cache hit". */
  metric: string;
  unit: '%' | 'count' | 'ms';
  points: Array<{ at: Date; value: number }>;
  /** The check's thresholds for this target, drawn as bands; crit below warn means lower is worse. */
  thresholds?: { warn: number; crit: number };
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
  /** The height of a row of panels (one target). */
  panelHeight: 200,
  minPanelHeight: 90,
  minHeight: 200,
  maxHeight: 4000,
  /** Panels side by side: a target with more metrics takes more rows. */
  maxColumns: 3,
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
/** Threshold bands: amber and red, light enough for the line to read over them. */
const BANDS = { warn: '#f0b400', crit: '#d62728' } as const;
const BAND_OPACITY = 0.16;

const PAD = 16;
const HEADER = 60;
const PLOT_LEFT = 46;
/** Room right of the plot for the latest value at the end of the line. */
const END_LABEL = 54;
/** The panel's title and legend lines above its plot. */
const PANEL_HEAD = 40;
const PANEL_XLABELS = 22;
const ROW_GAP = 8;
const COLUMN_GAP = 18;

interface Point {
  at: number;
  value: number;
}

/** One target's metric: a panel of its own, with its own legend, unit, axis and bands. */
interface Panel {
  target: string;
  metric: string;
  unit: Unit;
  color: string;
  /** Runs of consecutive points; a new run starts after a gap in the data. */
  segments: Point[][];
  thresholds?: { warn: number; crit: number };
}

/** Renders the chart as a PNG; undefined when no series has a point in [from, to] (nothing to draw). */
export async function renderTrendChart(series: TrendSeries[], options: TrendChartOptions): Promise<Buffer | undefined> {
  const svg = buildTrendChartSvg(series, options);
  if (svg === undefined) return undefined;
  const image = await renderAsync(svg, RESVG_OPTIONS);
  return image.asPng();
}

/** The SVG that renderTrendChart rasterises (exported for tests and debugging); undefined: nothing to draw. */
export function buildTrendChartSvg(series: TrendSeries[], options: TrendChartOptions): string | undefined {
  const from = options.from.getTime();
  const to = options.to.getTime();
  if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from) {
    throw new RangeError('renderTrendChart: options.from must be a valid date before options.to');
  }
  const colors = metricColors(series);
  const byTarget = panelsByTarget(series, colors, from, to);
  if (![...byTarget.values()].some((panels) => panels.some((p) => p.segments.length > 0))) return undefined;

  const L = TREND_CHART_LIMITS;
  const width = Math.round(clamp(finiteOr(options.width, L.defaultWidth), L.minWidth, L.maxWidth));
  const columns = clamp(Math.max(...[...byTarget.values()].map((p) => p.length)), 1, L.maxColumns);
  const rows: Panel[][] = [];
  for (const panels of byTarget.values()) {
    for (let i = 0; i < panels.length; i += columns) rows.push(panels.slice(i, i + columns));
  }

  // Row height: 200 px each by default; a given height is shared out; both capped. Rows that do not
  // fit at the minimum height are left out, with a note at the bottom.
  const footerFor = (shown: number): number => (shown < rows.length ? 22 : 8);
  let height: number;
  if (options.height !== undefined && Number.isFinite(options.height)) {
    height = Math.round(clamp(options.height, L.minHeight, L.maxHeight));
  } else {
    height = Math.min(L.maxHeight, HEADER + rows.length * L.panelHeight + footerFor(rows.length));
  }
  let shown = rows.length;
  while (shown > 1 && (height - HEADER - footerFor(shown)) / shown < L.minPanelHeight) shown--;
  const rowHeight = Math.max(40, (height - HEADER - footerFor(shown)) / shown);
  const panelWidth = (width - 2 * PAD - (columns - 1) * COLUMN_GAP) / columns;

  const parts: string[] = [];
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(svgText(PAD, 28, fitText(options.title ?? 'Health trends', 18, width - 2 * PAD), { size: 18, weight: 'bold', fill: '#111' }));
  parts.push(svgText(PAD, 47, `${formatDateTime(from)} – ${formatDateTime(to)} UTC`, { size: 12, fill: '#555' }));
  let index = 0;
  for (let r = 0; r < shown; r++) {
    const row = rows[r] ?? [];
    row.forEach((panel, c) => {
      const x = PAD + c * (panelWidth + COLUMN_GAP);
      parts.push(...renderPanel(panel, index++, x, HEADER + r * rowHeight, panelWidth, rowHeight - ROW_GAP, from, to));
    });
  }
  const hidden = rows.slice(shown).reduce((sum, row) => sum + row.length, 0);
  if (hidden > 0) parts.push(svgText(PAD, height - 8, `… ${hidden} more panel${hidden === 1 ? '' : 's'} not shown`, { size: 12, fill: '#555' }));

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
function segmentPoints(points: TrendSeries['points'], unit: Unit, from: number, to: number): Point[][] {
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

  const segments: Point[][] = [];
  let current: Point[] = [];
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

/** Each target's panels, targets in the order they first appear, a target's metrics by name. */
function panelsByTarget(series: TrendSeries[], colors: Map<string, string>, from: number, to: number): Map<string, Panel[]> {
  const byTarget = new Map<string, Panel[]>();
  for (const s of series) {
    const panel: Panel = {
      target: s.target,
      metric: s.metric,
      unit: s.unit,
      color: colors.get(s.metric) ?? '#000000',
      segments: segmentPoints(s.points, s.unit, from, to),
      ...(s.thresholds && { thresholds: s.thresholds }),
    };
    byTarget.set(s.target, [...(byTarget.get(s.target) ?? []), panel]);
  }
  for (const panels of byTarget.values()) panels.sort((a, b) => (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0));
  return byTarget;
}

/** "97.1%", "480 ms", "12": the latest value at the end of its line. */
function formatLatest(value: number, unit: Unit): string {
  if (unit === '%') return `${Math.round(value * 10) / 10}%`;
  if (unit === 'ms') return `${formatValue(value)} ms`;
  return formatValue(value);
}

/** The axis: a percentage fitted to the values and the warn threshold; counts and durations from 0. */
function scaleFor(panel: Panel): ValueScale {
  const values = panel.segments.flatMap((seg) => seg.map((p) => p.value));
  const warn = panel.thresholds && Number.isFinite(panel.thresholds.warn) ? [panel.thresholds.warn] : [];
  if (panel.unit === '%') return percentScale([...values, ...warn]);
  const max = Math.max(0, ...values, ...warn);
  return valueScale(panel.unit === 'count' ? Math.max(max, 4) : max, panel.unit === 'count');
}

interface Band {
  level: 'warn' | 'crit';
  lo: number;
  hi: number;
  /** "warn above 80%" */
  label: string;
}

/** The warn and crit ranges of the thresholds: above them when crit >= warn, else below them. */
function bandsOf(panel: Panel): Band[] {
  const t = panel.thresholds;
  if (!t) return [];
  const unit = panel.unit === '%' ? '%' : panel.unit === 'ms' ? ' ms' : '';
  const higherWorse = t.crit >= t.warn;
  const word = higherWorse ? 'above' : 'below';
  const out: Band[] = [];
  if (Number.isFinite(t.warn)) {
    const [lo, hi] = higherWorse ? [t.warn, t.crit] : [t.crit, t.warn];
    out.push({ level: 'warn', lo, hi, label: `warn ${word} ${formatValue(t.warn)}${unit}` });
  }
  if (Number.isFinite(t.crit)) {
    out.push({ level: 'crit', lo: higherWorse ? t.crit : -Infinity, hi: higherWorse ? Infinity : t.crit, label: `crit ${word} ${formatValue(t.crit)}${unit}` });
  }
  return out;
}

function renderPanel(panel: Panel, index: number, x: number, y: number, w: number, h: number, from: number, to: number): string[] {
  const out: string[] = [];
  const plotX = x + PLOT_LEFT;
  const plotW = Math.max(10, w - PLOT_LEFT - END_LABEL);
  const plotY = y + PANEL_HEAD;
  const plotH = Math.max(10, h - PANEL_HEAD - PANEL_XLABELS);
  const xOf = (at: number): number => plotX + ((at - from) / (to - from)) * plotW;
  const scale = scaleFor(panel);
  const span = scale.max - scale.min || 1;
  const yOf = (v: number): number => plotY + plotH - ((clamp(v, scale.min, scale.max) - scale.min) / span) * plotH;
  const bands = bandsOf(panel);

  // Title: the target; legend: the metric in its colour with its unit, then the bands.
  out.push(svgText(x, y + 14, fitText(panel.target, 13, w), { size: 13, weight: 'bold', fill: '#111' }));
  const legend: string[] = [`<g class="legend">`];
  let lx = x;
  const ly = y + 31;
  const name = `${panel.metric} (${panel.unit})`;
  legend.push(`<line x1="${n(lx)}" y1="${n(ly - 4)}" x2="${n(lx + 16)}" y2="${n(ly - 4)}" stroke="${panel.color}" stroke-width="2.5"/>`);
  legend.push(svgText(lx + 20, ly, name, { size: 11, fill: '#333' }));
  lx += 20 + estimateTextWidth(name, 11) + 14;
  for (const band of bands) {
    if (lx + 14 + estimateTextWidth(band.label, 11) > x + w) break;
    legend.push(`<rect x="${n(lx)}" y="${n(ly - 9)}" width="10" height="10" fill="${BANDS[band.level]}" fill-opacity="${BAND_OPACITY * 3}"/>`);
    legend.push(svgText(lx + 14, ly, band.label, { size: 11, fill: '#555' }));
    lx += 14 + estimateTextWidth(band.label, 11) + 12;
  }
  legend.push('</g>');
  out.push(...legend);

  out.push(`<rect class="plot" x="${n(plotX)}" y="${n(plotY)}" width="${n(plotW)}" height="${n(plotH)}" fill="#fafafa" stroke="#d0d0d0" stroke-width="1"/>`);

  // Threshold bands, within the axis.
  for (const band of bands) {
    const lo = Math.max(band.lo, scale.min);
    const hi = Math.min(band.hi, scale.max);
    if (hi <= lo) continue;
    out.push(`<rect class="band-${band.level}" x="${n(plotX)}" y="${n(yOf(hi))}" width="${n(plotW)}" height="${n(yOf(lo) - yOf(hi))}" fill="${BANDS[band.level]}" fill-opacity="${BAND_OPACITY}"/>`);
  }

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

  // Value axis, on the left with grid lines; short panels label every other tick.
  const labelled = plotH < 100 ? scale.ticks.filter((_t, k) => k % 2 === 0) : scale.ticks;
  for (const t of labelled) {
    const ty = yOf(t);
    if (t > scale.min && t < scale.max) out.push(svgLine(plotX, ty, plotX + plotW, ty, '#e4e4e4'));
    out.push(svgText(plotX - 6, ty + 4, `${formatValue(t)}${panel.unit === '%' ? '%' : ''}`, { size: 11, fill: '#555', anchor: 'end' }));
  }

  // The line, clipped to the plot (a little slack so a line at the top is not cut in half).
  const clipId = `plot-${index}`;
  out.push(`<clipPath id="${clipId}"><rect x="${n(plotX - 2)}" y="${n(plotY - 2)}" width="${n(plotW + 4)}" height="${n(plotH + 4)}"/></clipPath>`);
  out.push(`<g clip-path="url(#${clipId})" fill="none" stroke-width="1.8" stroke-linejoin="round" stroke-linecap="round">`);
  for (const seg of panel.segments) {
    const first = seg[0];
    if (seg.length === 1 && first) {
      out.push(`<circle cx="${n(xOf(first.at))}" cy="${n(yOf(first.value))}" r="2.5" fill="${panel.color}" stroke="none"/>`);
      continue;
    }
    const d = seg.map((p, i) => `${i === 0 ? 'M' : 'L'}${n(xOf(p.at))} ${n(yOf(p.value))}`).join('');
    out.push(`<path d="${d}" stroke="${panel.color}"/>`);
  }
  out.push('</g>');

  // The latest value, at the end of the line.
  const last = panel.segments.at(-1)?.at(-1);
  if (last) {
    const lx2 = xOf(last.at);
    const ly2 = yOf(last.value);
    out.push(`<circle class="latest" cx="${n(lx2)}" cy="${n(ly2)}" r="3" fill="${panel.color}" stroke="#ffffff" stroke-width="1"/>`);
    out.push(svgText(lx2 + 6, clamp(ly2 + 4, plotY + 10, plotY + plotH), formatLatest(last.value, panel.unit), { size: 11, weight: 'bold', fill: panel.color, className: 'latest' }));
  } else {
    out.push(svgText(plotX + plotW / 2, plotY + plotH / 2 + 4, 'no data', { size: 12, fill: '#888', anchor: 'middle' }));
  }
  return out;
}
