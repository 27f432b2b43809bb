import { performance } from 'node:perf_hooks';

/** A worker thread's correction to the engine's clock (0 on the engine's thread, and where they agree). */
let offset = 0;

/** Epoch milliseconds from the monotonic clock: sub-millisecond, never jumps with the wall clock. */
export function now(): number {
  return performance.timeOrigin + performance.now() + offset;
}

/** `now()` minus the process's monotonic clock (ms): equal on every thread whose clock agrees. */
export function clockBase(): number {
  return performance.timeOrigin + performance.now() - Number(process.hrtime.bigint()) / 1e6;
}

/**
 * Makes this thread's `now()` the engine's: `base` is the engine's `clockBase()`. Node gives a worker
 * thread the process's time origin today; this holds the data plane's timestamps to the engine's
 * even where a runtime gives a thread its own.
 */
export function alignClock(base: number): void {
  const delta = base - clockBase();
  offset = Math.abs(delta) > 0.01 ? delta : 0;
}

export type Clock = () => number;
