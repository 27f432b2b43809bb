// A metrics tick as a recording keeps it: each node's six numbers in one flat array, node by node,
// instead of an object per node. The same numbers, exactly: a 64-node tick is about a third of its
// JSON and of its memory, so the lab holds 30 minutes of 64 nodes and a page can load them.
import type { LatencySummary, MetricsTick, NodeMetrics } from '../contract/model.js';

/** Each node's numbers, in this order, in `PackedTick.nodes`. */
export const NODE_FIELDS = ['requests', 'errors', 'retries', 'inflight', 'p50', 'p99'] as const satisfies ReadonlyArray<keyof NodeMetrics>;
/** How many numbers each node takes in `PackedTick.nodes`. */
export const NODE_STRIDE = NODE_FIELDS.length;

/** `metrics.tick` in a `firedrill.recording/2`: the tick's own numbers as they are, its per-node ones packed. */
export interface PackedTick {
  at: number;
  windowMs: number;
  requests: number;
  errors: number;
  retries: number;
  inflight: number;
  acked: number;
  latency: LatencySummary;
  /** The nodes of `perNode`, in its order. */
  ids: string[];
  /** NODE_STRIDE numbers per node of `ids`, in NODE_FIELDS order. */
  nodes: number[];
}

/** A recorded tick in either form: packed (recording/2) or as emitted (recording/1, and a keyframe's carried tick). */
export type RecordedTick = PackedTick | MetricsTick;

export function isPackedTick(tick: RecordedTick): tick is PackedTick {
  return Array.isArray((tick as PackedTick).nodes);
}

/**
 * Packs a tick. `previousIds`, the ids of the tick packed before it: kept (the same array) when
 * this one has the same nodes in the same order, so thousands of ticks share one list in memory.
 */
export function packTick(tick: MetricsTick, previousIds?: readonly string[]): PackedTick {
  const ids: string[] = [];
  const nodes: number[] = [];
  for (const id in tick.perNode) {
    if (!Object.hasOwn(tick.perNode, id)) continue;
    const n = tick.perNode[id]!;
    ids.push(id);
    nodes.push(n.requests, n.errors, n.retries, n.inflight, n.p50, n.p99);
  }
  const same = previousIds !== undefined && sameIds(ids, previousIds);
  return {
    at: tick.at,
    windowMs: tick.windowMs,
    requests: tick.requests,
    errors: tick.errors,
    retries: tick.retries,
    inflight: tick.inflight,
    acked: tick.acked,
    latency: tick.latency,
    ids: same ? (previousIds as string[]) : ids,
    nodes,
  };
}

/** The same ids in the same order: a tick that may share the list of the one before it. */
export function sameIds(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The tick as the lab emitted it (a null-prototype `perNode`: a node may be called "constructor"). */
export function unpackTick(tick: RecordedTick): MetricsTick {
  if (!isPackedTick(tick)) return tick;
  const perNode = Object.create(null) as Record<string, NodeMetrics>;
  const { ids, nodes } = tick;
  for (let i = 0, k = 0; i < ids.length; i++, k += NODE_STRIDE) {
    perNode[ids[i]!] = { requests: nodes[k]!, errors: nodes[k + 1]!, retries: nodes[k + 2]!, inflight: nodes[k + 3]!, p50: nodes[k + 4]!, p99: nodes[k + 5]! };
  }
  const { ids: _ids, nodes: _nodes, ...rest } = tick;
  return { ...rest, perNode };
}
