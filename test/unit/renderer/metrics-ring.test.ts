import { describe, expect, it } from 'vitest';

// The renderer is type-checked by its own (web) tsconfig: loaded here by a path tsc does not follow.
const metrics = '../../../renderer/src/metrics/';
type Series = 'rps' | 'errors' | 'retries' | 'p50' | 'p99';
interface MetricsRing {
  readonly capacity: number;
  readonly size: number;
  nodeIds(): string[];
  push(frame: Frame): void;
  times(): Float64Array;
  series(name: Series): Float64Array;
  nodeSeries(id: string, name: Exclude<Series, 'retries'>): Float64Array;
  clear(): void;
}
const { MetricsRing } = (await import(`${metrics}metrics-ring`)) as { MetricsRing: new (capacity: number) => MetricsRing };

/** A frame as RollingRates makes it (rates over the last second). */
interface Frame {
  at: number;
  requestsPerSec: number;
  errorsPerSec: number;
  retriesPerSec: number;
  inflight: number;
  acked: number;
  latency: { p50: number; p90: number; p99: number; max: number; count: number };
  perNode: Record<string, { requestsPerSec: number; errorsPerSec: number; inflight: number; p50: number; p99: number }>;
}

/** Frame `n`: at n seconds, every rate n, and per node whatever is given (rps = the number). */
function tick(n: number, nodes: Record<string, number> = {}): Frame {
  const perNode: Frame['perNode'] = {};
  for (const [id, rps] of Object.entries(nodes)) perNode[id] = { requestsPerSec: rps, errorsPerSec: rps / 10, p50: rps + 1, p99: rps + 2, inflight: 0 };
  return {
    at: n * 1000,
    requestsPerSec: n,
    errorsPerSec: n / 10,
    retriesPerSec: n / 100,
    inflight: 0,
    acked: 0,
    latency: { p50: n + 1, p90: n + 1.5, p99: n + 2, max: n + 3, count: 10 },
    perNode,
  };
}

describe('MetricsRing', () => {
  it('keeps ticks as columns, oldest first, time in seconds', () => {
    const ring = new MetricsRing(4);
    for (const n of [1, 2, 3]) ring.push(tick(n));
    expect(ring.size).toBe(3);
    expect([...ring.times()]).toEqual([1, 2, 3]);
    expect([...ring.series('rps')]).toEqual([1, 2, 3]);
    expect([...ring.series('errors')]).toEqual([0.1, 0.2, 0.3]);
    expect([...ring.series('retries')]).toEqual([0.01, 0.02, 0.03]);
    expect([...ring.series('p50')]).toEqual([2, 3, 4]);
    expect([...ring.series('p99')]).toEqual([3, 4, 5]);
  });

  it('past its capacity, drops the oldest and still reads the newest as one contiguous view, in order', () => {
    const ring = new MetricsRing(4);
    for (let n = 1; n <= 11; n++) {
      ring.push(tick(n));
      const kept = Array.from({ length: Math.min(n, 4) }, (_, i) => n - Math.min(n, 4) + 1 + i);
      expect([...ring.series('rps')]).toEqual(kept);
      expect([...ring.times()]).toEqual(kept);
    }
    expect(ring.size).toBe(4);
    // A view, not a copy: it shares the ring's buffer (charts read it without allocating).
    expect(ring.series('rps').buffer).toBe(ring.series('rps').buffer);
    expect(ring.series('rps').buffer.byteLength).toBe(4 * 2 * Float64Array.BYTES_PER_ELEMENT);
  });

  it('lines a node up with the ticks: zeros before it was first seen and after it left', () => {
    const ring = new MetricsRing(8);
    ring.push(tick(1, { a: 5 }));
    ring.push(tick(2, { a: 6, b: 7 }));
    ring.push(tick(3, { b: 8 }));
    expect(ring.nodeIds()).toEqual(['a', 'b']);
    expect([...ring.nodeSeries('a', 'rps')]).toEqual([5, 6, 0]);
    expect([...ring.nodeSeries('b', 'rps')]).toEqual([0, 7, 8]);
    expect([...ring.nodeSeries('b', 'errors')]).toEqual([0, 0.7, 0.8]);
    expect([...ring.nodeSeries('b', 'p99')]).toEqual([0, 9, 10]);
    expect([...ring.nodeSeries('never', 'rps')]).toEqual([0, 0, 0]);
    // Once the ring wraps, a node that left must not show what its slot held a lap ago.
    const small = new MetricsRing(2);
    small.push(tick(1, { a: 5 }));
    small.push(tick(2, { a: 6 }));
    small.push(tick(3));
    expect([...small.nodeSeries('a', 'rps')]).toEqual([6, 0]);
    expect([...small.nodeSeries('a', 'p50')]).toEqual([7, 0]);
  });

  it('clear forgets ticks and nodes', () => {
    const ring = new MetricsRing(4);
    for (const n of [1, 2, 3, 4, 5]) ring.push(tick(n, { a: n }));
    ring.clear();
    expect(ring.size).toBe(0);
    expect(ring.nodeIds()).toEqual([]);
    expect([...ring.times()]).toEqual([]);
    ring.push(tick(9));
    expect([...ring.series('rps')]).toEqual([9]);
  });
});
