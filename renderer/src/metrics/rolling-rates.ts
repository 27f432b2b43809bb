import type { MetricsTick } from '../../../shared/contract/model.js';

/** Rates are read over the last second: ten 100 ms windows, whose counts jump with every burst. */
export const RATE_WINDOW_MS = 1_000;

/**
 * Turns each tick's per-window rates into rates over the last `RATE_WINDOW_MS` (counts summed
 * over the recent ticks, divided by their total time), overall and per node. Latency percentiles
 * are left as measured: smoothing a p99 would hide the very spikes a drill is looking for.
 */
export class RollingRates {
  private readonly recent: MetricsTick[] = [];

  smooth(tick: MetricsTick): MetricsTick {
    this.recent.push(tick);
    while (this.recent.length > 1 && tick.at - (this.recent[0]?.at ?? tick.at) >= RATE_WINDOW_MS) this.recent.shift();
    if (this.recent.length === 1) return tick;

    let ms = 0;
    let requests = 0;
    let errors = 0;
    let retries = 0;
    const nodes = new Map<string, { requests: number; errors: number }>();
    for (const t of this.recent) {
      const seconds = t.windowMs / 1000;
      ms += t.windowMs;
      requests += t.requestsPerSec * seconds;
      errors += t.errorsPerSec * seconds;
      retries += t.retriesPerSec * seconds;
      for (const [id, n] of Object.entries(t.perNode)) {
        const sum = nodes.get(id) ?? { requests: 0, errors: 0 };
        sum.requests += n.requestsPerSec * seconds;
        sum.errors += n.errorsPerSec * seconds;
        nodes.set(id, sum);
      }
    }
    const perSec = 1000 / ms;
    const perNode: MetricsTick['perNode'] = {};
    for (const [id, n] of Object.entries(tick.perNode)) {
      const sum = nodes.get(id) ?? { requests: 0, errors: 0 };
      perNode[id] = { ...n, requestsPerSec: sum.requests * perSec, errorsPerSec: sum.errors * perSec };
    }
    return { ...tick, requestsPerSec: requests * perSec, errorsPerSec: errors * perSec, retriesPerSec: retries * perSec, perNode };
  }

  clear(): void {
    this.recent.length = 0;
  }
}
