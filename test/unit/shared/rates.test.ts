import { describe, expect, it } from 'vitest';
import { lastSpan, rateOver, ratePerSec, sumOver } from '../../../shared/rates';

const w = (at: number, n: number, windowMs = 100) => ({ at, windowMs, n });

describe('shared/rates', () => {
  it('ratePerSec: a count over a window in ms, per second; 0 for a window of no length', () => {
    expect(ratePerSec(25, 100)).toBe(250);
    expect(ratePerSec(3, 1_500)).toBe(2);
    expect(ratePerSec(0, 100)).toBe(0);
    expect(ratePerSec(5, 0)).toBe(0);
  });

  it('lastSpan keeps the windows that end within the span of the newest (the newest always), oldest first', () => {
    const windows = [w(0, 1), w(100, 2), w(200, 3), w(1_100, 4)];
    expect(lastSpan(windows, 1_000).map((x) => x.at)).toEqual([200, 1_100]);
    expect(lastSpan(windows, 1_001).map((x) => x.at)).toEqual([100, 200, 1_100]);
    expect(lastSpan(windows, 1).map((x) => x.at)).toEqual([1_100]);
    expect(lastSpan([], 1_000)).toEqual([]);
    expect(windows).toHaveLength(4);
  });

  it('sumOver and rateOver weigh each window by its own length', () => {
    const windows = [w(100, 10, 100), w(400, 3, 300)];
    expect(sumOver(windows, (x) => x.n)).toEqual({ count: 13, ms: 400 });
    expect(rateOver(windows, (x) => x.n)).toBeCloseTo(32.5, 9);
    expect(rateOver([], (x: { at: number; windowMs: number }) => x.at)).toBe(0);
  });
});
