import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { lineChart, niceTicks, type LineChartOptions } from '../../../shared/report/svg-chart.js';

const xs = Array.from({ length: 150 }, (_, i) => i * 100);
const base: LineChartOptions = {
  id: 'test',
  title: 'Requests per second',
  xMs: xs,
  series: [{ name: 'requests/s', values: xs.map((x) => 200 + Math.sin(x / 1_000) * 5) }],
  width: 720,
  height: 240,
  yLabel: 'per second',
};

/** The `d` of every path, in order. */
const paths = (svg: string): string[] => [...svg.matchAll(/<path d="([^"]*)"/g)].map((match) => match[1] ?? '');
const rects = (svg: string): Array<{ x: number; width: number }> =>
  [...svg.matchAll(/<rect class="fault-period" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/g)].map((match) => ({ x: Number(match[1]), width: Number(match[2]) }));

describe('svg line chart', () => {
  it('is well-formed SVG with axes, ticks, a legend and a title', () => {
    const svg = lineChart(base);
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" class="chart"/);
    expect(svg).toContain('<title id="test-title">Requests per second</title>');
    expect(svg).toContain('>0 s</text>');
    expect(svg).toContain('>2.5 s</text>');
    expect(svg).toContain('>12.5 s</text>');
    // y ticks from 0 to a round number above the max (205), in round steps.
    const yTicks = [...svg.matchAll(/text-anchor="end" fill="currentColor">([^<]+)<\/text>/g)].map((match) => match[1]);
    expect(yTicks).toEqual(['0', '50', '100', '150', '200', '250']);
    expect(svg).toContain('>requests/s</text>');
    expect(paths(svg)).toHaveLength(1);
  });

  it('shades fault periods, an open one to the end of the chart, and draws marks', () => {
    const svg = lineChart({
      ...base,
      periods: [
        { startMs: 3_000, endMs: 6_000, label: 'latency on a3' },
        { startMs: 10_000, endMs: null, label: 'partition a1' },
      ],
      marks: [{ atMs: 3_000, label: 'before-kill' }],
    });
    const shaded = rects(svg);
    expect(shaded).toHaveLength(2);
    const [first, open] = shaded;
    // Plot area: x from 58 to 720 - 16 = 704 over 0..14,900 ms.
    const toX = (ms: number): number => 58 + (ms / 14_900) * (704 - 58);
    expect(first?.x).toBeCloseTo(toX(3_000), 0);
    expect(first?.width).toBeCloseTo(toX(6_000) - toX(3_000), 0);
    expect((open?.x ?? 0) + (open?.width ?? 0)).toBeCloseTo(704, 0);
    expect(svg).toContain('<title>latency on a3 (3 s – 6 s)</title>');
    expect(svg).toContain('>fault active</text>');
    expect(svg).toMatch(/<g class="mark"><title>before-kill at 3 s<\/title><line x1="188\.1"/);
  });

  it('escapes every piece of text it is given', () => {
    const hostile = `<script>alert("x")</script> & ]]> 'q'`;
    const svg = lineChart({ ...base, title: hostile, yLabel: hostile, yUnit: '<ms>', series: [{ name: hostile, values: [1, 2, 3] }], periods: [{ startMs: 0, endMs: 100, label: hostile }], marks: [{ atMs: 50, label: hostile }] });
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).not.toContain('<script');
    expect(svg).not.toContain(']]>');
    expect(svg).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; ]]&gt; &#39;q&#39;');
    expect(svg).toContain('(&lt;ms&gt;)');
  });

  it('breaks a line at NaN and never writes NaN or Infinity into the SVG', () => {
    const values = xs.map((_, i) => (i === 50 ? Number.NaN : i === 80 ? Number.POSITIVE_INFINITY : 10));
    const svg = lineChart({ ...base, series: [{ name: 'gappy', values }] });
    expect(svg).not.toMatch(/NaN|Infinity/);
    const [d] = paths(svg);
    expect(d?.match(/M/g)).toHaveLength(3);
    expect(XMLValidator.validate(svg)).toBe(true);
  });

  it('draws empty axes that say "no data" for empty and all-NaN series', () => {
    for (const options of [
      { ...base, xMs: [], series: [] },
      { ...base, series: [{ name: 'empty', values: [] }] },
      { ...base, series: [{ name: 'nan', values: xs.map(() => Number.NaN) }] },
    ]) {
      const svg = lineChart(options);
      expect(svg).toContain('>no data</text>');
      expect(svg).not.toMatch(/NaN|Infinity/);
      expect(paths(svg)).toHaveLength(0);
      expect(XMLValidator.validate(svg)).toBe(true);
    }
  });

  it('keeps a long series small, and its spikes', () => {
    // Six one-hour runs at 10 Hz: more points than a function call takes arguments.
    const long = Array.from({ length: 216_000 }, (_, i) => i * 100);
    const values = long.map((_, i) => (i === 120_000 ? 1_000 : 5));
    const svg = lineChart({ ...base, xMs: long, series: [{ name: 'an hour', values }] });
    const [d] = paths(svg);
    const points = d?.match(/[ML]/g)?.length ?? 0;
    expect(points).toBeLessThanOrEqual(2 * (704 - 58) + 2);
    expect(svg).toContain('>1000</text>'); // the y axis still reaches the spike
    expect(d).toMatch(/L[\d.]+ 28(?=L)/); // the spike, at the top of the plot (y = 28)
  });

  it('extends the y axis below 0 for negative values', () => {
    const svg = lineChart({ ...base, series: [{ name: 'delta', values: xs.map((_, i) => (i % 2 === 0 ? -12 : 30)) }] });
    const yTicks = [...svg.matchAll(/text-anchor="end" fill="currentColor">([^<]+)<\/text>/g)].map((match) => Number(match[1]));
    expect(yTicks[0]).toBe(-20);
    expect(yTicks.at(-1)).toBe(30);
    expect(yTicks).toContain(0);
  });

  it('overlays series with their own x values', () => {
    const svg = lineChart({ ...base, xMs: [], series: [{ name: 'run 1', xMs: [0, 1_000], values: [1, 2] }, { name: 'run 2', xMs: [0, 2_000], values: [2, 1] }] });
    expect(paths(svg)).toHaveLength(2);
    expect(svg).toContain('>2 s</text>');
  });
});

describe('nice ticks', () => {
  it('picks round steps', () => {
    expect(niceTicks(0, 100, 5)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(0, 14_900, 7)).toEqual([0, 2_500, 5_000, 7_500, 10_000, 12_500]);
    expect(niceTicks(0, 1, 4)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(niceTicks(5, 5)).toEqual([5]);
    expect(niceTicks(Number.NaN, 5)).toEqual([0]);
  });
});
