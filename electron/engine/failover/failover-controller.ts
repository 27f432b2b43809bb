// FailoverController: keeps the balancer pointed at what may serve, and promotes the standby when
// the primary is lost (see README.md here for each topology's steps and the split-brain rules).
import { TopologySpec, type NodeRole, type NodeSnapshot, type TopologyKind } from '../../../shared/contract/model';
import { now } from '../clock';
import type { NodeReconfiguration } from '../fleet/fleet-supervisor';
import { httpNodeAdmin, nodeAddress, type NodeAdmin } from './node-admin';
import { supersedeLog } from './node-data';
import { rolesOf, upstreamsFor, type UpstreamTarget } from './topology';

/** What the controller needs of the fleet supervisor. */
export interface FleetPort {
  nodes(): NodeSnapshot[];
  node(id: string): NodeSnapshot | undefined;
  startNode(id: string): Promise<NodeSnapshot>;
  stopNode(id: string, graceMs?: number): Promise<NodeSnapshot>;
  reconfigureNode(id: string, patch: NodeReconfiguration): NodeSnapshot;
  setLiveRole(id: string, role: NodeRole): NodeSnapshot;
}

/** What the controller calls on the balancer. */
export interface BalancerPort {
  setUpstreams(targets: UpstreamTarget[]): void;
  nodeExited(id: string, at: number): void;
  nodeStarted(id: string): void;
}

/** What the controller needs of the checkpoint shipper (warm and cold standby). */
export interface ShipperPort {
  setRoute(route: { from: string; to: string } | null): void;
  drain(): Promise<void>;
}

export interface Detection {
  nodeId: string;
  via: 'exit' | 'passive' | 'active';
  at: number;
  reason: string;
}

export interface FailedOver {
  from: string;
  to: string;
  /** When the balancer was pointed at the new primary. */
  at: number;
  kind: TopologyKind;
}

export interface FailoverListener {
  onTimeline(kind: string, nodeId: string | undefined, detail: Record<string, unknown>, at: number): void;
  onFailedOver(e: FailedOver): void;
}

export interface FailoverControllerOptions {
  topology: TopologySpec;
  fleet: FleetPort;
  balancer: BalancerPort;
  listener: FailoverListener;
  /** Required for warm and cold standby; its route is set and switched here. */
  shipper?: ShipperPort;
  /** Used to set aside an old primary's log (warm, cold); required for those topologies. */
  runDir?: string;
  admin?: NodeAdmin;
  /** How a node is reached by its peers' replication (default 127.0.0.1:its port; the lab puts a fault proxy there). */
  replicaAddress?: (id: string) => string | undefined;
  /** How long a promotion may keep trying (standby not ready, refusing) before `failover.failed`. */
  promoteTimeoutMs?: number;
}

interface Failover {
  from: string;
  to: string;
  lossAt: number;
  /** What started it: a detection, or the operator (`promoteStandby`). */
  trigger: Detection['via'] | 'operator';
  /** Detected down while its process ran: waiting a moment for an exit before fencing it. */
  awaitingExit: boolean;
}

/**
 * A primary the balancer saw failing may be dying on its own (its exit event lags a reset on the
 * wire by a few ms): wait this long for the exit before fencing, so a death is not taken for a hang.
 */
const FENCE_GRACE_MS = 50;

const RETRY_MS = 50;

export class FailoverController {
  private readonly topology: TopologySpec;
  private readonly admin: NodeAdmin;
  private primaryId: string | null;
  private standbyId: string | null;
  private failover: Failover | null = null;
  /** Old primaries on their way back as standbys. */
  private readonly rejoining = new Set<string>();
  private upstreamIds: string[] = [];
  private started = false;
  private disposed = false;

  constructor(private readonly options: FailoverControllerOptions) {
    this.topology = TopologySpec.parse(options.topology);
    this.admin = options.admin ?? httpNodeAdmin;
    const roles = rolesOf(this.topology.kind);
    this.primaryId = roles.primary;
    this.standbyId = roles.standby;
    if (this.shipsCheckpoints && (!options.shipper || !options.runDir)) {
      throw new Error(`a ${this.topology.kind} topology needs a checkpoint shipper and the run folder`);
    }
  }

  /** The node the balancer routes to in a stateful topology (null for active-active). */
  get primary(): string | null {
    return this.primaryId;
  }

  get standby(): string | null {
    return this.standbyId;
  }

  get failingOver(): boolean {
    return this.failover !== null;
  }

  /** Call once the fleet has started: sets the balancer's upstreams and the checkpoint route. */
  start(): void {
    this.started = true;
    this.refreshUpstreams();
    if (this.shipsCheckpoints && this.primaryId && this.standbyId) this.options.shipper?.setRoute({ from: this.primaryId, to: this.standbyId });
  }

  /**
   * The supervisor saw `id` exit at `at`: feed it from `node.exited`, synchronously (a restart may
   * follow). An exit the lab asked for (`byLab`: fleet stop, node.stop) is not a loss.
   */
  nodeExited(id: string, at: number, exit: { byLab?: boolean } = {}): void {
    if (this.disposed) return;
    // First the balancer: it records the detection (via exit) and stops routing to it at once.
    if (this.upstreamIds.includes(id)) this.options.balancer.nodeExited(id, at);
    if (this.isStateful && id === this.primaryId && !this.failover && !exit.byLab) this.lose(id, at, 'exit', true);
    else if (this.failover?.awaitingExit && this.failover.from === id && !exit.byLab) {
      // It died on its own while we waited to fence it: retire it as an exited primary, synchronously.
      this.failover.awaitingExit = false;
      this.retireOldPrimary(id);
    }
  }

  /** The supervisor reports `id` ready (`node.ready`). */
  nodeReady(id: string): void {
    if (this.disposed || !this.started) return;
    if (!this.isStateful || (id === this.primaryId && !this.failover)) {
      if (this.upstreamIds.includes(id)) this.options.balancer.nodeStarted(id);
      else this.refreshUpstreams();
    }
    this.finishRejoin(id);
  }

  /** A balancer detection. A passive or active one of the primary is a loss; an exit is handled by `nodeExited`. */
  detected(e: Detection): void {
    if (this.disposed || !this.isStateful || e.via === 'exit') return;
    if (e.nodeId !== this.primaryId || this.failover) return;
    // A primary that is not running already went through nodeExited.
    if (this.options.fleet.node(e.nodeId)?.status !== 'ready') return;
    this.lose(e.nodeId, e.at, e.via, false);
  }

  /**
   * The operator promotes the standby by hand (a manual failover): a running primary is fenced and
   * the standby takes over, exactly as after a loss. Resolves when the new primary is routed to;
   * rejects when the failover failed or `to` is not the standby.
   */
  async promoteStandby(to: string): Promise<{ from: string; to: string; durationMs: number }> {
    if (!this.isStateful) throw new Error('an active-active lab has no standby to promote');
    if (this.failover) throw new Error(`a failover from ${this.failover.from} is already under way`);
    const from = this.primaryId;
    if (!from || to !== this.standbyId) throw new Error(`"${to}" is not the standby (the standby is ${this.standbyId ?? 'none'})`);
    const status = this.options.fleet.node(from)?.status;
    const startedAt = now();
    this.lose(from, startedAt, 'operator', status !== 'ready' && status !== 'starting');
    const limit = startedAt + (this.options.promoteTimeoutMs ?? 15_000) + 5_000;
    while (this.failover && !this.disposed && now() < limit) await new Promise((r) => setTimeout(r, 10));
    if (this.primaryId !== to) throw new Error(`the promotion of ${to} failed (see failover.failed in the timeline)`);
    return { from, to, durationMs: round(now() - startedAt) };
  }

  dispose(): void {
    this.disposed = true;
  }

  private get isStateful(): boolean {
    return this.topology.kind !== 'active-active';
  }

  private get shipsCheckpoints(): boolean {
    return this.topology.kind === 'warm-standby' || this.topology.kind === 'cold-standby';
  }

  /** Exactly once per loss of the primary: later exits and detections of it are ignored. */
  private lose(from: string, lossAt: number, trigger: Failover['trigger'], exited: boolean): void {
    const to = this.standbyId;
    if (!to) return;
    const failover: Failover = { from, to, lossAt, trigger, awaitingExit: false };
    this.failover = failover;
    this.emit('failover.started', from, { from, to, trigger, lossAt, topology: this.topology.kind });
    // Nothing routes to the lost primary again, whatever it does next.
    this.setUpstreams([]);
    // Before the supervisor's restart is spawned (its timer is pending now): it comes back a standby.
    this.options.fleet.reconfigureNode(from, { role: 'standby', server: { replicas: undefined } });
    this.rejoining.add(from);
    if (exited) this.retireOldPrimary(from);
    void this.run(failover, exited).catch((error: unknown) => {
      // No primary now: nothing is routed until an operator promotes one (see README).
      this.failover = null;
      this.primaryId = null;
      this.emit('failover.failed', from, { from, to, error: (error as Error).message, afterMs: round(now() - lossAt) });
    });
  }

  private async run(failover: Failover, exited: boolean): Promise<void> {
    const { from, to } = failover;
    const { fleet, shipper } = this.options;
    if (!exited) {
      failover.awaitingExit = true;
      const graceEnd = now() + FENCE_GRACE_MS;
      while (failover.awaitingExit && now() < graceEnd) await new Promise((r) => setTimeout(r, 5));
    }
    if (!exited && failover.awaitingExit) {
      failover.awaitingExit = false;
      // Alive but detected down (hung, cut off): fence it before anything is promoted.
      const fencedAt = now();
      await fleet.stopNode(from, 0);
      this.emit('failover.fenced', from, { how: 'SIGKILL', ms: round(now() - fencedAt) });
      this.retireOldPrimary(from);
      if (this.topology.kind !== 'cold-standby') void fleet.startNode(from).catch(() => undefined);
    }
    if (shipper) {
      // Every checkpoint the old primary completed reaches the standby before it restores.
      await shipper.drain();
      shipper.setRoute(null);
    }

    const answer = await this.promote(from, to);
    if (this.disposed) return;
    const promotedAt = now();
    this.emit('failover.promoted', to, { from, to, ...answer }, promotedAt);

    this.primaryId = to;
    this.standbyId = from;
    this.failover = null;
    const target = fleet.node(to);
    if (target) this.setUpstreams([{ id: to, port: target.port }]);
    const doneAt = now();
    this.emit('failover.done', to, { from, to, trigger: failover.trigger, durationMs: round(doneAt - failover.lossAt) }, doneAt);
    this.options.listener.onFailedOver({ from, to, at: doneAt, kind: this.topology.kind });
    if (shipper) shipper.setRoute({ from: to, to: from });
    this.finishRejoin(from);
  }

  /** Promotes `to` per topology; retries while it is not ready or refuses, up to promoteTimeoutMs. */
  private async promote(from: string, to: string): Promise<Record<string, unknown>> {
    const { fleet } = this.options;
    const deadline = now() + (this.options.promoteTimeoutMs ?? 15_000);
    const kind = this.topology.kind;
    let lastError = 'the standby was never ready';
    for (;;) {
      if (this.disposed) throw new Error('the controller was disposed');
      const node = fleet.node(to);
      try {
        if (kind === 'cold-standby' && node && node.status !== 'ready') {
          if (node.status === 'stopped' || node.status === 'exited' || node.status === 'crash-loop') {
            // Not running: start it as the primary; it restores the shipped checkpoints as it starts.
            fleet.reconfigureNode(to, { role: 'primary', server: { replicas: undefined } });
            const started = await fleet.startNode(to);
            if (started.status !== 'ready') throw new Error(`${to} did not get ready (${started.status})`);
            return { how: 'cold-start', startMs: started.readyAt !== null && started.startedAt !== null ? round(started.readyAt - started.startedAt) : null };
          }
        } else if (node?.status === 'ready') {
          const peer = fleet.node(from);
          const answer =
            kind === 'hot-standby'
              ? await this.admin.promote(node.port, { replicas: peer ? [this.addressOf(peer)] : [], replication: this.topology.replication })
              : await this.admin.promote(node.port, { restore: true }); // warm, or a cold standby someone started
          fleet.setLiveRole(to, 'primary');
          // Its next restart keeps it primary (and, hot, shipping to the old primary).
          fleet.reconfigureNode(to, { role: 'primary', server: kind === 'hot-standby' ? { replicas: [from] } : {} });
          return { how: kind === 'hot-standby' ? 'promote' : 'promote-restore', ...answer };
        }
      } catch (error) {
        lastError = (error as Error).message;
      }
      if (now() > deadline) throw new Error(`could not promote ${to}: ${lastError}`);
      await sleep(RETRY_MS);
    }
  }

  /**
   * The old primary has no process now. Warm and cold: its log belongs to the old history and the
   * checkpoints it will be fed belong to the new one, so the log is set aside; cold: it becomes the
   * new cold standby, so its pending restart is cancelled.
   */
  private retireOldPrimary(id: string): void {
    if (!this.shipsCheckpoints) return;
    const node = this.options.fleet.node(id);
    if (this.topology.kind === 'cold-standby') void this.options.fleet.stopNode(id).catch(() => undefined);
    if (!node || !this.options.runDir) return;
    try {
      const folder = supersedeLog(this.options.runDir, node.dataDir);
      if (folder) this.emit('node.log-superseded', id, { folder });
    } catch (error) {
      this.emit('node.log-superseded', id, { error: (error as Error).message });
    }
  }

  /** An old primary is back (ready as a standby, or stopped as the cold standby) once failover is done. */
  private finishRejoin(id: string): void {
    if (this.failover || !this.rejoining.has(id)) return;
    const node = this.options.fleet.node(id);
    const cold = this.topology.kind === 'cold-standby';
    if (!node || (cold ? node.status !== 'stopped' : node.status !== 'ready')) return;
    this.rejoining.delete(id);
    this.emit('node.rejoined', id, { as: cold ? 'cold-standby' : 'standby', primary: this.primaryId });
    const primary = this.primaryId ? this.options.fleet.node(this.primaryId) : undefined;
    if (this.topology.kind === 'hot-standby' && primary) {
      // Idempotent: the promotion already named it; this covers a primary restarted meanwhile.
      void this.admin.configure(primary.port, { replicas: [this.addressOf(node)] }).catch(() => undefined);
    }
  }

  private refreshUpstreams(): void {
    if (this.failover) return;
    const nodes = this.options.fleet.nodes();
    let targets = upstreamsFor(this.topology, nodes, this.isStateful ? this.primaryId : undefined);
    if (!this.isStateful) {
      // Nodes already in the set stay (exited ones are down in the balancer until they restart).
      const kept = this.upstreamIds.filter((id) => !targets.some((t) => t.id === id));
      const byId = new Map(nodes.map((n) => [n.id, n]));
      targets = [...kept.flatMap((id) => (byId.has(id) ? [{ id, port: byId.get(id)!.port }] : [])), ...targets];
      targets.sort((a, b) => nodes.findIndex((n) => n.id === a.id) - nodes.findIndex((n) => n.id === b.id));
    }
    this.setUpstreams(targets);
  }

  private addressOf(node: NodeSnapshot): string {
    return this.options.replicaAddress?.(node.id) ?? nodeAddress(node.port);
  }

  private setUpstreams(targets: UpstreamTarget[]): void {
    const ids = targets.map((t) => t.id);
    if (ids.length === this.upstreamIds.length && ids.every((id, i) => id === this.upstreamIds[i])) return;
    this.upstreamIds = ids;
    this.options.balancer.setUpstreams(targets);
  }

  private emit(kind: string, nodeId: string | undefined, detail: Record<string, unknown>, at = now()): void {
    try {
      this.options.listener.onTimeline(kind, nodeId, detail, at);
    } catch (error) {
      console.error('failover listener failed:', error);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
