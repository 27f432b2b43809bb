import { afterEach, describe, expect, it, vi } from 'vitest';
import { sleep } from '../../../shared/sleep';
import { MetricsRecorder, type RequestOutcome } from '../../../electron/engine/metrics';
import type { MetricsTick } from '../../../shared/contract/model';
import { ratePerSec } from '../../../shared/rates';

function outcome(nodeId: string | null, durationMs: number, extra: Partial<RequestOutcome> = {}): RequestOutcome {
  return { startedAt: 0, durationMs, method: 'GET', nodeId, status: 200, ok: true, tries: 1, retried: false, ...extra };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('MetricsRecorder (fake timers)', () => {
  it('turns a burst into per-window counts (and so rates) and percentiles, overall and per node', () => {
    vi.useFakeTimers();
    const recorder = new MetricsRecorder({
      clock: () => Date.now(),
      upstreams: () => [
        { id: 'n1', inflight: 4 },
        { id: 'n3', inflight: 0 },
      ],
      acked: () => 7,
    });
    const ticks: MetricsTick[] = [];
    recorder.onTick((t) => ticks.push(t));
    recorder.start();

    // 1000 outcomes in one window: n1 answers in 1..500 ms, n2 in 501..1000 ms; every 10th fails, every 4th was retried once.
    for (let i = 0; i < 1000; i++) {
      const node = i % 2 === 0 ? 'n1' : 'n2';
      const ms = node === 'n1' ? 1 + (i >> 1) : 501 + (i >> 1);
      recorder.observe(outcome(node, ms, { ok: i % 10 !== 0, status: i % 10 === 0 ? 502 : 200, tries: i % 4 === 0 ? 2 : 1, retried: i % 4 === 0 }));
    }
    recorder.observe(outcome(null, 2000, { ok: false, status: 503, error: 'no upstream' }));
    vi.advanceTimersByTime(100);

    expect(ticks).toHaveLength(1);
    const t = ticks[0]!;
    expect(t.windowMs).toBe(100);
    expect(t).toMatchObject({ requests: 1001, errors: 101, retries: 250, inflight: 4, acked: 7 });
    expect(ratePerSec(t.requests, t.windowMs)).toBeCloseTo(10_010, 6);
    expect(ratePerSec(t.errors, t.windowMs)).toBeCloseTo(1_010, 6);
    expect(ratePerSec(t.retries, t.windowMs)).toBeCloseTo(2_500, 6);
    // Percentiles within 1 % (HdrHistogram, 2 significant digits).
    const near = (value: number, expected: number) => expect(Math.abs(value - expected) / expected).toBeLessThan(0.01);
    near(t.latency.p50, 500);
    near(t.latency.p90, 900);
    near(t.latency.p99, 990);
    expect(t.latency.max).toBe(2000);
    expect(t.latency.count).toBe(1001);
    near(t.perNode.n1!.p50, 250);
    near(t.perNode.n1!.p99, 495);
    near(t.perNode.n2!.p50, 750);
    expect(t.perNode.n1).toMatchObject({ requests: 500, errors: 100, retries: 250, inflight: 4 });
    expect(ratePerSec(t.perNode.n1!.requests, t.windowMs)).toBe(5000);
    expect(ratePerSec(t.perNode.n1!.errors, t.windowMs)).toBe(1000);
    expect(t.perNode.n2).toMatchObject({ requests: 500, retries: 0, inflight: 0 });
    expect(ratePerSec(t.perNode.n2!.requests, t.windowMs)).toBe(5000);
    expect(t.perNode.n3).toEqual({ requests: 0, errors: 0, retries: 0, inflight: 0, p50: 0, p99: 0 });

    // The next window starts empty; 1 s of time is 10 ticks.
    vi.advanceTimersByTime(900);
    expect(ticks).toHaveLength(10);
    expect(ticks[1]).toMatchObject({ requests: 0, latency: { count: 0, p99: 0 } });
    recorder.stop();
    vi.advanceTimersByTime(1000);
    expect(ticks).toHaveLength(10);
  });

  it('keeps a bounded history, oldest first', () => {
    vi.useFakeTimers();
    const recorder = new MetricsRecorder({ clock: () => Date.now(), historyMs: 500 });
    recorder.start();
    vi.advanceTimersByTime(1200);
    const series = recorder.series();
    expect(series).toHaveLength(5);
    expect(series.map((t) => t.at)).toEqual([...series.map((t) => t.at)].sort((a, b) => a - b));
    expect(recorder.latest()).toBe(series[4]);
    recorder.stop();
  });

  it('a throwing listener does not stop the others', () => {
    vi.useFakeTimers();
    const recorder = new MetricsRecorder({ clock: () => Date.now() });
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    let seen = 0;
    recorder.onTick(() => {
      throw new Error('boom');
    });
    const off = recorder.onTick(() => seen++);
    recorder.start();
    vi.advanceTimersByTime(200);
    off();
    vi.advanceTimersByTime(200);
    expect(seen).toBe(2);
    expect(error).toHaveBeenCalled();
    recorder.stop();
  });
});

describe('MetricsRecorder (real timers)', () => {
  it('ticks at ~10 Hz: 9–11 ticks over 1 s while outcomes pour in', async () => {
    const recorder = new MetricsRecorder();
    const ticks: MetricsTick[] = [];
    let observed = 0;
    let observedAtLastTick = 0;
    recorder.onTick((t) => {
      ticks.push(t);
      observedAtLastTick = observed;
    });
    recorder.start();
    const feeder = setInterval(() => {
      for (let i = 0; i < 100; i++) recorder.observe(outcome('n1', 3));
      observed += 100;
    }, 5);
    await sleep(1000);
    clearInterval(feeder);
    recorder.stop();
    expect(ticks.length).toBeGreaterThanOrEqual(9);
    expect(ticks.length).toBeLessThanOrEqual(11);
    // Each window is measured, not assumed: on average ~100 ms.
    const meanWindow = ticks.reduce((sum, t) => sum + t.windowMs, 0) / ticks.length;
    expect(meanWindow).toBeGreaterThan(90);
    expect(meanWindow).toBeLessThan(115);
    // The windows' counts add up to exactly what was observed up to the last tick.
    const total = ticks.reduce((sum, t) => sum + t.requests, 0);
    expect(total).toBe(observedAtLastTick);
    expect(observedAtLastTick).toBeGreaterThan(5_000);
    expect(ticks[ticks.length - 1]!.perNode.n1!.p50).toBeCloseTo(3, 1);
  });
});
