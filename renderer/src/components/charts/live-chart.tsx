import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { metricsRing, onMetricsFrame } from '../../metrics/metrics-feed.js';
import { useStore } from '../../store/store.js';
import { ChartTurns } from './chart-turns.js';
import { markIncidents, shadeFaults } from './fault-shading.js';
import { useSystemDark } from './use-color-scheme.js';

export type ChartSeries = {
  label: string;
  /** Index into the theme's chart palette (--chart-0 … --chart-7). */
  color: number;
  /** The whole series from the ring, aligned with `metricsRing.times()`. */
  values: () => Float64Array;
  dash?: number[];
  /** Line width in CSS pixels (default 2). */
  width?: number;
};

type Props = {
  title: string;
  unit: string;
  series: ChartSeries[];
  /** Shade only this node's faults; all faults when absent. */
  faultsOf?: string | undefined;
  windowSec?: number;
  height?: number;
  /** The y axis shows at least 0 … this, so a quiet series is not blown up into noise. */
  minRange?: number;
  /**
   * Redraw on every n-th metrics frame only (default 1): charts shown many at once take turns, so
   * that a frame redraws a share of them. Without a GPU each redrawn canvas is rasterised and copied
   * to the compositor in the frame (the Charts view's long tasks were mostly that commit).
   */
  redrawEvery?: number;
  testId: string;
};

/** Each chart's turn among those that redraw every n-th frame: charts made together get consecutive turns. */
let nextTurn = 0;

/** A theme colour as canvas needs it: custom properties hold light-dark(), so let a probe element resolve it. */
function resolveColor(el: Element, name: string): string {
  const probe = document.createElement('span');
  probe.style.color = `var(${name})`;
  el.appendChild(probe);
  const color = getComputedStyle(probe).color;
  probe.remove();
  return color;
}

/** `mm:ss` of an x value (epoch seconds): a live chart needs no date line under its axis. */
function clockLabel(seconds: number): string {
  const d = new Date(seconds * 1000);
  return `${String(d.getMinutes()).padStart(2, '0')}:${String(d.getSeconds()).padStart(2, '0')}`;
}

/** The first index whose time is within the window: binary search, the times are increasing. */
function windowStart(times: Float64Array, from: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((times[mid] ?? 0) < from) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A uPlot chart of the last `windowSec` seconds of the metrics ring, redrawn at most once per
 * animation frame (outside React) while it is in view, with fault periods shaded and a line at each
 * detection and failover. Rebuilt only
 * when the theme or the set of series changes.
 */
export function LiveChart({ title, unit, series, faultsOf, windowSec = 60, height = 180, minRange = 1, redrawEvery = 1, testId }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const theme = useStore((s) => s.ui.theme);
  const largeType = useStore((s) => s.ui.largeType);
  const systemDark = useSystemDark();
  const seriesRef = useRef(series);
  useEffect(() => {
    seriesRef.current = series;
  });
  const seriesKey = series.map((s) => s.label).join('|');

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const text = resolveColor(el, '--muted');
    const grid = resolveColor(el, '--border');
    const font = `${largeType ? 16 : 13}px system-ui, sans-serif`;
    const data = (): uPlot.AlignedData => {
      const times = metricsRing.times();
      const start = windowStart(times, (times[times.length - 1] ?? 0) - windowSec);
      return [times.subarray(start), ...seriesRef.current.map((s) => s.values().subarray(start))];
    };
    const axis = { stroke: text, font, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const chart = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height,
        legend: { live: false },
        cursor: { drag: { x: false, y: false } },
        scales: {
          // Always the whole window, newest at the right edge: the axis stays still while data flows in.
          x: { time: true, range: (_u, _min, max) => [max - windowSec, max] },
          y: { range: (_u, _min, max) => [0, Math.max(minRange, max * 1.15)] },
        },
        axes: [{ ...axis, values: (_u, ticks) => ticks.map(clockLabel) }, { ...axis, size: 56, values: (_u, ticks) => ticks.map((v) => (Math.abs(v) >= 1000 ? `${(v / 1000).toFixed(1)}k` : String(+v.toFixed(2)))) }],
        series: [
          {},
          ...seriesRef.current.map((s) => ({
            label: s.label,
            stroke: resolveColor(el, `--chart-${s.color % 8}`),
            width: s.width ?? 2,
            points: { show: false },
            ...(s.dash ? { dash: s.dash } : {}),
          })),
        ],
        hooks: {
          drawClear: [shadeFaults(faultsOf, resolveColor(el, '--fault-shade'), resolveColor(el, '--fault-edge'))],
          draw: [markIncidents(faultsOf, { detected: resolveColor(el, '--warn'), failedOver: resolveColor(el, '--ok') }, font)],
        },
      },
      data(),
      el,
    );
    el.dataset.points = String(chart.data[0].length);
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(200, el.clientWidth), height }));
    resize.observe(el);
    // A chart scrolled out of view is not redrawn (the Charts view holds one per node): each redrawn
    // canvas costs a raster and a commit in the frame. It catches up as soon as it is back in view.
    let visible = true;
    // `data-points`: the points drawn (out of view: the points it would draw), for tests and tools.
    const turns = new ChartTurns(
      redrawEvery,
      nextTurn++,
      () => {
        chart.setData(data());
        el.dataset.points = String(chart.data[0].length);
      },
      () => visible,
    );
    const seen = new IntersectionObserver(
      (entries) => {
        visible = entries[entries.length - 1]?.isIntersecting ?? visible;
        if (visible) turns.shown();
      },
      { rootMargin: '100px' },
    );
    seen.observe(el);
    const stop = onMetricsFrame(() => {
      turns.frame();
      if (!visible) el.dataset.points = String(data()[0].length);
    });
    return () => {
      turns.dispose();
      stop();
      seen.disconnect();
      resize.disconnect();
      chart.destroy();
    };
  }, [theme, systemDark, largeType, seriesKey, faultsOf, windowSec, height, minRange, redrawEvery]);

  return (
    <figure className="chart" data-testid={testId}>
      <figcaption className="chart-title">
        {title} <span className="muted small">{unit}</span>
      </figcaption>
      <div ref={host} className="chart-host" />
    </figure>
  );
}
