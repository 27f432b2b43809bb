import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { sleep } from '../../../shared/sleep';

describe('sleep', () => {
  it('resolves after about the time asked', async () => {
    const started = performance.now();
    await sleep(50);
    const took = performance.now() - started;
    // setTimeout never fires early (≥ 49 allows for timer rounding); a busy 2-core machine may be late.
    expect(took).toBeGreaterThanOrEqual(49);
    expect(took).toBeLessThan(1_000);
  });

  it('rejects with the signal’s reason as soon as it aborts, long before the time is up', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    const started = performance.now();
    const slept = sleep(10_000, controller.signal);
    setTimeout(() => controller.abort(reason), 20);
    await expect(slept).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('rejects at once when the signal has already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('already'));
    await expect(sleep(10_000, controller.signal)).rejects.toThrow('already');
  });

  it('leaves no listener on the signal once it has slept', async () => {
    const controller = new AbortController();
    await sleep(5, controller.signal);
    // A long-lived signal (a drill run's) sleeps many times: each sleep must take its listener away.
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
