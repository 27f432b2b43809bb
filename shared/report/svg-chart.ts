import { escapeHtml, formatNumber } from './format.js';

/**
 * A small line chart as an inline SVG string, for reports that must open anywhere with no
 * network and no script: axes with round ticks, a legend, shaded fault periods, labelled marks and
 * `<title>` tooltips. Text takes `currentColor`, so the page's light or dark theme colours it.
 */

export interface ChartSeries {
  name: string;
  values: ReadonlyArray<number>;
  /** Its own x values (ms) when it does not share the chart's, e.g. runs overlaid in a comparison. */
  xMs?: ReadonlyArray<number>;
  color?: string;
  dashed?: boolean;
}

/** A time span to shade, e.g. while a fault was active; `endMs: null` runs to the chart's end. */
export interface ChartPeriod {
  startMs: number;
  endMs: number | null;
  label: string;
}

/** A named moment: a vertical line. */
export interface ChartMark {
  atMs: number;
  label: string;
}

export interface LineChartOptions {
  /** Read by screen readers and shown as the chart's tooltip. */
  title: string;
  /** Time since the run started, ms; `series[i].values[j]` goes with `xMs[j]`. */
  xMs: ReadonlyArray<number>;
  series: ReadonlyArray<ChartSeries>;
  periods?: ReadonlyArray<ChartPeriod>;
  marks?: ReadonlyArray<ChartMark>;
  width?: number;
  height?: number;
  yLabel?: string;
  yUnit?: string;
  /** Prefix for the ids inside the SVG; must be unique within a page. Default: from the title. */
  id?: string;
}

/** Colour-blind-safe (Okabe–Ito), readable on white and on a dark background. */
export const CHART_COLORS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#8c8c8c', '#b8860b'] as const;
export const FAULT_COLOR = '#d62728';

const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

/** A round step (1, 2, 2.5 or 5 × 10^k) of at least `raw`. */
function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 2.5, 5, 10].find((factor) => factor * magnitude >= raw * (1 - 1e-9)) ?? 10) * magnitude;
}

/** Round tick values covering [min, max], about `count` steps apart. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0];
  if (max < min) [min, max] = [max, min];
  if (max === min) return [min];
  return ticksBy(min, max, niceStep((max - min) / Math.max(1, count)));
}

function ticksBy(min: number, max: number, step: number): number[] {
  const ticks: number[] = [];
  for (let k = Math.ceil(min / step - 1e-9); k * step <= max + step * 1e-9; k++) ticks.push(Number((k * step).toPrecision(12)));
  return ticks;
}

/** Decimals needed to write every multiple of `step` exactly (2.5 → 1, 20 → 0, 0.25 → 2). */
function decimalsFor(step: number): number {
  for (let digits = 0; digits < 4; digits++) {
    const scaled = step * 10 ** digits;
    if (Math.abs(Math.round(scaled) - scaled) < 1e-6) return digits;
  }
  return 4;
}

const round = (value: number): string => (Math.round(value * 10) / 10).toString();

const slug = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40) || 'chart';

interface Point {
  x: number;
  y: number;
}

/** Finite points of a series, split where a value is missing or NaN so the line breaks there. */
function segmentsOf(xs: ReadonlyArray<number>, values: ReadonlyArray<number>): Point[][] {
  const segments: Point[][] = [];
  let current: Point[] = [];
  const n = Math.min(xs.length, values.length);
  for (let i = 0; i < n; i++) {
    const x = xs[i];
    const y = values[i];
    if (typeof x === 'number' && typeof y === 'number' && Number.isFinite(x) && Number.isFinite(y)) current.push({ x, y });
    else if (current.length > 0) {
      segments.push(current);
      current = [];
    }
  }
  if (current.length > 0) segments.push(current);
  return segments;
}

/** At most two points (the lowest and the highest, in order) per pixel column: long runs stay small, spikes stay visible. */
function decimate(points: Point[], toPx: (x: number) => number, budget: number): Point[] {
  if (points.length <= budget) return points;
  const kept: Point[] = [];
  let column = Number.NaN;
  let low: Point | null = null;
  let high: Point | null = null;
  let lowIndex = 0;
  let highIndex = 0;
  const flush = (): void => {
    if (!low || !high) return;
    if (low === high) kept.push(low);
    else kept.push(...(lowIndex < highIndex ? [low, high] : [high, low]));
  };
  points.forEach((point, index) => {
    const px = Math.floor(toPx(point.x));
    if (px !== column) {
      flush();
      column = px;
      low = high = point;
      lowIndex = highIndex = index;
      return;
    }
    if (low && point.y < low.y) [low, lowIndex] = [point, index];
    if (high && point.y > high.y) [high, highIndex] = [point, index];
  });
  flush();
  return kept;
}

/** Longer legend entries are cut (the series' tooltip keeps the whole name). */
const LEGEND_CHARS = 60;

function legendRows(items: ReadonlyArray<{ label: string }>, width: number): Array<Array<{ label: string; index: number; x: number }>> {
  const rows: Array<Array<{ label: string; index: number; x: number }>> = [[]];
  let x = 0;
  items.forEach((item, index) => {
    const itemWidth = 26 + Math.min(item.label.length, LEGEND_CHARS) * 6.2 + 14;
    if (x > 0 && x + itemWidth > width) {
      rows.push([]);
      x = 0;
    }
    rows[rows.length - 1]?.push({ label: item.label.length > LEGEND_CHARS ? `${item.label.slice(0, LEGEND_CHARS - 1)}…` : item.label, index, x });
    x += itemWidth;
  });
  return rows;
}

/** Greedy label placement: the first row (0..rows-1) where [from, to] overlaps no label already placed; null when all are taken. */
function labelRow(placed: Array<Array<[number, number]>>, from: number, to: number, rows: number): number | null {
  for (let row = 0; row < rows; row++) {
    const taken = (placed[row] ??= []);
    if (taken.every(([a, b]) => to < a || from > b)) {
      taken.push([from, to]);
      return row;
    }
  }
  return null;
}

/** The lowest and highest finite values; null when there are none. A loop, not Math.min(...values): an hour at 10 Hz, six runs overlaid, is too many arguments. */
function extent(values: Iterable<number>): { min: number; max: number } | null {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const value of values) {
    if (!Number.isFinite(value)) continue;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return min <= max ? { min, max } : null;
}

function describe(series: ChartSeries, unit: string): string {
  const range = extent(series.values);
  if (!range) return `${series.name}: no data`;
  const last = [...series.values].reverse().find((value) => Number.isFinite(value)) ?? 0;
  const suffix = unit ? ` ${unit}` : '';
  return `${series.name}: min ${formatNumber(range.min)}${suffix}, max ${formatNumber(range.max)}${suffix}, last ${formatNumber(last)}${suffix}`;
}

type ColoredSeries = ChartSeries & { color: string };
/** The plot's margins but the top one, which grows with the legend's rows. */
const MARGIN = { left: 58, right: 16, bottom: 38 } as const;
type LegendRow = Array<{ label: string; index: number; x: number }>;
type PlacedMark = { mark: ChartMark; px: number; side: number | null };

/** Where everything goes: the SVG's size, the plot's box inside its margins, and the two scales. */
interface ChartFrame {
  id: string;
  width: number;
  height: number;
  margin: { left: number; right: number; bottom: number; top: number };
  plotW: number;
  plotH: number;
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
  yStep: number;
  toX: (x: number) => number;
  toY: (y: number) => number;
}

export function lineChart(options: LineChartOptions): string {
  const unit = options.yUnit ?? '';
  const periods = options.periods ?? [];
  const marks = (options.marks ?? []).filter((mark) => Number.isFinite(mark.atMs));
  const series: ColoredSeries[] = options.series.map((entry, index) => ({ ...entry, color: entry.color ?? CHART_COLORS[index % CHART_COLORS.length] ?? '#0072b2' }));
  // Legend first: its rows decide how much room the plot has.
  const legendItems = [...series.map((entry) => ({ label: entry.name })), ...(periods.length > 0 ? [{ label: 'fault active' }] : [])];
  const rows = legendRows(legendItems, chartWidth(options) - MARGIN.left - MARGIN.right);
  const segments = series.map((entry) => segmentsOf(entry.xMs ?? options.xMs, entry.values));
  const frame = chartFrame(options, series, segments, rows.length);
  const { placed, strips } = placeMarks(marks, frame);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${frame.width} ${frame.height}" width="${frame.width}" height="${frame.height}" role="img" aria-labelledby="${frame.id}-title" font-family="${escapeHtml(FONT)}" font-size="11">`,
    `<title id="${frame.id}-title">${escapeHtml(options.title)}</title>`,
    `<defs><clipPath id="${frame.id}-clip"><rect x="${frame.margin.left}" y="${frame.margin.top}" width="${frame.plotW}" height="${frame.plotH}"/></clipPath></defs>`,
    ...legendSvg(rows, series, frame),
    ...yAxisSvg(frame, [options.yLabel, unit ? `(${unit})` : ''].filter(Boolean).join(' ')),
    ...xAxisSvg(frame),
    ...periodsSvg(periods, frame, strips),
    ...linesSvg(series, segments, frame, unit),
    ...marksSvg(placed, frame),
  ];
  if (extent(segments.flat(2).map((point) => point.y)) === null) {
    out.push(`<text x="${frame.margin.left + frame.plotW / 2}" y="${frame.margin.top + frame.plotH / 2}" text-anchor="middle" fill="currentColor" fill-opacity="0.6">no data</text>`);
  }
  out.push('</svg>');
  return out.join('');
}

/** The SVG's size, the margins (the top one holds the legend's rows) and both scales. */
const chartWidth = (options: LineChartOptions): number => Math.max(200, Math.round(options.width ?? 720));

function chartFrame(options: LineChartOptions, series: ReadonlyArray<ChartSeries>, segments: Point[][][], legendRowCount: number): ChartFrame {
  const width = chartWidth(options);
  const height = Math.max(120, Math.round(options.height ?? 240));
  const margin = { ...MARGIN, top: 12 + legendRowCount * 16 };
  const plotW = width - margin.left - margin.right;
  const plotH = Math.max(40, height - margin.top - margin.bottom);
  // x runs from 0 (the run's start) to the last x value; periods and marks outside are clipped.
  const xRange = extent([options.xMs, ...series.map((entry) => entry.xMs ?? options.xMs)].flat());
  const xMin = Math.min(xRange?.min ?? 0, 0);
  const xMax = xRange && xRange.max > xMin ? xRange.max : xMin + 1_000;
  const yRange = extent(segments.flat(2).map((point) => point.y));
  // y runs from 0 (or below, for negative values) to a whole number of round steps above the max.
  const yLow = Math.min(0, yRange?.min ?? 0);
  const yHigh = yRange?.max ?? 0;
  const yStep = niceStep((yHigh > yLow ? yHigh - yLow : 1) / 5);
  const yMin = yLow < 0 ? Math.floor(yLow / yStep) * yStep : 0;
  const yMax = Math.max(yMin + yStep, Math.ceil(yHigh / yStep - 1e-9) * yStep);
  return {
    id: slug(options.id ?? options.title),
    width,
    height,
    margin,
    plotW,
    plotH,
    xMin,
    xMax,
    yMin,
    yMax,
    yStep,
    toX: (x) => margin.left + ((x - xMin) / (xMax - xMin)) * plotW,
    toY: (y) => margin.top + plotH - ((y - yMin) / (yMax - yMin || 1)) * plotH,
  };
}

function legendSvg(rows: ReadonlyArray<LegendRow>, series: ReadonlyArray<ColoredSeries>, frame: ChartFrame): string[] {
  const out = ['<g class="legend">'];
  rows.forEach((row, rowIndex) => {
    const y = 10 + rowIndex * 16;
    for (const item of row) {
      const x = frame.margin.left + item.x;
      const entry = series[item.index];
      if (entry) {
        out.push(
          `<line x1="${x}" y1="${y}" x2="${x + 20}" y2="${y}" stroke="${escapeHtml(entry.color)}" stroke-width="2.5"${entry.dashed ? ' stroke-dasharray="5 3"' : ''}/>`,
        );
      } else {
        out.push(`<rect x="${x}" y="${y - 5}" width="20" height="10" fill="${FAULT_COLOR}" fill-opacity="0.18" stroke="${FAULT_COLOR}" stroke-opacity="0.5"/>`);
      }
      out.push(`<text x="${x + 26}" y="${y + 4}" fill="currentColor">${escapeHtml(item.label)}</text>`);
    }
  });
  out.push('</g>');
  return out;
}

/** The grid and the y axis, with its title (label and unit) turned up the left side. */
function yAxisSvg(frame: ChartFrame, yTitle: string): string[] {
  const { margin, plotW, plotH } = frame;
  const yDigits = decimalsFor(frame.yStep);
  const out = ['<g class="axis y-axis">'];
  for (const tick of ticksBy(frame.yMin, frame.yMax, frame.yStep)) {
    const y = round(frame.toY(tick));
    out.push(`<line x1="${margin.left}" y1="${y}" x2="${margin.left + plotW}" y2="${y}" stroke="currentColor" stroke-opacity="0.12"/>`);
    out.push(`<text x="${margin.left - 6}" y="${y}" dy="0.32em" text-anchor="end" fill="currentColor">${escapeHtml(formatNumber(tick, yDigits))}</text>`);
  }
  if (yTitle) {
    out.push(
      `<text transform="translate(14 ${round(margin.top + plotH / 2)}) rotate(-90)" text-anchor="middle" fill="currentColor" fill-opacity="0.8">${escapeHtml(yTitle)}</text>`,
    );
  }
  out.push('</g>');
  return out;
}

/** The x axis, in seconds since the run started. */
function xAxisSvg(frame: ChartFrame): string[] {
  const { margin, plotW, plotH } = frame;
  const out = [
    '<g class="axis x-axis">',
    `<line x1="${margin.left}" y1="${margin.top + plotH}" x2="${margin.left + plotW}" y2="${margin.top + plotH}" stroke="currentColor" stroke-opacity="0.5"/>`,
    `<line x1="${margin.left}" y1="${margin.top}" x2="${margin.left}" y2="${margin.top + plotH}" stroke="currentColor" stroke-opacity="0.5"/>`,
  ];
  const xTicks = niceTicks(frame.xMin, frame.xMax, Math.max(2, Math.floor(plotW / 90)));
  const xDigits = decimalsFor(xTicks.length > 1 ? ((xTicks[1] ?? 0) - (xTicks[0] ?? 0)) / 1_000 : 1);
  for (const tick of xTicks) {
    const x = round(frame.toX(tick));
    out.push(`<line x1="${x}" y1="${margin.top + plotH}" x2="${x}" y2="${margin.top + plotH + 4}" stroke="currentColor" stroke-opacity="0.5"/>`);
    out.push(`<text x="${x}" y="${margin.top + plotH + 16}" text-anchor="middle" fill="currentColor">${escapeHtml(`${formatNumber(tick / 1_000, xDigits)} s`)}</text>`);
  }
  out.push(`<text x="${margin.left + plotW / 2}" y="${frame.height - 4}" text-anchor="middle" fill="currentColor" fill-opacity="0.8">time since the run started</text>`);
  out.push('</g>');
  return out;
}

/**
 * Where each mark's label goes: down the line, on its left; one too close to the last goes on the
 * right, or only in the tooltip (side null). The strips its labels take, for the periods' labels to avoid.
 */
function placeMarks(marks: ReadonlyArray<ChartMark>, frame: ChartFrame): { placed: PlacedMark[]; strips: Array<[number, number]> } {
  const markLabels: Array<Array<[number, number]>> = [];
  const placed = [...marks]
    .filter((mark) => mark.atMs >= frame.xMin && mark.atMs <= frame.xMax)
    .sort((a, b) => a.atMs - b.atMs)
    .map((mark) => {
      const px = frame.toX(mark.atMs);
      const side = labelRow(markLabels, px - 14, px - 2, 1) !== null ? -3 : labelRow(markLabels, px + 2, px + 14, 1) !== null ? 11 : null;
      return { mark, px, side };
    });
  return { placed, strips: (markLabels[0] ?? []).sort((a, b) => a[0] - b[0]) };
}

/** Fault periods, shaded under the lines, each labelled where its label fits. */
function periodsSvg(periods: ReadonlyArray<ChartPeriod>, frame: ChartFrame, markStrips: ReadonlyArray<[number, number]>): string[] {
  const { margin, plotH, xMin, xMax, toX } = frame;
  const clampX = (x: number): number => Math.min(xMax, Math.max(xMin, x));
  const out = [`<g class="periods" clip-path="url(#${frame.id}-clip)">`];
  const periodLabels: Array<Array<[number, number]>> = [];
  const labelRows = Math.max(1, Math.min(4, Math.floor(plotH / 40)));
  periods.forEach((period) => {
    if (!Number.isFinite(period.startMs)) return;
    const end = period.endMs !== null && Number.isFinite(period.endMs) ? period.endMs : xMax;
    const x1 = toX(clampX(Math.min(period.startMs, end)));
    const x2 = toX(clampX(Math.max(period.startMs, end)));
    const w = Math.max(2, x2 - x1);
    const when = `${formatNumber(period.startMs / 1_000, 3)} s – ${period.endMs === null ? 'end' : `${formatNumber(end / 1_000, 3)} s`}`;
    out.push(
      `<rect class="fault-period" x="${round(x1)}" y="${margin.top}" width="${round(w)}" height="${plotH}" fill="${FAULT_COLOR}" fill-opacity="0.13"><title>${escapeHtml(`${period.label} (${when})`)}</title></rect>`,
    );
    // Labels that would overlap another go to the next row down, or are left to the tooltip.
    const label = period.label.length > 32 ? `${period.label.slice(0, 31)}…` : period.label;
    // A label that would start under a mark's label starts after it.
    let start = x1 + 3;
    for (const [from, to] of markStrips) if (from <= start + 12 && to >= start - 2) start = to + 3;
    const row = labelRow(periodLabels, start, start + 3 + label.length * 5.6, labelRows);
    if (row !== null) out.push(`<text x="${round(start)}" y="${margin.top + 11 + row * 12}" fill="${FAULT_COLOR}" font-size="10">${escapeHtml(label)}</text>`);
  });
  out.push('</g>');
  return out;
}

/** The lines, one path per series (a lone point drawn as a short dash), decimated to the plot's width. */
function linesSvg(series: ReadonlyArray<ColoredSeries>, segments: Point[][][], frame: ChartFrame, unit: string): string[] {
  const { toX, toY } = frame;
  const out = [`<g class="series" clip-path="url(#${frame.id}-clip)" fill="none" stroke-linejoin="round" stroke-linecap="round">`];
  series.forEach((entry, index) => {
    const parts = (segments[index] ?? []).map((segment) => {
      const points = decimate(segment, toX, frame.plotW * 2);
      if (points.length === 1 && points[0]) {
        const x = toX(points[0].x);
        const y = round(toY(points[0].y));
        return `M${round(x - 1)} ${y}H${round(x + 1)}`;
      }
      return points.map((point, i) => `${i === 0 ? 'M' : 'L'}${round(toX(point.x))} ${round(toY(point.y))}`).join('');
    });
    out.push(
      `<g class="line"><title>${escapeHtml(describe(entry, unit))}</title>${parts.length > 0 ? `<path d="${parts.join('')}" stroke="${escapeHtml(entry.color)}" stroke-width="1.8"${entry.dashed ? ' stroke-dasharray="5 3"' : ''}/>` : ''}</g>`,
    );
  });
  out.push('</g>');
  return out;
}

/** Marks, over the lines: a dashed vertical line, its label turned up beside it where it fits. */
function marksSvg(placed: ReadonlyArray<PlacedMark>, frame: ChartFrame): string[] {
  const { margin, plotH } = frame;
  const out = ['<g class="marks">'];
  for (const { mark, px, side } of placed) {
    const x = round(px);
    const label = mark.label.length > 28 ? `${mark.label.slice(0, 27)}…` : mark.label;
    const text =
      side === null
        ? ''
        : `<text transform="translate(${round(px + side)} ${margin.top + 4}) rotate(-90)" text-anchor="end" fill="currentColor" font-size="10">${escapeHtml(label)}</text>`;
    out.push(
      `<g class="mark"><title>${escapeHtml(`${mark.label} at ${formatNumber(mark.atMs / 1_000, 3)} s`)}</title><line x1="${x}" y1="${margin.top}" x2="${x}" y2="${margin.top + plotH}" stroke="currentColor" stroke-opacity="0.6" stroke-dasharray="3 3"/>${text}</g>`,
    );
  }
  out.push('</g>');
  return out;
}
