import type { LatencySummary, MetricsTick } from '../../../shared/contract/model.js';
import { lastSpan, rateOver } from '../../../shared/rates.js';
import { nodeRecord } from '../store/node-record.js';

/** Rates are read over the last second: ten 100 ms windows, whose counts jump with every burst. */
export const RATE_WINDOW_MS = 1_000;

/** One node as the views draw it: rates over the last second, the newest window's percentiles and in-flight. */
export interface NodeFrame {
  requestsPerSec: number;
  errorsPerSec: number;
  inflight: number;
  p50: number;
  p99: number;
}

/** What charts and live numbers read of each tick: its rates over the last second, the rest as the tick has it. */
export interface MetricsFrame {
  /** When the newest window closed (epoch ms). */
  at: number;
  requestsPerSec: number;
  errorsPerSec: number;
  retriesPerSec: number;
  inflight: number;
  acked: number;
  latency: LatencySummary;
  perNode: Record<string, NodeFrame>;
}

/**
 * Turns each tick's counts into rates over the last `RATE_WINDOW_MS` (counts summed over the recent
 * ticks, divided by their total time: shared/rates.ts), overall and per node. Latency percentiles
 * are left as measured: smoothing a p99 would hide the very spikes a drill is looking for.
 */
export class RollingRates {
  private recent: MetricsTick[] = [];

  smooth(tick: MetricsTick): MetricsFrame {
    this.recent.push(tick);
    this.recent = lastSpan(this.recent, RATE_WINDOW_MS);
    const recent = this.recent;
    const perNode = nodeRecord<NodeFrame>();
    for (const [id, n] of Object.entries(tick.perNode)) {
      const count = (field: 'requests' | 'errors') => (t: MetricsTick) => (Object.hasOwn(t.perNode, id) ? (t.perNode[id]?.[field] ?? 0) : 0);
      perNode[id] = { requestsPerSec: rateOver(recent, count('requests')), errorsPerSec: rateOver(recent, count('errors')), inflight: n.inflight, p50: n.p50, p99: n.p99 };
    }
    return {
      at: tick.at,
      requestsPerSec: rateOver(recent, (t) => t.requests),
      errorsPerSec: rateOver(recent, (t) => t.errors),
      retriesPerSec: rateOver(recent, (t) => t.retries),
      inflight: tick.inflight,
      acked: tick.acked,
      latency: tick.latency,
      perNode,
    };
  }

  clear(): void {
    this.recent = [];
  }
}
