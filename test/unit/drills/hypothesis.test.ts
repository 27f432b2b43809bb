import { describe, expect, it } from 'vitest';
import type { MetricsTick, TrafficStats } from '../../../shared/contract/model.js';
import { HypothesisMonitor, MIN_SAMPLE } from '../../../electron/engine/drills/hypothesis.js';

function stats(ok: number, failed: number, p99 = 5): TrafficStats {
  const latency = { p50: 1, p90: 2, p99, max: p99, count: ok + failed };
  return { sent: ok + failed, ok, failed, dropped: 0, retried: 0, reads: { sent: ok + failed, failed }, writes: { sent: 0, failed: 0 }, latency, perNode: {} };
}

/** A 100 ms window with these rates (per second): rps / 10 requests, eps / 10 errors. */
function tick(at: number, rps: number, eps: number): MetricsTick {
  return {
    at,
    windowMs: 100,
    requests: rps / 10,
    errors: eps / 10,
    retries: 0,
    inflight: 0,
    acked: 0,
    latency: { p50: 1, p90: 1, p99: 1, max: 1, count: rps / 10 },
    perNode: {},
  };
}

describe('HypothesisMonitor', () => {
  it('ignores a small sample, then judges the cumulative error rate, and a breach stays a breach', () => {
    const m = new HypothesisMonitor({ maxErrorRate: 0.01, maxP99Ms: 100 }, undefined);
    expect(m.observeTraffic(stats(MIN_SAMPLE - 11, 10), 100)).toBe(false);
    expect(m.list().every((c) => c.verdict === 'pending')).toBe(true);

    m.observeTraffic(stats(995, 5), 1_000);
    expect(m.list().map((c) => c.verdict)).toEqual(['pass', 'pass']);
    expect(m.observeTraffic(stats(1_960, 40, 250), 2_000)).toBe(true);
    const [rate, p99] = m.list();
    expect(rate).toMatchObject({ verdict: 'fail', breachedAtMs: 2_000, worst: 0.02 });
    expect(p99).toMatchObject({ verdict: 'fail', worst: 250 });
    // Recovering later does not undo the breach: the worst value counts.
    m.observeTraffic(stats(10_000, 40, 20), 9_000);
    expect(m.list()[0]).toMatchObject({ verdict: 'fail', worst: 0.02 });
    expect(m.list()[0]?.observed).toBeCloseTo(40 / 10_040, 6);
    expect(m.breaches()).toEqual(['error rate 2.00 % > 1.00 %', 'p99 250.0 ms > 100 ms']);
  });

  it('bounds lost writes, and leaves unmeasured bounds pending with the reason', () => {
    const m = new HypothesisMonitor({ maxLostWrites: 0, maxErrorRate: 0.5 }, undefined);
    m.observeLostWrites(0, 500, 120);
    expect(m.list().find((c) => c.name === 'maxLostWrites')?.verdict).toBe('pass');
    m.observeLostWrites(3, 900, 120);
    expect(m.list().find((c) => c.name === 'maxLostWrites')).toMatchObject({ verdict: 'fail', worst: 3 });
    m.finish({ maxErrorRate: 'no traffic' });
    expect(m.list().find((c) => c.name === 'maxErrorRate')).toMatchObject({ verdict: 'pending', detail: 'no traffic' });
  });

  it('stops only when the windowed error rate stays above the limit for forMs; a good window resets the streak', () => {
    const m = new HypothesisMonitor({}, { errorRateAbove: 0.2, forMs: 500 });
    let at = 0;
    const feed = (eps: number): string | null => m.observeTick(tick((at += 100), 200, eps), at);
    for (let i = 0; i < 4; i++) expect(feed(100)).toBeNull();
    expect(feed(10)).toBeNull(); // a good window
    for (let i = 0; i < 4; i++) expect(feed(100)).toBeNull();
    expect(feed(100)).toMatch(/^stop condition: error rate above 20\.0 % for 500 ms \(last window 50\.0 %\)$/);
  });

  it('never stops without a stop condition', () => {
    const m = new HypothesisMonitor({}, undefined);
    for (let at = 100; at < 5_000; at += 100) expect(m.observeTick(tick(at, 200, 200), at)).toBeNull();
  });
});
