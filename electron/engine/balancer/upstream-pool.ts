// The upstreams: their state (in rotation / ejected / down), requests in flight, latency
// average, their pooled keep-alive connections (one undici Pool each), and the transitions
// between states with the events they raise. Detection rules live in outlier-detector.ts
// (passive) and health-checker.ts (active); this file only applies what they decide.
import { Pool } from 'undici';
import type { UpstreamSnapshot, UpstreamState } from '../../../shared/contract/model';
import { ownWeight, type Candidate } from './strategies';
import type { BalancerListener, DetectionVia, UpstreamTarget } from './types';

/** Bits of `Upstream.detected`: which ways already reported the current incident. */
const DETECTED: Record<DetectionVia, number> = { exit: 1, passive: 2, active: 4 };
/** Bits for the tried-nodes mask; beyond 30 upstreams two nodes share a bit (a retry may then skip a node it never tried). */
const MASK_BITS = 30;

const POOL_OPTIONS: Pool.Options = {
  connections: 512,
  pipelining: 1,
  // Per-try timeouts are the balancer's own (deadline-queue.ts); undici's would fire late.
  headersTimeout: 0,
  bodyTimeout: 300_000,
  keepAliveTimeout: 10_000,
};

export class Upstream implements Candidate {
  bit: number;
  weight: number;
  state: UpstreamState = 'in-rotation';
  inflight = 0;
  ewmaMs = -1;
  ewmaAt = 0;
  wrrCurrent = 0;
  /** Passive: failures in a row on live traffic. */
  consecutiveFailures = 0;
  /** Passive: successes in a row since the last failure (what it takes to call a detected node well again); -1 once well. */
  passiveOks = 0;
  /** Passive ejections in a row (the ejection time doubles with each). */
  passiveStrikes = 0;
  ejections = 0;
  ejectedUntil: number | null = null;
  ejectedVia: DetectionVia | null = null;
  readmittedAt = 0;
  /** Active: probe results in a row. */
  healthPasses = 0;
  healthFails = 0;
  /** False between `nodeExited` and `nodeStarted`. */
  running = true;
  /** Bumped at `nodeExited` / `nodeStarted`: a probe sent to the previous process does not judge the next. */
  healthEpoch = 0;
  detected = 0;
  awaitingFirstServe = true;
  lastDetection: UpstreamSnapshot['lastDetection'] = null;
  removed = false;
  client: Pool;
  /** See `UpstreamTarget.healthPath`: undefined = the settings' path, null = not probed. */
  healthPath: string | null | undefined;

  constructor(
    readonly id: string,
    readonly port: number,
    index: number,
    weight: number,
    healthPath?: string | null,
  ) {
    this.bit = 1 << index % MASK_BITS;
    this.weight = weight;
    this.healthPath = healthPath;
    this.client = new Pool(`http://127.0.0.1:${port}`, POOL_OPTIONS);
  }

  /** Time-decayed EWMA: a sample's weight grows with the time since the last one (1 - e^(-Δt/decay)). */
  recordLatency(sampleMs: number, at: number, decayMs: number): void {
    if (this.ewmaMs < 0) this.ewmaMs = sampleMs;
    else {
      const dt = at - this.ewmaAt;
      const w = dt > 0 ? 1 - Math.exp(-dt / decayMs) : 0;
      this.ewmaMs += (sampleMs - this.ewmaMs) * w;
    }
    this.ewmaAt = at;
  }
}

/** What a node keeps when it comes back on another port. */
const CARRIED = ['state', 'ejectedVia', 'ejectedUntil', 'running', 'detected', 'lastDetection', 'ejections', 'passiveStrikes', 'readmittedAt', 'awaitingFirstServe'] as const;

function pick<T, K extends keyof T>(from: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) out[k] = from[k];
  return out;
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch (error) {
    process.emitWarning(`balancer listener threw: ${String(error)}`);
  }
}

export class UpstreamPool {
  all: Upstream[] = [];
  /** The nodes strategies choose from; rebuilt on every state change (rare), read on every request. */
  rotation: Upstream[] = [];
  /** Told after each rebuild that leaves a node in rotation (the failover hold's requests may go on). */
  onRotation: (() => void) | null = null;

  constructor(private readonly listener: BalancerListener) {}

  get(id: string): Upstream | undefined {
    return this.all.find((u) => u.id === id);
  }

  /** Replaces the set of upstreams: kept ones keep their state; removed ones finish in-flight requests, then close. */
  setTargets(targets: readonly UpstreamTarget[], weights: Record<string, number>): void {
    const next: Upstream[] = [];
    const seen = new Set<string>();
    for (const [index, t] of targets.entries()) {
      if (seen.has(t.id)) throw new Error(`upstream ${t.id} given twice`);
      seen.add(t.id);
      const weight = ownWeight(weights, t.id) ?? t.weight ?? 1;
      const old = this.get(t.id);
      if (old && old.port === t.port) {
        old.weight = weight;
        old.bit = 1 << index % MASK_BITS;
        old.healthPath = t.healthPath;
        next.push(old);
      } else {
        const fresh = new Upstream(t.id, t.port, index, weight, t.healthPath);
        // Same node on a new port: it keeps its standing (a node that is down stays down until checked).
        if (old) Object.assign(fresh, pick(old, CARRIED));
        next.push(fresh);
      }
    }
    for (const old of this.all) {
      if (!next.includes(old)) this.retire(old);
    }
    this.all = next;
    this.rebuild();
  }

  applyWeights(weights: Record<string, number>, targets: readonly UpstreamTarget[]): void {
    for (const u of this.all) u.weight = ownWeight(weights, u.id) ?? targets.find((t) => t.id === u.id)?.weight ?? 1;
  }

  outOfRotation(): number {
    return this.all.length - this.rotation.length;
  }

  /** Reports a detection once per way per incident (an incident ends when the node is readmitted). */
  detect(u: Upstream, via: DetectionVia, at: number, reason: string): void {
    const bit = DETECTED[via];
    if (via !== 'exit' && (u.detected & bit) !== 0) return;
    u.detected |= bit;
    u.lastDetection = { via, at, reason };
    safely(() => this.listener.onDetected({ nodeId: u.id, via, at, reason }));
  }

  /** A new passive / active episode may be reported again. */
  clearDetected(u: Upstream, via: DetectionVia): void {
    u.detected &= ~DETECTED[via];
  }

  /** A detection another balancer worker reported (multi-plane.ts): this one does not report it again this incident. */
  markDetected(u: Upstream, via: DetectionVia): void {
    u.detected |= DETECTED[via];
  }

  /**
   * Takes a node out: `ejected` (passive / active) or `down` (its process exited). `quiet`: another
   * balancer worker decided it and reported it (multi-plane.ts); this one follows without a report.
   */
  eject(u: Upstream, via: DetectionVia, at: number, untilAt: number | null, quiet = false): void {
    const wasIn = u.state === 'in-rotation';
    u.state = via === 'exit' ? 'down' : 'ejected';
    u.ejectedVia = via;
    u.ejectedUntil = untilAt;
    if (!wasIn) return;
    u.ejections++;
    this.rebuild();
    if (quiet) return;
    const strikes = via === 'passive' ? u.passiveStrikes : undefined;
    safely(() => this.listener.onEjected({ nodeId: u.id, via, at, untilAt, ...(strikes !== undefined ? { strikes } : {}) }));
  }

  readmit(u: Upstream, via: 'active' | 'timer' | 'lab', at: number, quiet = false): void {
    if (u.state === 'in-rotation' || u.removed) return;
    u.state = 'in-rotation';
    u.ejectedUntil = null;
    u.ejectedVia = null;
    u.consecutiveFailures = 0;
    u.detected = 0;
    u.readmittedAt = at;
    u.awaitingFirstServe = true;
    this.rebuild();
    if (!quiet) safely(() => this.listener.onReadmitted({ nodeId: u.id, at, via }));
  }

  /** A successful response from `u` at `at`: the first one since its (re)admission is reported. */
  served(u: Upstream, at: number): void {
    if (!u.awaitingFirstServe || u.state !== 'in-rotation') return;
    u.awaitingFirstServe = false;
    safely(() => this.listener.onFirstServed({ nodeId: u.id, at }));
  }

  snapshot(): UpstreamSnapshot[] {
    return this.all.map((u) => ({
      id: u.id,
      port: u.port,
      state: u.state,
      weight: u.weight,
      inflight: u.inflight,
      ewmaMs: u.ewmaMs < 0 ? null : u.ewmaMs,
      consecutiveFailures: u.consecutiveFailures,
      ejections: u.ejections,
      ejectedUntil: u.ejectedUntil,
      lastDetection: u.lastDetection,
    }));
  }

  async close(): Promise<void> {
    const all = this.all;
    this.all = [];
    this.rotation = [];
    await Promise.all(all.map((u) => ((u.removed = true), u.client.destroy().catch(() => undefined))));
  }

  private rebuild(): void {
    this.rotation = this.all.filter((u) => u.state === 'in-rotation');
    if (this.rotation.length > 0) this.onRotation?.();
  }

  private retire(u: Upstream): void {
    u.removed = true;
    u.state = 'down';
    // close() lets requests in flight finish; new ones are no longer routed here.
    u.client.close().catch(() => undefined);
  }
}
