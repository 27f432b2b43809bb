// The charts' frames of recorded ticks, computed straight from the recording: the same sums, in
// the same order, as RollingRates (so the same numbers), without keeping a rolling list. A jump
// refills a minute of frames at once; RollingRates' closures over every node cost several times more there.
import type { MetricsTick } from '../../../shared/contract/model.js';
import { ratePerSec } from '../../../shared/rates.js';
import { RATE_WINDOW_MS, type MetricsFrame, type NodeFrame } from '../metrics/rolling-rates.js';
import { nodeRecord } from '../store/node-record.js';

/** The frame RollingRates makes of `ticks[i]` when it has been fed the ticks before it: rates over the last second. */
export function frameAt(ticks: readonly MetricsTick[], i: number): MetricsFrame {
  const tick = ticks[i]!;
  const from = tick.at - RATE_WINDOW_MS;
  let first = i;
  while (first > 0 && ticks[first - 1]!.at > from) first--;
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
  for (const [id, n] of Object.entries(tick.perNode)) {
    let nodeRequests = 0;
    let nodeErrors = 0;
    for (let k = first; k <= i; k++) {
      const own = ticks[k]!.perNode;
      if (!Object.hasOwn(own, id)) continue;
      const node = own[id];
      nodeRequests += node?.requests ?? 0;
      nodeErrors += node?.errors ?? 0;
    }
    perNode[id] = { requestsPerSec: ratePerSec(nodeRequests, ms), errorsPerSec: ratePerSec(nodeErrors, ms), inflight: n.inflight, p50: n.p50, p99: n.p99 };
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

