import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../../electron/engine/metrics';

describe('LatencyHistogram', () => {
  it('reads percentiles back in ms within its resolution (3 digits: 0.1 %)', () => {
    const h = new LatencyHistogram(3);
    for (let i = 1; i <= 10_000; i++) h.record(i / 10); // 0.1 .. 1000 ms
    const s = h.summary();
    expect(s.count).toBe(10_000);
    expect(Math.abs(s.p50 - 500) / 500).toBeLessThan(0.001);
    expect(Math.abs(s.p90 - 900) / 900).toBeLessThan(0.001);
    expect(Math.abs(s.p99 - 990) / 990).toBeLessThan(0.001);
    expect(s.max).toBe(1000);
  });

  it('clamps past 60 s, counts NaN and negatives as 0, and resets', () => {
    const h = new LatencyHistogram(2);
    h.record(120_000);
    h.record(-5);
    h.record(Number.NaN);
    expect(h.count).toBe(3);
    expect(h.max).toBe(60_000);
    expect(h.percentile(100)).toBe(60_000);
    expect(h.percentile(50)).toBe(0);
    h.reset();
    expect(h.summary()).toEqual({ p50: 0, p90: 0, p99: 0, max: 0, count: 0 });
  });

  it('keeps the max to the microsecond, and every percentile a window of one request reads from it', () => {
    const h = new LatencyHistogram(2);
    h.record(1.23456789012);
    expect(h.max).toBe(1.235);
    expect(h.summary()).toMatchObject({ p50: 1.235, p99: 1.235, max: 1.235 });
    expect(JSON.stringify(h.summary())).toBe('{"p50":1.235,"p90":1.235,"p99":1.235,"max":1.235,"count":1}');
  });

  it('adds one histogram into another', () => {
    const a = new LatencyHistogram(2);
    const b = new LatencyHistogram(2);
    a.record(1);
    b.record(100);
    a.add(b);
    expect(a.count).toBe(2);
    expect(a.max).toBe(100);
  });
});
