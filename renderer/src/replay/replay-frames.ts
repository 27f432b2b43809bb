// The charts' frames of recorded ticks, computed straight from the recording: the same sums, in
// the same order, as RollingRates (so the same numbers), without keeping a rolling list. A jump
// refills a minute of frames at once; RollingRates' closures over every node cost several times more there.
import type { MetricsTick } from '../../../shared/contract/model.js';
import { ratePerSec } from '../../../shared/rates.js';
import { RATE_WINDOW_MS, type MetricsFrame, type NodeFrame } from '../metrics/rolling-rates.js';
import { nodeRecord } from '../store/node-record.js';

/** The frame RollingRates makes of `ticks[i]` when it has been fed the ticks before it: rates over the last second. */
export function frameAt(ticks: readonly MetricsTick[], i: number): MetricsFrame {
  const from = ticks[i]!.at - RATE_WINDOW_MS;
  let first = i;
  while (first > 0 && ticks[first - 1]!.at > from) first--;
  return frameOf(ticks, first, i, (id) => {
    const sum = { requests: 0, errors: 0 };
    for (let k = first; k <= i; k++) {
      const own = ticks[k]!.perNode;
      if (!Object.hasOwn(own, id)) continue;
      const node = own[id];
      sum.requests += node?.requests ?? 0;
      sum.errors += node?.errors ?? 0;
    }
    return sum;
  });
}

/** The frame of `ticks[i]` over the second `ticks[first..i]`, each node's counts over it from `countsOf`. */
function frameOf(ticks: readonly MetricsTick[], first: number, i: number, countsOf: (id: string) => { requests: number; errors: number }): MetricsFrame {
  const tick = ticks[i]!;
  let requests = 0;
  let errors = 0;
  let retries = 0;
  let ms = 0;
  for (let k = first; k <= i; k++) {
    const t = ticks[k]!;
    requests += t.requests;
    errors += t.errors;
    retries += t.retries;
    ms += t.windowMs;
  }
  const perNode = nodeRecord<NodeFrame>();
  for (const id in tick.perNode) {
    if (!Object.hasOwn(tick.perNode, id)) continue;
    const n = tick.perNode[id]!;
    const counts = countsOf(id);
    perNode[id] = { requestsPerSec: ratePerSec(counts.requests, ms), errorsPerSec: ratePerSec(counts.errors, ms), inflight: n.inflight, p50: n.p50, p99: n.p99 };
  }
  return {
    at: tick.at,
    requestsPerSec: ratePerSec(requests, ms),
    errorsPerSec: ratePerSec(errors, ms),
    retriesPerSec: ratePerSec(retries, ms),
    inflight: tick.inflight,
    acked: tick.acked,
    latency: tick.latency,
    perNode,
  };
}

/**
 * The frames of `ticks[from..to]`, in order, each equal to `frameAt(ticks, i)`: a refill of the
 * charts' minute (~620 frames at once after a jump). The per-node counts are carried over a sliding
 * second instead of summed again for each frame: counts are whole numbers, so adding the new tick
 * and taking away the one that left gives the very sums frameAt makes, looking a node up twice per
 * tick (in and out of the second), not once per tick of the second.
 */
export function framesBetween(ticks: readonly MetricsTick[], from: number, to: number, emit: (frame: MetricsFrame) => void): void {
  if (from > to) return;
  const sums = new Map<string, { requests: number; errors: number }>();
  const add = (tick: MetricsTick, sign: 1 | -1): void => {
    for (const id in tick.perNode) {
      if (!Object.hasOwn(tick.perNode, id)) continue;
      const node = tick.perNode[id];
      let sum = sums.get(id);
      if (!sum) sums.set(id, (sum = { requests: 0, errors: 0 }));
      sum.requests += sign * (node?.requests ?? 0);
      sum.errors += sign * (node?.errors ?? 0);
    }
  };
  let first = from;
  for (let k = from; k <= to; k++) {
    const tick = ticks[k]!;
    const since = tick.at - RATE_WINDOW_MS;
    if (k === from) {
      while (first > 0 && ticks[first - 1]!.at > since) first--;
      for (let j = first; j < k; j++) add(ticks[j]!, 1);
    } else {
      while (first < k && ticks[first]!.at <= since) add(ticks[first++]!, -1);
    }
    add(tick, 1);
    emit(frameOf(ticks, first, k, (id) => sums.get(id)!));
  }
}
