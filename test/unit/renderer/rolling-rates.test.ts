import { describe, expect, it } from 'vitest';
import type { MetricsTick } from '../../../shared/contract/model';

// The renderer is type-checked by its own (web) tsconfig: loaded here by a path tsc does not follow.
const metrics = '../../../renderer/src/metrics/';
interface Frame {
  at: number;
  requestsPerSec: number;
  errorsPerSec: number;
  retriesPerSec: number;
  inflight: number;
  acked: number;
  latency: MetricsTick['latency'];
  perNode: Record<string, { requestsPerSec: number; errorsPerSec: number; inflight: number; p50: number; p99: number }>;
}
interface RollingRates {
  smooth(tick: MetricsTick): Frame;
  clear(): void;
}
const { RollingRates } = (await import(`${metrics}rolling-rates`)) as { RollingRates: new () => RollingRates };

/** A window (100 ms by default) ending at `at` ms that counted these rates (per second), overall and for node a. */
function tick(at: number, rps: number, errors = 0, p99 = 5, windowMs = 100): MetricsTick {
  const count = (perSec: number) => (perSec * windowMs) / 1000;
  return {
    at,
    windowMs,
    requests: count(rps),
    errors: count(errors),
    retries: count(rps / 2),
    inflight: 3,
    acked: 7,
    latency: { p50: 1, p90: 2, p99, max: p99, count: 1 },
    perNode: { a: { requests: count(rps), errors: count(errors), retries: count(rps / 2), inflight: 3, p50: 1, p99 } },
  };
}

describe('RollingRates', () => {
  it('gives the first tick the rates of its own window, and its other numbers as they are', () => {
    const rates = new RollingRates();
    const first = rates.smooth(tick(0, 40, 4));
    expect(first).toMatchObject({ at: 0, requestsPerSec: 40, errorsPerSec: 4, retriesPerSec: 20, inflight: 3, acked: 7, latency: { p99: 5 } });
    expect(first.perNode.a).toEqual({ requestsPerSec: 40, errorsPerSec: 4, inflight: 3, p50: 1, p99: 5 });
  });

  it('turns bursty 100 ms windows into the rate over the last second, overall and per node', () => {
    const rates = new RollingRates();
    // One window in ten carries all the traffic: 10 requests in 100 ms (100/s), the others none.
    let out: Frame | undefined;
    for (let i = 0; i < 10; i++) out = rates.smooth(tick(i * 100, i === 0 ? 100 : 0, i === 0 ? 10 : 0));
    // 10 requests over 1000 ms: 10/s; 1 error: 1/s; retries at half the requests: 5/s.
    expect(out?.requestsPerSec).toBeCloseTo(10, 9);
    expect(out?.errorsPerSec).toBeCloseTo(1, 9);
    expect(out?.retriesPerSec).toBeCloseTo(5, 9);
    expect(out?.perNode.a?.requestsPerSec).toBeCloseTo(10, 9);
    expect(out?.perNode.a?.errorsPerSec).toBeCloseTo(1, 9);
  });

  it('forgets windows older than a second', () => {
    const rates = new RollingRates();
    rates.smooth(tick(0, 1_000));
    for (let i = 1; i < 10; i++) rates.smooth(tick(i * 100, 0));
    // At 1000 ms the burst at 0 is a full second old: it is out.
    expect(rates.smooth(tick(1_000, 0)).requestsPerSec).toBe(0);
  });

  it('weighs each window by its own length', () => {
    const rates = new RollingRates();
    rates.smooth(tick(0, 100, 0, 5, 100)); // 10 requests in 100 ms
    const out = rates.smooth(tick(300, 10, 0, 5, 300)); // 3 requests in 300 ms
    // 13 requests over 400 ms.
    expect(out.requestsPerSec).toBeCloseTo(32.5, 9);
  });

  it('leaves latency percentiles as measured, so a spike stays visible', () => {
    const rates = new RollingRates();
    rates.smooth(tick(0, 50, 0, 5));
    const spike = rates.smooth(tick(100, 50, 0, 900));
    expect(spike.latency.p99).toBe(900);
    expect(spike.perNode.a?.p99).toBe(900);
  });

  it('clear starts over', () => {
    const rates = new RollingRates();
    rates.smooth(tick(0, 1_000));
    rates.clear();
    expect(rates.smooth(tick(100, 0)).requestsPerSec).toBe(0);
  });

  it('counts a node only in the windows it was in', () => {
    const rates = new RollingRates();
    const without = { ...tick(0, 100), perNode: {} };
    rates.smooth(without); // 10 requests, none of them a's
    // a: 10 requests over the 200 ms of both windows.
    expect(rates.smooth(tick(100, 100)).perNode.a?.requestsPerSec).toBeCloseTo(50, 9);
  });
});
