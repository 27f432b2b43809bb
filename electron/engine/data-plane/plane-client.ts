// The engine's side of the data plane: it sends the messages and keeps its own copy of what it
// reads back (settings, targets, upstream states, the fault proxies), so no engine code ever reads
// the balancer's or the proxies' memory, and every read here is synchronous.
import { BalancerSettings, BalancerSettingsPatch, type BalancerState, type BalancerWorkers, type TopologyKind, type UpstreamSnapshot } from '../../../shared/contract/model';
import { EXIT_REASON, mergeBalancerSettings, type BalancerListener } from '../balancer/index';
import { httpFaultPort } from '../balancer/http-fault-port';
import type { HttpFaultPort, NetworkFaultPort } from '../faults/fault-ports';
import type { DataPlane } from './data-plane';
import { askedWorkers } from './worker-count';
import type { FaultToxic, HttpFault, LinkKind, LinkProxy, PlaneOut, RequestOutcome, UpstreamStates, UpstreamTarget } from './messages';

export interface PlaneClientOptions {
  plane: DataPlane;
  /** Detections, ejections, readmissions and first responses, as the Balancer's listener had them. */
  listener: BalancerListener;
  /** The settings the plane was started with (default: the defaults). */
  settings?: BalancerSettings;
  /** The data plane's thread died and another took over (`downMs` null: it gave up). */
  onRestarted?: (e: PlaneRestart) => void;
}

export type PlaneRestart = Omit<Extract<PlaneOut, { type: 'restarted' }>, 'type'>;

export class PlaneClient {
  private readonly plane: DataPlane;
  private readonly listener: BalancerListener;
  private readonly onRestarted: ((e: PlaneRestart) => void) | undefined;
  private settings: BalancerSettings;
  private targets: UpstreamTarget[] = [];
  private states: UpstreamStates = { at: 0, upstreams: [], retryBudget: { used: 0, allowed: 0 } };
  private linkList: LinkProxy[] = [];
  private readonly linkPorts = new Map<string, number>();
  private port = 0;
  /** As the multi-worker plane last said; a plane that says nothing runs one balancer. */
  private workers: BalancerWorkers | null = null;
  private readonly outcomeListeners = new Set<(outcome: RequestOutcome) => void>();
  private readonly changeListeners = new Set<() => void>();
  private readonly unsubscribe: () => void;

  constructor(options: PlaneClientOptions) {
    this.plane = options.plane;
    this.listener = options.listener;
    this.onRestarted = options.onRestarted;
    this.settings = BalancerSettings.parse(options.settings ?? {});
    this.unsubscribe = this.plane.subscribe((message) => this.receive(message));
  }

  // ---- the balancer ---------------------------------------------------------------------

  async listen(port = 0): Promise<number> {
    this.port = await this.plane.listen(port);
    return this.port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  setUpstreams(targets: UpstreamTarget[]): void {
    this.targets = targets.map((t) => ({ ...t }));
    this.plane.send({ type: 'upstreams', targets: this.targets.map((t) => ({ ...t })) });
  }

  /**
   * Checked and merged here (a bad patch throws before anything is sent: the plane answers no
   * message, so it could not refuse it); resolves nothing: the result is known.
   */
  setSettings(patch: BalancerSettingsPatch): BalancerSettings {
    const parsed = BalancerSettingsPatch.parse(patch);
    this.settings = mergeBalancerSettings(this.settings, parsed);
    this.plane.send({ type: 'settings', patch: parsed });
    this.changed();
    return structuredClone(this.settings);
  }

  /**
   * The supervisor saw a routed node's process exit at `at`. The exit is its own detection: it is
   * reported here, at once, before anything the engine does about it (a failover it starts next), as
   * the balancer would report it. The data plane is told to take the node out; its own report of
   * the detection is not passed on (a thread's reply comes a message later, after that failover).
   */
  nodeExited(nodeId: string, at: number): void {
    if (this.routes(nodeId)) this.listener.onDetected({ nodeId, via: 'exit', at, reason: EXIT_REASON });
    this.plane.send({ type: 'node.exited', nodeId, at });
  }

  nodeStarted(nodeId: string): void {
    this.plane.send({ type: 'node.started', nodeId });
  }

  /** The topology the upstreams serve: a standby one arms the balancer's failover hold. */
  setFailoverTopology(kind: TopologyKind | null): void {
    this.plane.send({ type: 'failover.topology', kind });
  }

  /** The primary was lost at `lossAt`: the balancer holds idempotent requests for its successor. */
  failoverStarted(nodeId: string, lossAt: number): void {
    this.plane.send({ type: 'failover.started', nodeId, lossAt });
  }

  failoverEnded(nodeId: string, ok: boolean): void {
    this.plane.send({ type: 'failover.ended', nodeId, ok });
  }

  setHttpFault(faultId: string, nodeId: string, fault: HttpFault): void {
    this.plane.send({ type: 'http-fault.set', faultId, nodeId, fault: { ...fault } });
  }

  clearHttpFault(faultId: string): void {
    this.plane.send({ type: 'http-fault.cleared', faultId });
  }

  /** Whether the engine last told the balancer to route to this node. */
  routes(nodeId: string): boolean {
    return this.targets.some((t) => t.id === nodeId);
  }

  /** The upstream states the data plane last sent. */
  upstreams(): UpstreamSnapshot[] {
    return this.states.upstreams;
  }

  state(): BalancerState {
    return { url: this.url, settings: structuredClone(this.settings), upstreams: structuredClone(this.states.upstreams), retryBudget: { ...this.states.retryBudget }, workers: this.workersState() };
  }

  private workersState(): BalancerWorkers {
    if (this.workers) return { ...this.workers };
    const asked = askedWorkers(this.settings.workers);
    return { asked, running: 1, note: asked > 1 ? "this data plane runs one balancer (FIREDRILL_DATA_PLANE=in-process, or the thread's bundle missing)" : null };
  }

  /**
   * Told when what `balancer.changed` carries moved: the settings (on `setSettings`) or an
   * upstream's state or the set of upstreams (on the plane's states, not on the counters that move
   * with every request).
   */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Every request's outcome, one call each, as the batches arrive. */
  onOutcome(listener: (outcome: RequestOutcome) => void): () => void {
    this.outcomeListeners.add(listener);
    return () => this.outcomeListeners.delete(listener);
  }

  // ---- the fault proxies ----------------------------------------------------------------

  /** Puts (or keeps) a proxy pair in front of each node; called before the nodes are spawned. */
  async ensureLinks(ports: ReadonlyMap<string, number>): Promise<void> {
    this.setLinks(await this.plane.ensureLinks([...ports].map(([id, port]) => ({ id, port }))));
  }

  balancerPort(nodeId: string): number | undefined {
    return this.linkPorts.get(linkKey(nodeId, 'balancer'));
  }

  replicationPort(nodeId: string): number | undefined {
    return this.linkPorts.get(linkKey(nodeId, 'replication'));
  }

  /** Every proxy, node by node (balancer link first), as the data plane last listed them. */
  links(): LinkProxy[] {
    return this.linkList.map((l) => ({ ...l }));
  }

  applyLinkToxic(faultId: string, nodeId: string, toxic: FaultToxic): Promise<void> {
    return this.plane.applyLinkToxic(faultId, nodeId, structuredClone(toxic));
  }

  revertLinkToxic(faultId: string): void {
    this.plane.send({ type: 'link-toxic.reverted', faultId });
  }

  /** The fault layer's HTTP port: a fault's toxic becomes the balancer's HttpFault on one node, a message away (answered once applied). */
  httpFaults(): HttpFaultPort {
    const port = httpFaultPort(this);
    return {
      apply: async (faultId, nodeId, toxic) => {
        port.apply(faultId, nodeId, toxic);
        await this.settled();
      },
      revert: async (faultId) => {
        port.revert(faultId);
        await this.settled();
      },
    };
  }

  /** The fault layer's network port: toxics and partitions on the proxies, a message away (answered once applied). */
  networkFaults(): NetworkFaultPort {
    return {
      apply: (faultId, nodeId, toxic) => this.applyLinkToxic(faultId, nodeId, toxic),
      revert: async (faultId) => {
        this.revertLinkToxic(faultId);
        await this.settled();
      },
    };
  }

  /** Resolves once the data plane applied everything sent so far, and this copy has the states it moved. */
  settled(): Promise<void> {
    return this.plane.settled();
  }

  /** Closes the data plane (it flushes its last outcomes first). */
  async close(): Promise<void> {
    await this.plane.close();
    this.unsubscribe();
  }

  private setLinks(links: LinkProxy[]): void {
    this.linkList = links;
    this.linkPorts.clear();
    for (const l of links) this.linkPorts.set(linkKey(l.nodeId, l.link), l.port);
  }

  private changed(): void {
    for (const listener of this.changeListeners) {
      try {
        listener();
      } catch (error) {
        process.emitWarning(`change listener threw: ${String(error)}`);
      }
    }
  }

  private receive(message: PlaneOut): void {
    switch (message.type) {
      case 'outcomes':
        for (const outcome of message.outcomes) {
          for (const listener of this.outcomeListeners) {
            try {
              listener(outcome);
            } catch (error) {
              process.emitWarning(`outcome listener threw: ${String(error)}`);
            }
          }
        }
        return;
      case 'upstreams': {
        const moved = !sameStates(this.states.upstreams, message.upstreams);
        this.states = { at: message.at, upstreams: message.upstreams, retryBudget: message.retryBudget };
        if (moved) this.changed();
        return;
      }
      case 'links':
        this.setLinks(message.links);
        return;
      case 'detected':
        // An exit's detection was reported by `nodeExited`, at the exit.
        if (message.via === 'exit') return;
        return this.listener.onDetected({ nodeId: message.nodeId, via: message.via, at: message.at, reason: message.reason });
      case 'ejected':
        return this.listener.onEjected({ nodeId: message.nodeId, via: message.via, at: message.at, untilAt: message.untilAt });
      case 'readmitted':
        return this.listener.onReadmitted({ nodeId: message.nodeId, at: message.at, via: message.via });
      case 'first-served':
        return this.listener.onFirstServed({ nodeId: message.nodeId, at: message.at });
      case 'workers': {
        const moved = this.workers?.running !== message.running || this.workers?.asked !== message.asked || this.workers?.note !== message.note;
        this.workers = { asked: message.asked, running: message.running, note: message.note };
        if (moved) this.changed();
        return;
      }
      case 'restarted':
        return this.onRestarted?.({ at: message.at, reason: message.reason, downMs: message.downMs, restarts: message.restarts });
    }
  }
}

/** The same upstreams, in the same order, each in the same state. */
function sameStates(a: readonly UpstreamSnapshot[], b: readonly UpstreamSnapshot[]): boolean {
  return a.length === b.length && a.every((u, i) => u.id === b[i]?.id && u.state === b[i]?.state);
}

/** A key no node id can collide with (ids never hold a newline). */
function linkKey(nodeId: string, link: LinkKind): string {
  return `${link}\n${nodeId}`;
}
