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
