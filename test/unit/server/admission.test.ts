import { describe, expect, it } from 'vitest';
import { AdmissionGate } from '../../../electron/server/admission';

describe('AdmissionGate', () => {
  it('admits up to the concurrency, queues FIFO up to the limit, refuses beyond', async () => {
    const gate = new AdmissionGate({ serviceTimeMs: 0, concurrency: 2, queueLimit: 2, queueTimeoutMs: 0 });
    expect(await gate.acquire()).toBe(true);
    expect(await gate.acquire()).toBe(true);
    const order: number[] = [];
    const third = gate.acquire().then((r) => (order.push(3), r));
    const fourth = gate.acquire().then((r) => (order.push(4), r));
    expect(await gate.acquire()).toBe('queue-full');
    expect([gate.inflight, gate.queued]).toEqual([2, 2]);
    gate.release();
    gate.release();
    expect(await Promise.all([third, fourth])).toEqual([true, true]);
    expect(order).toEqual([3, 4]);
    expect([gate.inflight, gate.queued]).toEqual([2, 0]);
  });

  it('times out a queued request and admits more after a live concurrency change', async () => {
    const gate = new AdmissionGate({ serviceTimeMs: 0, concurrency: 1, queueLimit: 5, queueTimeoutMs: 30 });
    expect(await gate.acquire()).toBe(true);
    const started = performance.now();
    expect(await gate.acquire()).toBe('queue-timeout');
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    const waiting = gate.acquire();
    gate.update({ concurrency: 2 });
    expect(await waiting).toBe(true);
  });

  it('skips a queued request whose client went away', async () => {
    const gate = new AdmissionGate({ serviceTimeMs: 0, concurrency: 1, queueLimit: 5, queueTimeoutMs: 0 });
    await gate.acquire();
    const gone = gate.acquire(() => true);
    const next = gate.acquire();
    gate.release();
    expect(await gone).toBe('client-gone');
    expect(await next).toBe(true);
  });
});
