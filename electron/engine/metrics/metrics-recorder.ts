// Balancer-side metrics: cheap per request, one MetricsTick per window (10 Hz), a bounded history.
import type { MetricsTick, NodeMetrics } from '../../../shared/contract/model';
import { now, type Clock } from '../clock';
import { LatencyHistogram } from './latency-histogram';
import type { RequestOutcome } from './request-outcome';

export interface UpstreamView {
  id: string;
  inflight: number;
}

export interface MetricsRecorderOptions {
  /** The balancer's upstreams at tick time (their requests in flight). */
  upstreams?: () => readonly UpstreamView[];
  /** Acknowledged writes the ledger holds at tick time. */
  acked?: () => number;
  /** Window and tick period; default 100 ms (10 Hz). */
  intervalMs?: number;
  /** How much history `series()` keeps; default 10 minutes. */
  historyMs?: number;
  clock?: Clock;
}

export type TickListener = (tick: MetricsTick) => void;

/** Bucket for outcomes no node answered (counted overall, not per node). */
const NO_NODE = '\u0000none';

/** Counters of one node (or of "no node") over the current window. */
class NodeWindow {
  requests = 0;
  errors = 0;
  retries = 0;
  readonly latency = new LatencyHistogram(2);

  reset(): void {
    this.requests = 0;
    this.errors = 0;
    this.retries = 0;
    if (this.latency.count > 0) this.latency.reset();
  }
}

/**
 * Fed every `RequestOutcome`; emits one `MetricsTick` per `intervalMs` (counts and percentiles
 * over that window, overall and per node). `observe` is a map lookup, counter increments and one
 * histogram record; everything else happens once per tick.
 */
export class MetricsRecorder {
  readonly intervalMs: number;
  private readonly clock: Clock;
  private readonly upstreams: () => readonly UpstreamView[];
  private readonly acked: () => number;
  private readonly windows = new Map<string, NodeWindow>();
  private readonly overall = new LatencyHistogram(2);
  private readonly listeners = new Set<TickListener>();
  private readonly ring: Array<MetricsTick | undefined>;
  private ringHead = 0;
  private ringSize = 0;
  private windowStart: number;
  private nextTickAt = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(options: MetricsRecorderOptions = {}) {
    this.intervalMs = options.intervalMs ?? 100;
    this.clock = options.clock ?? now;
    this.upstreams = options.upstreams ?? (() => []);
    this.acked = options.acked ?? (() => 0);
    this.ring = new Array<MetricsTick | undefined>(Math.max(1, Math.ceil((options.historyMs ?? 600_000) / this.intervalMs)));
    this.windowStart = this.clock();
  }

  get running(): boolean {
    return this.timer !== null;
  }

  observe(outcome: RequestOutcome): void {
    const id = outcome.nodeId ?? NO_NODE;
    let w = this.windows.get(id);
    if (w === undefined) {
      w = new NodeWindow();
      this.windows.set(id, w);
    }
    w.requests++;
    if (!outcome.ok) w.errors++;
    if (outcome.tries > 1) w.retries += outcome.tries - 1;
    w.latency.record(outcome.durationMs);
  }

  /** Subscribes to ticks; returns the unsubscribe function. */
  onTick(listener: TickListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts ticking every `intervalMs`; returns `stop`. Starting twice is harmless. */
  start(): () => void {
    if (this.timer === null) {
      this.windowStart = this.clock();
      this.nextTickAt = this.windowStart;
      for (const w of this.windows.values()) w.reset();
      this.arm();
    }
    return () => this.stop();
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * Ticks stay on a fixed grid (start + k × interval): a late timer does not push the later ticks
   * back, as setInterval would; after a long stall one tick closes the long window, then the grid resumes.
   */
  private arm(): void {
    const t = this.clock();
    this.nextTickAt += this.intervalMs;
    if (this.nextTickAt < t) this.nextTickAt = t;
    this.timer = setTimeout(() => {
      this.tick();
      if (this.timer !== null) this.arm();
    }, Math.max(0, this.nextTickAt - t));
    // Ticks are for observers; they must not keep the process alive by themselves.
    this.timer.unref();
  }

  /** Closes the current window now: builds, stores and emits its tick (the timer calls this). */
  tick(): MetricsTick {
    const at = this.clock();
    const windowMs = Math.max(at - this.windowStart, 1e-3);
    this.windowStart = at;

    let requests = 0;
    let errors = 0;
    let retries = 0;
    this.overall.reset();
    const perNode: MetricsTick['perNode'] = {};
    for (const [id, w] of this.windows) {
      requests += w.requests;
      errors += w.errors;
      retries += w.retries;
      this.overall.add(w.latency);
      if (id === NO_NODE || w.requests === 0) continue;
      perNode[id] = { requests: w.requests, errors: w.errors, retries: w.retries, inflight: 0, p50: w.latency.percentile(50), p99: w.latency.percentile(99) };
    }
    let inflight = 0;
    for (const u of this.upstreams()) {
      // Own keys only: a node may be called `constructor`.
      const entry: NodeMetrics = Object.hasOwn(perNode, u.id) ? perNode[u.id]! : (perNode[u.id] = { requests: 0, errors: 0, retries: 0, inflight: 0, p50: 0, p99: 0 });
      entry.inflight = u.inflight;
      inflight += u.inflight;
    }
    for (const w of this.windows.values()) w.reset();

    const tick: MetricsTick = { at, windowMs, requests, errors, retries, inflight, acked: this.acked(), latency: this.overall.summary(), perNode };
    this.remember(tick);
    for (const listener of this.listeners) {
      try {
        listener(tick);
      } catch (error) {
        // One broken observer must not stop the ticks of the others.
        console.error('metrics tick listener failed', error);
      }
    }
    return tick;
  }

  /** Ticks of the last `historyMs`, oldest first. */
  series(): MetricsTick[] {
    const out: MetricsTick[] = [];
    const cap = this.ring.length;
    for (let i = 0; i < this.ringSize; i++) out.push(this.ring[(this.ringHead + i) % cap]!);
    return out;
  }

  latest(): MetricsTick | null {
    if (this.ringSize === 0) return null;
    return this.ring[(this.ringHead + this.ringSize - 1) % this.ring.length] ?? null;
  }

  private remember(tick: MetricsTick): void {
    const cap = this.ring.length;
    if (this.ringSize === cap) {
      this.ring[this.ringHead] = tick;
      this.ringHead = (this.ringHead + 1) % cap;
    } else {
      this.ring[(this.ringHead + this.ringSize) % cap] = tick;
      this.ringSize++;
    }
  }
}
