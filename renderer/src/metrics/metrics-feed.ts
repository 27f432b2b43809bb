import type { MetricsTick } from '../../../shared/contract/model.js';
import { Listeners, type Unsubscribe } from '../../../shared/contract/transport.js';
import { MetricsRing } from './metrics-ring.js';
import { RollingRates, type MetricsFrame } from './rolling-rates.js';

// Metrics live outside React: ticks (10 Hz) go into a ring, and views that draw them (charts,
// live numbers, link widths) are told at most once per animation frame. No store update, no render.

/** Three minutes at 10 Hz: the charts show the last 60 s or more. */
export const RING_CAPACITY = 1800;

export const metricsRing = new MetricsRing(RING_CAPACITY);
const rates = new RollingRates();

let latest: MetricsFrame | null = null;
let frame = 0;
const frameListeners = new Listeners<[MetricsFrame | null]>();

/** Takes one tick (counts) from the engine; what is stored and shown are its rates over the last second. */
export function pushTick(tick: MetricsTick): void {
  const shown = rates.smooth(tick);
  metricsRing.push(shown);
  latest = shown;
  if (frame === 0) frame = requestAnimationFrame(flush);
}

/**
 * Frames written into the ring by a replay (replay/replay-frames.ts framesInto, straight from its
 * recording); `newest` is the last of them. Views are told at the next animation frame, as for ticks.
 */
export function framesWritten(newest: MetricsFrame | null): void {
  if (newest === null) return;
  latest = newest;
  if (frame === 0) frame = requestAnimationFrame(flush);
}

function flush(): void {
  frame = 0;
  frameListeners.emit(latest);
}

export function latestTick(): MetricsFrame | null {
  return latest;
}

/** Called once per animation frame that follows one or more new ticks. */
export function onMetricsFrame(listener: (tick: MetricsFrame | null) => void): Unsubscribe {
  return frameListeners.add(listener);
}

/**
 * A new run: the old series mean nothing there. `tell: false` when frames follow at once (a replay's
 * refill): the views then go from the old frame to the new one, not through an empty one between
 * (every link's width and every card's req/s drawn at zero and back, twice per refill at 64 nodes).
 */
export function resetMetrics({ tell = true }: { tell?: boolean } = {}): void {
  metricsRing.clear();
  rates.clear();
  latest = null;
  if (tell) frameListeners.emit(null);
}
