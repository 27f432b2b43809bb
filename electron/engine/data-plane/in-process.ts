// The data plane on the engine's own thread: today's Balancer and NodeLinks, unchanged, behind the
// DataPlane messages. Outcomes leave in batches; upstream states after every change and while they move.
import type { BalancerSettings } from '../../../shared/contract/model';
import { Balancer, type BalancerRole, type RequestOutcome } from '../balancer/index';
import { now } from '../clock';
import { NodeLinks } from '../node-links';
import { deliverTo, type DataPlane, type NodePort, type PlaneListener } from './data-plane';
import type { FaultToxic, LinkProxy, PlaneIn, PlaneOut, UpstreamStates } from './messages';
import type { FixedLinkPorts } from './worker-messages';

export interface InProcessDataPlaneOptions {
  settings?: BalancerSettings;
  /** Outcomes wait at most this long before they leave (default 10 ms). */
  flushMs?: number;
  /** ... or until this many are waiting (default 256). */
  maxBatch?: number;
  /** How often upstream states are compared with the last sent, to send them when they moved (default 50 ms). */
  statesMs?: number;
  /** One of several balancer workers (multi-plane.ts): the lead (default) or a follower. */
  role?: BalancerRole;
}

export class InProcessDataPlane implements DataPlane {
  private readonly balancer: Balancer;
  private readonly links = new NodeLinks();
  private readonly listeners = new Set<PlaneListener>();
  private readonly flushMs: number;
  private readonly maxBatch: number;
  private pending: RequestOutcome[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private readonly statesTimer: NodeJS.Timeout;
  private lastStates = '';
  private statesQueued = false;
  private closing: Promise<void> | null = null;

  constructor(options: InProcessDataPlaneOptions = {}) {
    this.flushMs = options.flushMs ?? 10;
    this.maxBatch = options.maxBatch ?? 256;
    this.balancer = new Balancer({
      ...(options.settings ? { settings: options.settings } : {}),
      ...(options.role ? { role: options.role } : {}),
      listener: {
        onDetected: (e) => this.event({ type: 'detected', nodeId: e.nodeId, via: e.via, at: e.at, reason: e.reason }),
        onEjected: (e) => this.event({ type: 'ejected', nodeId: e.nodeId, via: e.via, at: e.at, untilAt: e.untilAt, ...(e.strikes !== undefined ? { strikes: e.strikes } : {}) }),
        onReadmitted: (e) => this.event({ type: 'readmitted', nodeId: e.nodeId, at: e.at, via: e.via }),
        onFirstServed: (e) => this.event({ type: 'first-served', nodeId: e.nodeId, at: e.at }),
      },
    });
    this.balancer.onOutcome((outcome) => this.outcome(outcome));
    this.statesTimer = setInterval(() => this.statesIfMoved(), options.statesMs ?? 50);
    this.statesTimer.unref();
  }

  send(message: PlaneIn): void {
    if (this.closing) return;
    switch (message.type) {
      case 'settings':
        this.balancer.setSettings(message.patch);
        break;
      case 'upstreams':
        this.balancer.setUpstreams(message.targets);
        break;
      case 'node.exited':
        this.balancer.nodeExited(message.nodeId, message.at);
        break;
      case 'node.started':
        this.balancer.nodeStarted(message.nodeId);
        break;
      case 'http-fault.set':
        this.balancer.setHttpFault(message.faultId, message.nodeId, message.fault);
        break;
      case 'http-fault.cleared':
        this.balancer.clearHttpFault(message.faultId);
        break;
      case 'link-toxic.reverted':
        this.links.revert(message.faultId);
        break;
      case 'failover.topology':
        this.balancer.setFailoverTopology(message.kind);
        break;
      case 'failover.started':
        this.balancer.failoverStarted(message.nodeId, message.lossAt);
        break;
      case 'failover.ended':
        this.balancer.failoverEnded(message.nodeId, message.ok);
        break;
      case 'upstream.mirror': {
        const { type: _type, ...mirror } = message;
        this.balancer.mirror(mirror);
        break;
      }
      default:
        throw new Error(`unknown data-plane message ${(message as { type: unknown }).type}`);
    }
    // What the engine just changed is in its copy before its next line runs (in-process, that is).
    this.statesIfMoved();
  }

  subscribe(listener: PlaneListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async listen(port: number, options: { reusePort?: boolean } = {}): Promise<number> {
    const bound = await this.balancer.listen(port, options);
    this.statesIfMoved();
    return bound;
  }

  /** `fixed`: a node's proxies take these ports (a restarted data-plane thread takes its predecessor's). */
  async ensureLinks(nodes: NodePort[], fixed?: Readonly<Record<string, FixedLinkPorts>>): Promise<LinkProxy[]> {
    await this.links.ensure(new Map(nodes.map((n) => [n.id, n.port])), fixed);
    const links = this.links.list();
    this.emit({ type: 'links', links });
    return links;
  }

  async applyLinkToxic(faultId: string, nodeId: string, toxic: FaultToxic): Promise<void> {
    // Applied before this returns (the body runs synchronously up to the first await): as soon as it was.
    this.links.apply(faultId, nodeId, toxic);
  }

  /** In-process a message is applied, and its states sent, before `send` returns. */
  async settled(): Promise<void> {}

  /** `drainMs`: the balancer stops taking connections and gives those in flight up to that long (Balancer.close). */
  close(drainMs = 0): Promise<void> {
    this.closing ??= (async () => {
      this.flush();
      clearInterval(this.statesTimer);
      await this.links.close();
      this.emit({ type: 'links', links: [] });
      await this.balancer.close(drainMs);
      this.flush();
    })();
    return this.closing;
  }

  private outcome(outcome: RequestOutcome): void {
    this.pending.push(outcome);
    if (this.pending.length >= this.maxBatch) this.flush();
    else if (this.flushTimer === null) this.flushTimer = setTimeout(() => this.flush(), this.flushMs);
  }

  /** Sends the waiting outcomes (if any), then the states they moved. */
  private flush(): void {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.pending.length === 0) return;
    const outcomes = this.pending;
    this.pending = [];
    this.deliver({ type: 'outcomes', outcomes });
    this.statesIfMoved();
  }

  /** A detection, ejection, readmission or first response: states follow once the balancer is done changing them. */
  private event(message: PlaneOut): void {
    this.emit(message);
    if (this.statesQueued) return;
    this.statesQueued = true;
    queueMicrotask(() => {
      this.statesQueued = false;
      this.statesIfMoved();
    });
  }

  private statesIfMoved(): void {
    const snapshot = this.balancer.snapshot();
    const states: UpstreamStates = { at: 0, upstreams: snapshot.upstreams, retryBudget: snapshot.retryBudget };
    // Off the request path (at most once per flush or per statesMs): a small JSON is the cheapest exact comparison.
    const key = JSON.stringify(states);
    if (key === this.lastStates) return;
    this.lastStates = key;
    this.emit({ type: 'upstreams', ...states, at: now() });
  }

  /** Every message but outcomes: what is waiting goes first, so the stream stays in order. */
  private emit(message: PlaneOut): void {
    if (this.pending.length > 0) this.flush();
    this.deliver(message);
  }

  private deliver(message: PlaneOut): void {
    deliverTo(this.listeners, message);
  }
}
