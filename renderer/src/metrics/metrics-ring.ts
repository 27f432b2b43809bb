import type { MetricsFrame } from './rolling-rates.js';

/**
 * One series of numbers in a ring. Each value is written twice (at i and i + capacity), so the
 * newest `size` values are always one contiguous subarray: charts read them without a copy.
 */
class Column {
  readonly data: Float64Array;

  constructor(private readonly capacity: number) {
    this.data = new Float64Array(capacity * 2);
  }

  write(index: number, value: number): void {
    this.data[index] = value;
    this.data[index + this.capacity] = value;
  }
}

export const OVERALL_SERIES = ['rps', 'errors', 'retries', 'p50', 'p99'] as const;
export type OverallSeries = (typeof OVERALL_SERIES)[number];
export const NODE_SERIES = ['rps', 'errors', 'p50', 'p99'] as const;
export type NodeSeries = (typeof NODE_SERIES)[number];

/** Metrics frames as columns (time in seconds, rates, percentiles), overall and per node, in a fixed ring. */
export class MetricsRing {
  private readonly time: Column;
  private readonly overall: Record<OverallSeries, Column>;
  private readonly nodes = new Map<string, Record<NodeSeries, Column>>();
  private next = 0;
  private count = 0;
  /**
   * pushValues' columns for each id list it was given (the same list objects, shared by runs of
   * ticks: replay/tick-window.ts), and the ring's nodes not in it; valid while the ring's nodes stay the same.
   */
  private aligned = new Map<readonly string[], { columns: Array<Record<NodeSeries, Column>>; absent: Array<Record<NodeSeries, Column>> }>();
  private alignedSize = 0;

  constructor(readonly capacity: number) {
    this.time = new Column(capacity);
    this.overall = this.columns(OVERALL_SERIES);
  }

  get size(): number {
    return this.count;
  }

  /** Node ids seen so far, in order of first appearance. */
  nodeIds(): string[] {
    return [...this.nodes.keys()];
  }

  push(tick: MetricsFrame): void {
    const i = this.next;
    this.time.write(i, tick.at / 1000);
    this.overall.rps.write(i, tick.requestsPerSec);
    this.overall.errors.write(i, tick.errorsPerSec);
    this.overall.retries.write(i, tick.retriesPerSec);
    this.overall.p50.write(i, tick.latency.p50);
    this.overall.p99.write(i, tick.latency.p99);
    for (const id of Object.keys(tick.perNode)) {
      if (!this.nodes.has(id)) this.nodes.set(id, this.columns(NODE_SERIES));
    }
    for (const [id, columns] of this.nodes) {
      const node = tick.perNode[id];
      columns.rps.write(i, node?.requestsPerSec ?? 0);
      columns.errors.write(i, node?.errorsPerSec ?? 0);
      columns.p50.write(i, node?.p50 ?? 0);
      columns.p99.write(i, node?.p99 ?? 0);
    }
    this.next = (i + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  /**
   * What `push` writes for a frame, given as numbers: the overall series, and per node of `ids` its
   * rps, errors, p50 and p99 at [4n … 4n+3] of `perNode`. No frame object: a replay's refill writes
   * ~620 frames of 64 nodes at once (replay/replay-frames.ts framesInto), and a record of 64 per
   * frame was most of its time and all of its garbage. Nodes of the ring not in `ids` get zeros, as in `push`.
   */
  pushValues(at: number, rps: number, errors: number, retries: number, p50: number, p99: number, ids: readonly string[], perNode: Float64Array): void {
    const i = this.next;
    this.time.write(i, at / 1000);
    this.overall.rps.write(i, rps);
    this.overall.errors.write(i, errors);
    this.overall.retries.write(i, retries);
    this.overall.p50.write(i, p50);
    this.overall.p99.write(i, p99);
    const { columns, absent } = this.alignedWith(ids);
    for (let n = 0, k = 0; n < columns.length; n++, k += 4) {
      const c = columns[n]!;
      c.rps.write(i, perNode[k]!);
      c.errors.write(i, perNode[k + 1]!);
      c.p50.write(i, perNode[k + 2]!);
      c.p99.write(i, perNode[k + 3]!);
    }
    for (const c of absent) {
      c.rps.write(i, 0);
      c.errors.write(i, 0);
      c.p50.write(i, 0);
      c.p99.write(i, 0);
    }
    this.next = (i + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  /** Tick times in seconds (epoch), oldest first: the x values every series lines up with. */
  times(): Float64Array {
    return this.view(this.time);
  }

  series(name: OverallSeries): Float64Array {
    return this.view(this.overall[name]);
  }

  /** A node's series; zeros before the node was first seen, and for an id never seen. */
  nodeSeries(id: string, name: NodeSeries): Float64Array {
    const columns = this.nodes.get(id);
    return columns ? this.view(columns[name]) : new Float64Array(this.count);
  }

  clear(): void {
    this.next = 0;
    this.count = 0;
    this.nodes.clear();
    this.aligned.clear();
  }

  /** The columns of each of `ids` (made for new ones, in their order, as `push` does) and of the ring's other nodes. */
  private alignedWith(ids: readonly string[]): { columns: Array<Record<NodeSeries, Column>>; absent: Array<Record<NodeSeries, Column>> } {
    if (this.alignedSize !== this.nodes.size) this.aligned.clear();
    const cached = this.aligned.get(ids);
    if (cached) return cached;
    const columns = ids.map((id) => {
      let c = this.nodes.get(id);
      if (!c) this.nodes.set(id, (c = this.columns(NODE_SERIES)));
      return c;
    });
    // New nodes change every list's absent ones.
    if (this.alignedSize !== this.nodes.size) this.aligned.clear();
    this.alignedSize = this.nodes.size;
    const named = new Set(ids);
    const aligned = { columns, absent: [...this.nodes].filter(([id]) => !named.has(id)).map(([, c]) => c) };
    // Bounded: a live ring fed lists that are each new would otherwise keep them all.
    if (this.aligned.size >= 16) this.aligned.clear();
    this.aligned.set(ids, aligned);
    return aligned;
  }

  private view(column: Column): Float64Array {
    const start = (this.next - this.count + this.capacity) % this.capacity;
    return column.data.subarray(start, start + this.count);
  }

  private columns<K extends string>(names: readonly K[]): Record<K, Column> {
    const columns = {} as Record<K, Column>;
    for (const name of names) columns[name] = new Column(this.capacity);
    return columns;
  }
}
