import { performance } from 'node:perf_hooks';

/** Epoch milliseconds from the monotonic clock: sub-millisecond, never jumps with the wall clock. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

export type Clock = () => number;
