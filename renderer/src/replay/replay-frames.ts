// The charts' frames of recorded ticks, computed straight from the recording: the same sums, in
// the same order, as RollingRates (so the same numbers), without keeping a rolling list. A jump
// refills a minute of frames at once; RollingRates' closures over every node cost several times more there.
import { NODE_STRIDE, type PackedTick } from '../../../shared/replay/packed-tick.js';
import { ratePerSec } from '../../../shared/rates.js';
import type { MetricsRing } from '../metrics/metrics-ring.js';
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

/** The lab's counts over `ticks[first..i]`, and the time they span. */
function overall(ticks: readonly PackedTick[], first: number, i: number): { requests: number; errors: number; retries: number; ms: number } {
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
  return { requests, errors, retries, ms };
}

/** The frame of `ticks[i]` over the second `ticks[first..i]`, each node's counts over it from `countsOf`. */
function frameOf(ticks: readonly PackedTick[], first: number, i: number, countsOf: (id: string) => { requests: number; errors: number }): MetricsFrame {
  const tick = ticks[i]!;
  const { requests, errors, retries, ms } = overall(ticks, first, i);
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

/** A node's requests and errors over the second before a tick, carried from tick to tick. */
type Counts = { requests: number; errors: number };

/**
 * Visits `ticks[from..to]` in order, each with the first tick of its second and every node's counts
 * over that second. The counts are carried over a sliding second instead of summed again for each
 * tick: counts are whole numbers, so adding the new tick and taking away the one that left gives the
 * very sums frameAt makes, looking a node up twice per tick (in and out of the second), not once per
 * tick of the second.
 */
function slide(ticks: readonly PackedTick[], from: number, to: number, visit: (k: number, first: number, sums: Map<string, Counts>) => void): void {
  if (from > to) return;
  const sums = new Map<string, Counts>();
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
    visit(k, first, sums);
  }
}

/**
 * The frames of `ticks[from..to]` written straight into `ring`, as `ring.push(frameAt(ticks, i))`
 * would write each (the same numbers), without making them: a refill of the charts' minute after a
 * jump is ~620 frames of up to 64 nodes. Returns the newest frame, made (the live numbers read it), or null.
 */
export function framesInto(ticks: readonly PackedTick[], from: number, to: number, ring: MetricsRing): MetricsFrame | null {
  let perNode = new Float64Array(0);
  slide(ticks, from, to, (k, first, sums) => {
    const tick = ticks[k]!;
    const { requests, errors, retries, ms } = overall(ticks, first, k);
    const { ids, nodes } = tick;
    if (perNode.length < ids.length * 4) perNode = new Float64Array(ids.length * 4);
    for (let n = 0, k4 = 0, kn = 0; n < ids.length; n++, k4 += 4, kn += NODE_STRIDE) {
      const counts = sums.get(ids[n]!)!;
      perNode[k4] = ratePerSec(counts.requests, ms);
      perNode[k4 + 1] = ratePerSec(counts.errors, ms);
      perNode[k4 + 2] = nodes[kn + P50]!;
      perNode[k4 + 3] = nodes[kn + P99]!;
    }
    ring.pushValues(tick.at, ratePerSec(requests, ms), ratePerSec(errors, ms), ratePerSec(retries, ms), tick.latency.p50, tick.latency.p99, ids, perNode);
  });
  return from > to ? null : frameAt(ticks, to);
}
