// The charts' frames of recorded ticks, computed straight from the recording: the same sums, in
// the same order, as RollingRates (so the same numbers), without keeping a rolling list. A jump
// refills a minute of frames at once; RollingRates' closures over every node cost several times more there.
import { NODE_STRIDE, type PackedTick } from '../../../shared/replay/packed-tick.js';
import { ratePerSec } from '../../../shared/rates.js';
import { RATE_WINDOW_MS, type MetricsFrame, type NodeFrame } from '../metrics/rolling-rates.js';
import { nodeRecord } from '../store/node-record.js';

// A node's numbers in a packed tick, from its first: requests, errors, retries, inflight, p50, p99.
const REQUESTS = 0;
const ERRORS = 1;
const INFLIGHT = 3;
const P50 = 4;
const P99 = 5;

/** The frame RollingRates makes of `ticks[i]` when it has been fed the ticks before it: rates over the last second. */
export function frameAt(ticks: readonly PackedTick[], i: number): MetricsFrame {
  const from = ticks[i]!.at - RATE_WINDOW_MS;
  let first = i;
  while (first > 0 && ticks[first - 1]!.at > from) first--;
  return frameOf(ticks, first, i, (id) => {
    const sum = { requests: 0, errors: 0 };
    for (let k = first; k <= i; k++) {
      const { ids, nodes } = ticks[k]!;
      const at = ids.indexOf(id);
      if (at < 0) continue;
      sum.requests += nodes[at * NODE_STRIDE + REQUESTS]!;
      sum.errors += nodes[at * NODE_STRIDE + ERRORS]!;
    }
    return sum;
  });
}

/** The frame of `ticks[i]` over the second `ticks[first..i]`, each node's counts over it from `countsOf`. */
function frameOf(ticks: readonly PackedTick[], first: number, i: number, countsOf: (id: string) => { requests: number; errors: number }): MetricsFrame {
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
  const { ids, nodes } = tick;
  for (let n = 0, k = 0; n < ids.length; n++, k += NODE_STRIDE) {
    const counts = countsOf(ids[n]!);
    perNode[ids[n]!] = { requestsPerSec: ratePerSec(counts.requests, ms), errorsPerSec: ratePerSec(counts.errors, ms), inflight: nodes[k + INFLIGHT]!, p50: nodes[k + P50]!, p99: nodes[k + P99]! };
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
export function framesBetween(ticks: readonly PackedTick[], from: number, to: number, emit: (frame: MetricsFrame) => void): void {
  if (from > to) return;
  const sums = new Map<string, { requests: number; errors: number }>();
  const add = (tick: PackedTick, sign: 1 | -1): void => {
    const { ids, nodes } = tick;
    for (let n = 0, k = 0; n < ids.length; n++, k += NODE_STRIDE) {
      let sum = sums.get(ids[n]!);
      if (!sum) sums.set(ids[n]!, (sum = { requests: 0, errors: 0 }));
      sum.requests += sign * nodes[k + REQUESTS]!;
      sum.errors += sign * nodes[k + ERRORS]!;
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
