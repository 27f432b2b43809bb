// The bundled load balancer: an HTTP reverse proxy on 127.0.0.1 in front of the nodes in
// rotation, with live strategy / settings changes and three ways of seeing a node fail
// (exit, passive, active). See README.md for the rules in plain words.
import http from 'node:http';
import { listenOnLoopback } from '../listen-loopback';
import { BalancerSettings, BalancerSettingsPatch, type TopologyKind, type UpstreamSnapshot } from '../../../shared/contract/model';
import { now } from '../clock';
import { HealthChecker } from './health-checker';
import { OutlierDetector } from './outlier-detector';
import { ProxyHandler, type HttpFault } from './proxy-handler';
import { RetryBudget } from './retry-budget';
import type { BalancerListener, RequestOutcome, UpstreamTarget } from './types';
import { UpstreamPool } from './upstream-pool';

export interface BalancerOptions {
  settings?: BalancerSettings;
  listener: BalancerListener;
  /**
   * One of several balancer workers on one port (multi-plane.ts): the `lead` (the default, and the
   * only one when alone) probes and ends passive ejections; a `follower` routes, detects passively
   * on its own traffic, and follows the lead's decisions (`mirror`).
   */
  role?: BalancerRole;
}

export type BalancerRole = 'lead' | 'follower';

/** What another balancer worker decided about a node, for this one to follow without reporting it again. */
export type UpstreamMirror =
  | { nodeId: string; change: 'ejected'; via: 'passive' | 'active'; at: number; untilAt: number | null; strikes?: number }
  | { nodeId: string; change: 'readmitted'; via: 'active' | 'timer' | 'lab'; at: number };

export interface BalancerSnapshot {
  url: string;
  settings: BalancerSettings;
  upstreams: UpstreamSnapshot[];
  retryBudget: { used: number; allowed: number };
}

/**
 * The settings a parsed patch makes of `previous`: only what it names changes (weights merge by
 * node). Every field of a parsed patch is valid on its own and the settings have no rule across
 * fields, so the result needs no second check. Pure, so the engine keeps its own copy of the data
 * plane's settings by the same rule.
 */
export function mergeBalancerSettings(previous: BalancerSettings, p: BalancerSettingsPatch): BalancerSettings {
  return {
    strategy: p.strategy ?? previous.strategy,
    weights: p.weights ? { ...previous.weights, ...p.weights } : previous.weights,
    ewmaDecayMs: p.ewmaDecayMs ?? previous.ewmaDecayMs,
    health: { ...previous.health, ...p.health },
    passive: { ...previous.passive, ...p.passive },
    retry: { ...previous.retry, ...p.retry },
    failover: p.failover ? { ...previous.failover, ...p.failover } : previous.failover,
    workers: p.workers ?? previous.workers,
  };
}

/** The reason a detection via 'exit' gives. */
export const EXIT_REASON = 'process exited';

export class Balancer {
  private settings: BalancerSettings;
  private targets: UpstreamTarget[] = [];
  private readonly pool: UpstreamPool;
  private readonly outlier: OutlierDetector;
  private readonly health: HealthChecker;
  private readonly budget = new RetryBudget();
  private readonly handler: ProxyHandler;
  private readonly server: http.Server;
  private port = 0;
  private closing: Promise<void> | null = null;
  private readonly httpFaultIndex = new Map<string, { nodeId: string; fault: HttpFault }>();
  private readonly role: BalancerRole;

  constructor(options: BalancerOptions) {
    this.settings = BalancerSettings.parse(options.settings ?? {});
    this.role = options.role ?? 'lead';
    this.pool = new UpstreamPool(options.listener);
    this.outlier = new OutlierDetector(this.pool, () => this.settings, this.role === 'lead');
    this.health = new HealthChecker(this.pool);
    this.handler = new ProxyHandler(this.pool, this.outlier, this.budget, this.settings);
    this.server = http.createServer({ keepAliveTimeout: 65_000, headersTimeout: 60_000, requestTimeout: 60_000, noDelay: true }, this.handler.handle);
    this.server.on('connection', this.handler.connection);
    this.pool.onRotation = () => this.handler.hold.rotationChanged();
    this.health.configure(this.probing(this.settings.health));
  }

  /**
   * Listens on 127.0.0.1 only; 0 picks a free port. Resolves with the port. `reusePort`: other
   * workers may listen on the same port and the kernel spreads connections among them (Node ≥ 22.12
   * on Linux; elsewhere the next worker's listen fails, and multi-plane.ts runs one).
   */
  async listen(port = 0, options: { reusePort?: boolean } = {}): Promise<number> {
    this.port = await listenOnLoopback(this.server, port, options);
    return this.port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The nodes in rotation. Kept nodes keep their state; removed ones finish what they have in flight. */
  setUpstreams(targets: UpstreamTarget[]): void {
    this.pool.setTargets(targets, this.settings.weights);
    this.targets = targets.map((t) => ({ ...t }));
    this.health.tick();
  }

  /**
   * Changes only what the patch names; takes effect for the next request, none is dropped. The patch
   * is checked here, once: the balancer's own door (a data plane in another thread receives it as a message).
   */
  setSettings(patch: BalancerSettingsPatch): BalancerSettings {
    const p = BalancerSettingsPatch.parse(patch);
    const previous = this.settings;
    const next = mergeBalancerSettings(previous, p);
    this.settings = next;
    this.handler.configure(next, previous);
    if (p.weights) this.pool.applyWeights(next.weights, this.targets);
    if (p.health) {
      this.health.configure(this.probing(next.health));
      if (!next.health.enabled) this.readmitWithoutHealth();
    }
    return next;
  }

  /** The supervisor saw the process die at `at`: detected via 'exit' and out of rotation at once. */
  nodeExited(id: string, at: number): void {
    const u = this.pool.get(id);
    if (!u) return;
    u.running = false;
    u.healthPasses = 0;
    u.healthEpoch++;
    this.outlier.cancel(u);
    this.pool.detect(u, 'exit', at, EXIT_REASON);
    this.pool.eject(u, 'exit', at, null);
  }

  /**
   * Follows what another balancer worker decided and reported (multi-plane.ts): nothing is reported
   * again. Only a node in the state the decision left is changed (an exit since wins over an ejection).
   */
  mirror(m: UpstreamMirror): void {
    const u = this.pool.get(m.nodeId);
    if (!u) return;
    if (m.change === 'ejected') {
      this.pool.markDetected(u, m.via);
      if (u.state !== 'in-rotation') return;
      if (m.strikes !== undefined) u.passiveStrikes = m.strikes;
      this.pool.eject(u, m.via, m.at, m.untilAt, true);
      if (m.via === 'passive' && m.untilAt !== null) this.outlier.endAt(u, m.untilAt);
      return;
    }
    if (u.state === 'in-rotation' || (u.state === 'down' && !u.running)) return;
    this.outlier.cancel(u);
    this.pool.readmit(u, m.via, m.at, true);
  }

  /** The supervisor restarted it: back through active health (`rise`), or at once without health checks. */
  nodeStarted(id: string): void {
    const u = this.pool.get(id);
    if (!u) return;
    u.running = true;
    u.healthPasses = 0;
    // Probes still out were sent while it was restoring (503): they say nothing about the process that is ready now.
    u.healthFails = 0;
    u.healthEpoch++;
    // A node no probe asks (health checks off, or no health path) is back when its process is.
    if (u.state === 'down' && (!this.settings.health.enabled || !this.health.probes(u))) this.pool.readmit(u, 'lab', now());
    else if (u.state === 'down') this.health.tick();
  }

  /**
   * The topology the upstreams serve: in a standby topology a lost primary is failed over, so
   * idempotent requests for it are held (failover-hold.ts); null or active-active: nothing is held.
   */
  setFailoverTopology(kind: TopologyKind | null): void {
    this.handler.hold.setTopology(kind);
  }

  /** The failover controller lost primary `nodeId` at `lossAt`: hold for its successor, up to the topology's deadline. */
  failoverStarted(nodeId: string, lossAt: number): void {
    this.handler.hold.started(nodeId, lossAt);
  }

  /** That failover is over: the successor is routed (`ok`), or it failed and held requests are answered now. */
  failoverEnded(nodeId: string, ok: boolean): void {
    this.handler.hold.ended(nodeId, ok);
  }

  /** Injects an HTTP fault at the hop to `nodeId` (several may be active; the first that fires wins). */
  setHttpFault(faultId: string, nodeId: string, fault: HttpFault): void {
    this.httpFaultIndex.set(faultId, { nodeId, fault });
    this.rebuildHttpFaults();
  }

  clearHttpFault(faultId: string): void {
    if (this.httpFaultIndex.delete(faultId)) this.rebuildHttpFaults();
  }

  private rebuildHttpFaults(): void {
    const byNode = this.handler.httpFaults;
    byNode.clear();
    for (const { nodeId, fault } of this.httpFaultIndex.values()) byNode.set(nodeId, [...(byNode.get(nodeId) ?? []), fault]);
  }

  /** Every proxied request's outcome (called synchronously at its end; keep the listener cheap). */
  onOutcome(listener: (outcome: RequestOutcome) => void): () => void {
    this.handler.listeners.add(listener);
    return () => this.handler.listeners.delete(listener);
  }

  snapshot(): BalancerSnapshot {
    const retry = this.settings.retry;
    return {
      url: this.url,
      settings: structuredClone(this.settings),
      upstreams: this.pool.snapshot(),
      retryBudget: this.budget.usage(now(), retry.budgetPercent, retry.budgetMinPerSec),
    };
  }

  /**
   * Stops the server, the probes and every timer, and closes every upstream connection. `drainMs`:
   * first stop taking connections and give the requests in flight up to that long (a worker retired
   * while the others go on, multi-plane.ts); without it they are cut at once.
   */
  close(drainMs = 0): Promise<void> {
    this.closing ??= this.drain(drainMs).then(() => this.shutdown());
    return this.closing;
  }

  private async drain(ms: number): Promise<void> {
    if (ms <= 0 || !this.server.listening) return;
    let timer: NodeJS.Timeout | undefined;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Keep-alive connections between requests go now; the others when their response is out.
    this.server.closeIdleConnections();
    const idle = setInterval(() => this.server.closeIdleConnections(), 50);
    await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearInterval(idle);
    clearTimeout(timer);
  }

  private async shutdown(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    this.outlier.dispose();
    this.handler.dispose();
    await Promise.all([this.health.close(), this.pool.close(), this.server.listening ? closed : Promise.resolve()]);
  }

  /** A follower never probes: the lead does, and its ejections and readmissions reach it as mirrors. */
  private probing(health: BalancerSettings['health']): BalancerSettings['health'] {
    return this.role === 'lead' ? health : { ...health, enabled: false };
  }

  /** With active checks off nothing else would bring back nodes they took out, or restarted ones. */
  private readmitWithoutHealth(): void {
    const at = now();
    for (const u of this.pool.all) {
      u.healthFails = 0;
      u.healthPasses = 0;
      if ((u.state === 'ejected' && u.ejectedVia === 'active') || (u.state === 'down' && u.running)) this.pool.readmit(u, 'lab', at);
    }
  }
}
