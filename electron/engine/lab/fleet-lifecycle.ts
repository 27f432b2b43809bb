// The fleet lifecycle: which fleet the lab runs, starting, stopping and changing it with its failover controller.
import { ContractError, type FleetSpec, type FleetState, type NodeSnapshot, type TopologySpec, type TrafficSettings } from '../../../shared/contract/index.js';
import type { PlaneClient } from '../data-plane/index.js';
import { CheckpointShipper, FailoverController, fleetForTopology, type FailoverListener } from '../failover/index.js';
import type { FaultRegistry } from '../faults/index.js';
import type { FleetSupervisor } from '../fleet/index.js';
import { labNodeSecret } from '../fleet/node-launch.js';
import type { LabEvents } from './lab-events.js';
import type { RecordTimeline } from './timeline.js';
import type { TrafficSession } from './traffic-session.js';

export interface FleetLifecycleOptions {
  runDir: string;
  fleetSpec: FleetSpec;
  topology: TopologySpec | null;
  fleet: FleetSupervisor;
  balancer: PlaneClient;
  /** Where the fault proxies in front of each node listen. */
  links: Pick<PlaneClient, 'balancerPort' | 'replicationPort'>;
  faults: FaultRegistry;
  traffic: TrafficSession;
  record: RecordTimeline;
  events: LabEvents;
  /** What the failover controller of each new fleet reports to (event routing). */
  failoverListener: FailoverListener;
}

/** What a fleet change puts back when it fails before any node was spawned. */
interface RecordedFleet {
  fleetSpec: FleetSpec;
  topology: TopologySpec | null;
  trafficSettings: TrafficSettings;
}

/**
 * The fleet the lab runs and how it changes: its spec and topology, starting and stopping it with
 * the failover controller (and checkpoint shipper) of the topology, one change at a time.
 */
export class FleetLifecycle {
  private spec: FleetSpec;
  private currentTopology: TopologySpec | null;
  private failover: FailoverController | null = null;
  private checkpointShipper: CheckpointShipper | null = null;
  /** The fleet.start / topology.set under way, if any. */
  private fleetChange: string | null = null;
  private lastFleetState = '';

  constructor(private readonly options: FleetLifecycleOptions) {
    this.spec = options.fleetSpec;
    this.currentTopology = options.topology;
  }

  get fleetSpec(): FleetSpec {
    return this.spec;
  }

  get topology(): TopologySpec | null {
    return this.currentTopology;
  }

  /** The topology's failover controller, while its fleet runs (none for a fleet file). */
  get controller(): FailoverController | null {
    return this.failover;
  }

  get shipper(): CheckpointShipper | null {
    return this.checkpointShipper;
  }

  async start(): Promise<void> {
    const { fleet, runDir, links } = this.options;
    this.options.traffic.resetLedger();
    const started = fleet.start(this.spec);
    this.emitStateIfChanged();
    await started;
    if (this.currentTopology) {
      const needsShipping = this.currentTopology.kind === 'warm-standby' || this.currentTopology.kind === 'cold-standby';
      this.checkpointShipper = needsShipping
        ? new CheckpointShipper({ runDir, fleet, listener: { onTimeline: (kind, nodeId, detail, at) => this.options.record(kind, detail, nodeId, at) } })
        : null;
      this.failover = new FailoverController({
        topology: this.currentTopology,
        fleet,
        balancer: this.proxiedBalancer(),
        replicaAddress: (id) => {
          const port = links.replicationPort(id);
          return port === undefined ? undefined : `127.0.0.1:${port}`;
        },
        runDir,
        nodeSecret: labNodeSecret(runDir),
        balancerPort: (id) => links.balancerPort(id),
        ...(this.checkpointShipper ? { shipper: this.checkpointShipper } : {}),
        listener: this.options.failoverListener,
      });
      this.failover.start();
    } else {
      this.proxiedBalancer().setUpstreams(this.routedNodes());
    }
    this.emitStateIfChanged();
  }

  async stop(graceMs?: number): Promise<void> {
    await this.options.faults.halt();
    await this.options.traffic.stop();
    await this.teardownFailover();
    const stopped = this.options.fleet.stop(graceMs);
    this.emitStateIfChanged();
    await stopped;
    this.options.balancer.setUpstreams([]);
    this.emitStateIfChanged();
  }

  /**
   * `fleet.start`: the stopped fleet again, or the fleet given — already parsed by the contract host
   * (the schema checks ids and replicas), so a refused fleet never got here and is not recorded.
   */
  startWith(next: FleetSpec | undefined): Promise<void> {
    return this.change('fleet.start', async () => {
      const { fleet } = this.options;
      if (fleet.status !== 'stopped') {
        throw new ContractError({ code: 'conflict', message: `the fleet is ${fleet.status}; stop it first`, field: 'fleet' });
      }
      const before = this.recorded();
      if (next) {
        this.spec = next;
        this.currentTopology = null;
        this.options.traffic.adjustTo(next);
      }
      await this.startOrRestore(before);
    });
  }

  /** `topology.set`: the running fleet stopped, the topology's own fleet started. */
  setTopology(topology: TopologySpec): Promise<void> {
    return this.change('topology.set', async () => {
      const status = this.options.fleet.status;
      if (status === 'starting' || status === 'stopping') {
        throw new ContractError({ code: 'conflict', message: `the fleet is ${status}; try again once it is done`, field: 'kind' });
      }
      const fleet = fleetForTopology(topology);
      await this.stop();
      const before = this.recorded();
      this.currentTopology = topology;
      this.spec = fleet;
      this.options.traffic.adjustTo(fleet);
      this.options.record('topology.changed', { kind: topology.kind, nodes: fleet.nodes.length });
      await this.startOrRestore(before);
    });
  }

  /** Stops the failover controller and the checkpoint shipper (the nodes keep running). */
  async teardownFailover(): Promise<void> {
    this.failover?.dispose();
    this.failover = null;
    await this.checkpointShipper?.dispose();
    this.checkpointShipper = null;
  }

  /**
   * A fleet file without a topology: route to every primary and stateless node (never a standby).
   * A command node is probed on its own `healthPath` (none: not probed); a bundled one on `/readyz`.
   */
  routedNodes(): Array<{ id: string; port: number; healthPath?: string | null }> {
    const specs = new Map(this.spec.nodes.map((n) => [n.id, n]));
    return this.options.fleet
      .nodes()
      .filter((n) => n.role !== 'standby')
      .map((n) => {
        const spec = specs.get(n.id);
        return spec?.kind === 'command' ? { id: n.id, port: n.port, healthPath: spec.healthPath ?? null } : { id: n.id, port: n.port };
      });
  }

  /** Where acknowledged writes should be: the current primary. */
  primaryNode(): NodeSnapshot | undefined {
    const { fleet } = this.options;
    const id = this.failover?.primary;
    if (id) return fleet.node(id);
    return fleet.nodes().find((n) => n.role === 'primary' && n.status === 'ready');
  }

  state(): FleetState {
    return { name: this.spec.name ?? null, status: this.options.fleet.status };
  }

  emitStateIfChanged(): void {
    const state = this.state();
    const key = `${state.name ?? ''}|${state.status}`;
    if (key === this.lastFleetState) return;
    this.lastFleetState = key;
    this.options.events.emit('fleet.changed', state);
  }

  /** One fleet change at a time: a second fleet.start / topology.set while one runs is refused, changing nothing. */
  private async change<T>(command: string, change: () => Promise<T>): Promise<T> {
    if (this.fleetChange) {
      throw new ContractError({ code: 'conflict', message: `${command}: ${this.fleetChange} is under way; try again once it is done`, field: 'fleet' });
    }
    this.fleetChange = command;
    try {
      return await change();
    } finally {
      this.fleetChange = null;
    }
  }

  private recorded(): RecordedFleet {
    return { fleetSpec: this.spec, topology: this.currentTopology, trafficSettings: this.options.traffic.nextSettings };
  }

  /** A start that fails before any node was spawned leaves the lab recording what it ran before. */
  private async startOrRestore(before: RecordedFleet): Promise<void> {
    try {
      await this.start();
    } catch (error) {
      if (this.options.fleet.status === 'stopped') {
        this.spec = before.fleetSpec;
        this.currentTopology = before.topology;
        this.options.traffic.nextSettings = before.trafficSettings;
        this.emitStateIfChanged();
      }
      throw error;
    }
  }

  /** The balancer as the failover controller sees it: node ports become the ports of their fault proxies. */
  private proxiedBalancer(): Pick<PlaneClient, 'setUpstreams' | 'nodeExited' | 'nodeStarted' | 'setFailoverTopology' | 'failoverStarted' | 'failoverEnded'> {
    const { balancer, links } = this.options;
    return {
      setUpstreams: (targets) => balancer.setUpstreams(targets.map((t) => ({ ...t, port: links.balancerPort(t.id) ?? t.port }))),
      nodeExited: (id, at) => balancer.nodeExited(id, at),
      nodeStarted: (id) => balancer.nodeStarted(id),
      setFailoverTopology: (kind) => balancer.setFailoverTopology(kind),
      failoverStarted: (id, lossAt) => balancer.failoverStarted(id, lossAt),
      failoverEnded: (id, ok) => balancer.failoverEnded(id, ok),
    };
  }
}
