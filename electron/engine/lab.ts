import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  ContractError,
  ContractHost,
  FleetSpec,
  Listeners,
  TopologySpec,
  TrafficSettings,
  checkEvent,
  type BalancerState,
  type CommandHandlers,
  type EventName,
  type EventPayload,
  type FaultRecord,
  type FleetSpecInput,
  type FleetState,
  type LabSnapshot,
  type LedgerCounts,
  type NodeSnapshot,
  type TimelineEvent,
  type TrafficState,
  type Unsubscribe,
} from '../../shared/contract/index.js';
import { appVersion } from './app-paths.js';
import { Balancer, type BalancerListener } from './balancer/index.js';
import { now } from './clock.js';
import { defaultTopology } from './default-fleet.js';
import { CheckpointShipper, FailoverController, fleetForTopology } from './failover/index.js';
import { FaultRegistry } from './faults/index.js';
import { FleetSupervisor, checkFleet, type FleetListener, type ProcessLauncher } from './fleet/index.js';
import { labNodeSecret } from './fleet/node-launch.js';
import { IncidentTracker } from './incidents/index.js';
import { MetricsRecorder, createLabMetrics, type LabMetrics } from './metrics/index.js';
import { NodeLinks } from './node-links.js';
import { ToxiproxyApi, startToxiproxyServer, type ToxiproxyServer } from './toxiproxy/index.js';
import { TrafficGenerator, WriteLedger } from './traffic/index.js';
import { DrillService } from './drills/drill-service.js';
import { ChaosMeshExportError, exportChaosMesh } from './export/chaos-mesh.js';
import type { DrillLab } from './drills/drill-run.js';
import { reseedLab } from './random.js';
import { ReportStore, defaultReportsDir, type PdfPrinter } from './reports/report-store.js';

const TIMELINE_CAP = 2_000;

export interface LabOptions {
  /** Where node data folders live; default `$FIREDRILL_RUN_DIR` or `~/.firedrill/runs/<time>`. */
  runDir?: string;
  /** A fleet file's contents to run as-is (no failover controller); overrides `topology`. */
  fleet?: FleetSpecInput;
  /** The redundancy topology to build the fleet from; default a primary with a hot standby. */
  topology?: Partial<TopologySpec> & Pick<TopologySpec, 'kind'>;
  /** Start the fleet at once (default true). */
  autoStart?: boolean;
  /** The balancer's port on 127.0.0.1 (default 0: a free port). */
  balancerPort?: number;
  /** The drill report history; default `$FIREDRILL_REPORTS_DIR` or `~/.firedrill/reports`. */
  reportsDir?: string;
  /** How reports become PDF; default Chromium through Playwright (the desktop app passes Electron's printToPDF). */
  printPdf?: PdfPrinter;
  /** How the fleet's processes start; default plain Node (the desktop app passes Electron's utility processes). */
  launcher?: ProcessLauncher;
  /** Serve Toxiproxy's HTTP API on 127.0.0.1 (port 0: a free one; token: require it as a bearer token). Default off. */
  toxiproxy?: { port?: number; token?: string };
}

type AnyEvent = { [K in EventName]: [K, EventPayload<K>] }[EventName];

/**
 * The lab: one engine behind the contract. It owns the fleet, the balancer in front of it, the
 * failover controller of the topology, traffic with its write ledger, metrics and incidents.
 * Electron, the web host and tests all drive it through `host`.
 */
export class Lab {
  readonly host: ContractHost;
  private readonly events = new Listeners<AnyEvent>();
  private readonly timeline: TimelineEvent[] = [];
  private seq = 0;
  private fleetSpec: FleetSpec;
  private topology: TopologySpec | null;
  private readonly fleet: FleetSupervisor;
  private readonly balancer: Balancer;
  private readonly incidents: IncidentTracker;
  private readonly metrics: MetricsRecorder;
  private readonly prometheus: LabMetrics;
  private readonly links = new NodeLinks();
  private readonly faults: FaultRegistry;
  private toxiproxy: { api: ToxiproxyApi; server: ToxiproxyServer } | null = null;
  /** What the revert journal of an earlier, crashed engine needed undoing at this start. */
  journalRecovery: string[] = [];
  private controller: FailoverController | null = null;
  private shipper: CheckpointShipper | null = null;
  private trafficSettings: TrafficSettings = TrafficSettings.parse({});
  private traffic: TrafficGenerator | null = null;
  private trafficStartedAt: number | null = null;
  private ledger = new WriteLedger();
  private ledgerCounts: LedgerCounts = { acked: 0, checked: 0, lost: 0, stale: 0, checkedAt: null };
  private disposed: Promise<void> | undefined;
  /** The fleet.start / topology.set under way, if any. */
  private fleetChange: string | null = null;
  private lastFleetState = '';
  private lastBalancerState = '';
  private readonly stops: Unsubscribe[] = [];
  readonly reports: ReportStore;
  readonly drills: DrillService;

  private constructor(
    readonly runDir: string,
    fleetSpec: FleetSpec,
    topology: TopologySpec | null,
    options: LabOptions,
  ) {
    this.fleetSpec = fleetSpec;
    this.topology = topology;
    this.fleet = new FleetSupervisor({
      runDir,
      ...(options.launcher ? { launcher: options.launcher } : {}),
      listener: this.fleetListener(),
      // Every link into a node goes through its fault proxies: network faults need no root.
      beforeSpawn: (ports) => this.links.ensure(ports),
      replicaPort: (id) => this.links.replicationPort(id),
    });
    this.balancer = new Balancer({ listener: this.balancerListener() });
    this.faults = new FaultRegistry({
      runDir,
      fleet: this.fleet,
      network: { apply: (faultId, nodeId, spec) => this.links.apply(faultId, nodeId, spec), revert: (faultId) => this.links.revert(faultId) },
      http: {
        apply: (faultId, nodeId, spec) => {
          const a = spec.attributes as { status?: number; share?: number; afterBytes?: number };
          this.balancer.setHttpFault(
            faultId,
            nodeId,
            spec.type === 'http_error' ? { kind: 'error', status: a.status ?? 503, share: a.share ?? 1 } : { kind: 'abort', share: a.share ?? 1, afterBytes: a.afterBytes ?? 0 },
          );
        },
        revert: (faultId) => this.balancer.clearHttpFault(faultId),
      },
      listener: {
        onTimeline: (kind, nodeId, detail, at) => {
          this.record(kind, detail, nodeId, at);
          // Damage to files on disk fails nothing until the node restarts from them: the restart's exit opens that incident.
          if (kind === 'fault.injected' && detail.kind !== 'checkpoint') this.incidents.faultInjected(nodeId, `fault:${String(detail.type)}`, at);
          if (kind === 'fault.reverted') this.incidents.faultEnded(nodeId, at);
        },
        onChanged: (record) => this.emit('fault.changed', record),
      },
    });
    this.incidents = new IncidentTracker({
      onTimeline: (kind, nodeId, detail, at) => this.record(kind, detail, nodeId, at),
    });
    this.prometheus = createLabMetrics({ nodes: () => this.fleet.nodes(), faults: () => this.faults.list(), upstreams: () => this.balancer.snapshot().upstreams });
    this.metrics = new MetricsRecorder({
      upstreams: () => this.balancer.snapshot().upstreams,
      acked: () => this.ledger.acked,
    });
    this.stops.push(
      this.balancer.onOutcome((outcome) => {
        this.metrics.observe(outcome);
        this.prometheus.observe(outcome);
      }),
      this.metrics.onTick((tick) => {
        this.emit('metrics.tick', tick);
        // Changes no balancer event reports (a node going down while out, a fleet rebuilt) show within a tick.
        this.emitBalancerIfChanged();
      }),
      this.events.add((...event) => this.prometheus.event(...event)),
      this.incidents.onChanged((incident) => {
        this.emit('incident.changed', incident);
        if (!incident.open && incident.lostWrites === null) void this.checkLedgerFor(incident.id);
      }),
    );
    this.reports = new ReportStore(resolve(options.reportsDir ?? defaultReportsDir()), options.printPdf);
    this.drills = new DrillService({
      lab: this.drillLab(),
      reports: this.reports,
      onStep: (status) => this.emit('drill.step', structuredClone(status)),
      onVerdict: (status) => this.emit('drill.verdict', status),
    });
    this.host = new ContractHost(this.handlers(), (listener) =>
      this.events.add((...event: AnyEvent) => listener(event[0], event[1])),
    );
  }

  static async create(options: LabOptions = {}): Promise<Lab> {
    const runDir = resolve(options.runDir ?? process.env.FIREDRILL_RUN_DIR ?? defaultRunDir());
    await mkdir(runDir, { recursive: true });
    const topology = options.fleet ? null : TopologySpec.parse(options.topology ?? defaultTopology);
    const fleet = options.fleet ? FleetSpec.parse(options.fleet) : fleetForTopology(topology as TopologySpec);
    const lab = new Lab(runDir, fleet, topology, options);
    lab.adjustTrafficToTopology();
    try {
      lab.journalRecovery = await lab.faults.recoverJournal();
      if (lab.journalRecovery.length > 0) lab.record('faults.journal-recovered', { lines: lab.journalRecovery });
      await lab.balancer.listen(options.balancerPort ?? 0);
      lab.stops.push(lab.metrics.start());
      if (options.toxiproxy) await lab.serveToxiproxy(options.toxiproxy);
      if (options.autoStart ?? true) await lab.startFleet();
    } catch (error) {
      await lab.dispose();
      throw error;
    }
    return lab;
  }

  /** Listens to every event the lab emits (the same stream the contract carries). */
  onEvent(listener: (...event: AnyEvent) => void): Unsubscribe {
    return this.events.add(listener);
  }

  /** The balancer's address: where traffic (the lab's or anyone's) goes in. */
  get balancerUrl(): string {
    return this.balancer.url;
  }

  snapshot(): LabSnapshot {
    return {
      version: appVersion(),
      runDir: this.runDir,
      fleet: this.fleetState(),
      topology: this.topology,
      ...(this.toxiproxy ? { toxiproxyUrl: this.toxiproxy.server.url } : {}),
      nodes: this.fleet.nodes(),
      balancer: this.balancerState(),
      traffic: this.trafficState(),
      incidents: this.incidents.incidents(),
      faults: this.faults.list(),
      timeline: this.timeline.slice(-200),
    };
  }

  /** Toxiproxy's API, when the lab serves it (LabOptions.toxiproxy). */
  get toxiproxyUrl(): string | null {
    return this.toxiproxy?.server.url ?? null;
  }

  /**
   * Serves Toxiproxy's HTTP API on 127.0.0.1 (once; port 0 = a free one). Its toxics and partitions go
   * through the contract, like the UI's: they are the lab's faults. Resolves with its URL.
   */
  async serveToxiproxy(options: { port?: number; token?: string } = {}): Promise<string> {
    if (this.toxiproxy) return this.toxiproxy.server.url;
    const api = new ToxiproxyApi({
      links: () => this.links.list(),
      faults: async () => this.faults.list(),
      inject: (input) => this.host.call('fault.inject', input) as Promise<FaultRecord>,
      revert: (id) => this.host.call('fault.revert', { id }) as Promise<FaultRecord>,
    });
    const server = await startToxiproxyServer({ api, labVersion: appVersion(), ...options }).catch(async (error: unknown) => {
      await api.close();
      throw error;
    });
    this.toxiproxy = { api, server };
    return server.url;
  }

  /** Prometheus text exposition of the lab's metrics. */
  async metricsExposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.prometheus.contentType, body: await this.prometheus.exposition() };
  }

  /** Stops traffic, every node and every timer; safe to call more than once. */
  dispose(): Promise<void> {
    this.disposed ??= (async () => {
      await this.drills.dispose();
      await this.toxiproxy?.server.close();
      await this.toxiproxy?.api.close();
      this.host.dispose();
      await this.faults.dispose();
      await this.stopTraffic();
      await this.teardownFailover();
      await this.fleet.dispose();
      await this.links.close();
      for (const stop of this.stops.splice(0)) stop();
      this.metrics.stop();
      await this.balancer.close();
      this.events.clear();
    })();
    return this.disposed;
  }

  /** The lab as a drill run drives it: through the contract, like any other client. */
  private drillLab(): DrillLab {
    return {
      call: (name, params) => this.host.call(name, params) as never,
      onEvent: (listener) => this.onEvent(listener),
      reseed: (seed) => reseedLab(seed),
      trafficStats: () => this.traffic?.stats() ?? null,
    };
  }

  // ---- the fleet and its topology ---------------------------------------------------------

  private async startFleet(): Promise<void> {
    this.ledger = new WriteLedger();
    this.ledgerCounts = { acked: 0, checked: 0, lost: 0, stale: 0, checkedAt: null };
    const started = this.fleet.start(this.fleetSpec);
    this.emitFleetStateIfChanged();
    await started;
    if (this.topology) {
      const needsShipping = this.topology.kind === 'warm-standby' || this.topology.kind === 'cold-standby';
      this.shipper = needsShipping
        ? new CheckpointShipper({ runDir: this.runDir, fleet: this.fleet, listener: { onTimeline: (kind, nodeId, detail, at) => this.record(kind, detail, nodeId, at) } })
        : null;
      this.controller = new FailoverController({
        topology: this.topology,
        fleet: this.fleet,
        balancer: this.proxiedBalancer(),
        replicaAddress: (id) => {
          const port = this.links.replicationPort(id);
          return port === undefined ? undefined : `127.0.0.1:${port}`;
        },
        runDir: this.runDir,
        nodeSecret: labNodeSecret(this.runDir),
        balancerPort: (id) => this.links.balancerPort(id),
        ...(this.shipper ? { shipper: this.shipper } : {}),
        listener: {
          onTimeline: (kind, nodeId, detail, at) => {
            this.record(kind, detail, nodeId, at);
            this.incidents.timelineEvent({ kind, at, detail, ...(nodeId ? { nodeId } : {}) });
          },
          onFailedOver: (e) => {
            this.incidents.failedOver(e);
            // With no traffic nothing can be seen serving: back in rotation is the best evidence there is.
            if (!this.traffic?.running) this.incidents.firstServed({ nodeId: e.to, at: e.at });
          },
        },
      });
      this.controller.start();
    } else {
      this.proxiedBalancer().setUpstreams(this.routedNodes());
    }
    this.emitFleetStateIfChanged();
  }

  /** One fleet change at a time: a second fleet.start / topology.set while one runs is refused, changing nothing. */
  private async changeFleet<T>(command: string, change: () => Promise<T>): Promise<T> {
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

  private recordedFleet(): { fleetSpec: FleetSpec; topology: TopologySpec | null; trafficSettings: TrafficSettings } {
    return { fleetSpec: this.fleetSpec, topology: this.topology, trafficSettings: this.trafficSettings };
  }

  /** A start that fails before any node was spawned leaves the lab recording what it ran before. */
  private async startFleetOrRestore(before: ReturnType<Lab['recordedFleet']>): Promise<void> {
    try {
      await this.startFleet();
    } catch (error) {
      if (this.fleet.status === 'stopped') {
        this.fleetSpec = before.fleetSpec;
        this.topology = before.topology;
        this.trafficSettings = before.trafficSettings;
        this.emitFleetStateIfChanged();
      }
      throw error;
    }
  }

  private async stopFleet(graceMs?: number): Promise<void> {
    await this.faults.halt();
    await this.stopTraffic();
    await this.teardownFailover();
    const stopped = this.fleet.stop(graceMs);
    this.emitFleetStateIfChanged();
    await stopped;
    this.balancer.setUpstreams([]);
    this.emitFleetStateIfChanged();
  }

  private async teardownFailover(): Promise<void> {
    this.controller?.dispose();
    this.controller = null;
    await this.shipper?.dispose();
    this.shipper = null;
  }

  /** The balancer as the failover controller sees it: node ports become the ports of their fault proxies. */
  private proxiedBalancer(): Pick<Balancer, 'setUpstreams' | 'nodeExited' | 'nodeStarted'> {
    return {
      setUpstreams: (targets) => this.balancer.setUpstreams(targets.map((t) => ({ ...t, port: this.links.balancerPort(t.id) ?? t.port }))),
      nodeExited: (id, at) => this.balancer.nodeExited(id, at),
      nodeStarted: (id) => this.balancer.nodeStarted(id),
    };
  }

  /**
   * A fleet file without a topology: route to every primary and stateless node (never a standby).
   * A command node is probed on its own `healthPath` (none: not probed); a bundled one on `/readyz`.
   */
  private routedNodes(): Array<{ id: string; port: number; healthPath?: string | null }> {
    const specs = new Map(this.fleetSpec.nodes.map((n) => [n.id, n]));
    return this.fleet
      .nodes()
      .filter((n) => n.role !== 'standby')
      .map((n) => {
        const spec = specs.get(n.id);
        return spec?.kind === 'command' ? { id: n.id, port: n.port, healthPath: spec.healthPath ?? null } : { id: n.id, port: n.port };
      });
  }

  /** Where acknowledged writes should be: the current primary. */
  private primaryNode(): NodeSnapshot | undefined {
    const id = this.controller?.primary;
    if (id) return this.fleet.node(id);
    return this.fleet.nodes().find((n) => n.role === 'primary' && n.status === 'ready');
  }

  private fleetListener(): FleetListener {
    return {
      onNodeChanged: (node) => {
        this.emit('node.changed', node);
        this.emitFleetStateIfChanged();
      },
      onTimeline: (event) => {
        const { kind, nodeId, at } = event;
        const detail = event.detail ?? {};
        this.record(kind, detail, nodeId, at);
        if (nodeId && kind === 'node.exited') {
          // A stop the lab asked for is known as planned before the balancer's detection of it arrives.
          if (detail.byLab === true) this.incidents.nodeExited(nodeId, at, { byLab: true });
          // Synchronously, before the supervisor schedules a restart: the controller may reconfigure it.
          if (this.controller) this.controller.nodeExited(nodeId, at, { byLab: detail.byLab === true });
          else if (this.routedNodes().some((n) => n.id === nodeId)) this.balancer.nodeExited(nodeId, at);
        }
        if (nodeId && kind === 'node.starting' && typeof detail.pid === 'number') this.faults.onNodeStarting(nodeId, detail.pid);
        if (nodeId && kind === 'node.exited' && typeof detail.pid === 'number') this.faults.onNodeExited(nodeId, detail.pid);
        if (nodeId && kind === 'node.ready') {
          if (this.controller) this.controller.nodeReady(nodeId);
          else if (this.routedNodes().some((n) => n.id === nodeId)) this.balancer.nodeStarted(nodeId);
        }
        this.incidents.timelineEvent({ kind, at, detail, ...(nodeId ? { nodeId } : {}) });
        // A standby is not routed to: it serves by being ready again (not while a failover may be promoting it,
        // and not for an incident that failed over: the node that took over decides when that one is over).
        const open = nodeId && kind === 'node.ready' ? this.incidents.openIncident(nodeId) : undefined;
        if (nodeId && open && open.stages.failedOver === undefined && !this.controller?.failingOver && !this.isRouted(nodeId)) {
          this.incidents.firstServed({ nodeId, at });
        }
        this.emitFleetStateIfChanged();
      },
      onLogs: (lines, dropped) => {
        this.shipper?.onLogs(lines);
        this.controller?.onLogs(lines);
        this.incidents.logLines(lines);
        this.emit('log.batch', { lines, dropped });
      },
    };
  }

  private isRouted(nodeId: string): boolean {
    return this.balancer.snapshot().upstreams.some((u) => u.id === nodeId);
  }

  private balancerListener(): BalancerListener {
    return {
      onDetected: (e) => {
        this.record('balancer.detected', { via: e.via, reason: e.reason }, e.nodeId, e.at);
        this.incidents.detected(e);
        this.controller?.detected(e);
      },
      onEjected: (e) => {
        this.record('balancer.ejected', { via: e.via, untilAt: e.untilAt }, e.nodeId, e.at);
        this.incidents.ejected(e);
        this.prometheus.ejection(e.nodeId, e.via);
        this.emitBalancerIfChanged();
      },
      onReadmitted: (e) => {
        this.record('balancer.readmitted', { via: e.via }, e.nodeId, e.at);
        // With no traffic nothing can be seen serving: back in rotation is the best evidence there is.
        if (!this.traffic?.running) this.incidents.firstServed({ nodeId: e.nodeId, at: e.at });
        this.emitBalancerIfChanged();
      },
      onFirstServed: (e) => {
        this.record('balancer.first-served', {}, e.nodeId, e.at);
        this.incidents.firstServed(e);
      },
    };
  }

  // ---- traffic and the ledger ------------------------------------------------------------

  /** Stateless nodes store nothing and refuse writes: active-active traffic is reads only. */
  private adjustTrafficToTopology(): void {
    const stateless = this.fleetSpec.nodes.every((n) => n.kind === 'bundled' && n.role === 'stateless');
    this.trafficSettings = { ...this.trafficSettings, readShare: stateless ? 1 : TrafficSettings.parse({}).readShare };
  }

  private startTraffic(patch: Partial<TrafficSettings>): TrafficState {
    if (this.traffic?.running) throw new ContractError({ code: 'conflict', message: 'traffic is already running; stop it or use traffic.set', field: 'traffic' });
    if (this.fleet.status !== 'running') throw new ContractError({ code: 'conflict', message: `the fleet is ${this.fleet.status}`, field: 'fleet' });
    const settings = TrafficSettings.parse({ ...this.trafficSettings, ...patch });
    const generator = new TrafficGenerator({
      baseUrl: this.balancer.url,
      settings,
      ledger: this.ledger,
      onDone: () => {
        if (this.traffic === generator) this.emit('traffic.changed', this.trafficState());
      },
    });
    this.trafficSettings = settings;
    this.traffic = generator;
    this.trafficStartedAt = now();
    generator.start();
    this.record('traffic.started', { rate: this.trafficSettings.rate, durationMs: this.trafficSettings.durationMs, readShare: this.trafficSettings.readShare });
    const state = this.trafficState();
    this.emit('traffic.changed', state);
    return state;
  }

  private async stopTraffic(): Promise<void> {
    const generator = this.traffic;
    if (!generator?.running) return;
    await generator.stop();
    this.record('traffic.stopped', { sent: generator.stats().sent });
    this.emit('traffic.changed', this.trafficState());
  }

  private trafficState(): TrafficState {
    return {
      running: this.traffic?.running ?? false,
      settings: this.trafficSettings,
      startedAt: this.trafficStartedAt,
      stats: this.traffic ? this.traffic.stats() : null,
      ledger: { ...this.ledgerCounts, acked: this.ledger.acked },
    };
  }

  /** Reads every acknowledged write back from the current primary: lost and stale counts. */
  private async checkLedger(): Promise<LedgerCounts> {
    const primary = this.primaryNode();
    if (!primary || primary.status !== 'ready') {
      throw new ContractError({ code: 'conflict', message: 'no primary is ready to check the ledger against', field: 'primary' });
    }
    const check = await this.ledger.verify(`http://127.0.0.1:${primary.port}`, { nodeSecret: labNodeSecret(this.runDir) }).catch((error: unknown) => {
      // It hung, died or was fenced while it was read: the lab's state, not a bug (a 409, never a 500).
      throw new ContractError({ code: 'conflict', message: `the primary ${primary.id} did not answer the read-back: ${(error as Error).message}`, field: 'primary' });
    });
    this.ledgerCounts = { acked: check.acked, checked: check.checked, lost: check.lost, stale: check.stale, checkedAt: check.checkedAt };
    this.emit('ledger.checked', { ...this.ledgerCounts });
    this.record('ledger.checked', { primary: primary.id, acked: check.acked, checked: check.checked, lost: check.lost, stale: check.stale });
    return this.ledgerCounts;
  }

  /** When an incident is over and writes were acknowledged, count what it cost in data. */
  private async checkLedgerFor(incidentId: string): Promise<void> {
    if (this.ledger.acked === 0 || !this.topology || this.topology.kind === 'active-active') return;
    // The new primary may still be finishing its promotion: give it a few seconds.
    const deadline = now() + 5_000;
    for (;;) {
      try {
        const counts = await this.checkLedger();
        this.incidents.setLedger(incidentId, { lost: counts.lost, stale: counts.stale });
        return;
      } catch (error) {
        if (now() > deadline || this.disposed) {
          this.record('ledger.check-failed', { incident: incidentId, reason: (error as Error).message });
          return;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  // ---- state and events ------------------------------------------------------------------

  private balancerState(): BalancerState {
    const { settings, upstreams, retryBudget } = this.balancer.snapshot();
    return { url: this.balancer.url, settings, upstreams, retryBudget };
  }

  /** `balancer.changed` when an upstream's state or the settings differ from the last one sent. */
  private emitBalancerIfChanged(): void {
    const state = this.balancerState();
    const key = JSON.stringify([state.settings, state.upstreams.map((u) => [u.id, u.state])]);
    if (key === this.lastBalancerState) return;
    this.lastBalancerState = key;
    this.emit('balancer.changed', state);
  }

  private fleetState(): FleetState {
    return { name: this.fleetSpec.name ?? null, status: this.fleet.status };
  }

  private emitFleetStateIfChanged(): void {
    const state = this.fleetState();
    const key = `${state.name ?? ''}|${state.status}`;
    if (key === this.lastFleetState) return;
    this.lastFleetState = key;
    this.emit('fleet.changed', state);
  }

  private handlers(): CommandHandlers {
    return {
      'lab.state': () => this.snapshot(),
      'fleet.start': ({ fleet }) =>
        this.changeFleet('fleet.start', async () => {
          if (this.fleet.status !== 'stopped') {
            throw new ContractError({ code: 'conflict', message: `the fleet is ${this.fleet.status}; stop it first`, field: 'fleet' });
          }
          // Checked before anything changes: a refused fleet is not recorded as the lab's.
          const next = fleet ? checkFleet(fleet) : null;
          const before = this.recordedFleet();
          if (next) {
            this.fleetSpec = next;
            this.topology = null;
            this.adjustTrafficToTopology();
          }
          await this.startFleetOrRestore(before);
          return this.snapshot();
        }),
      'fleet.stop': async ({ graceMs }) => {
        await this.stopFleet(graceMs);
        return this.snapshot();
      },
      'topology.set': (topology) =>
        this.changeFleet('topology.set', async () => {
          if (this.fleet.status === 'starting' || this.fleet.status === 'stopping') {
            throw new ContractError({ code: 'conflict', message: `the fleet is ${this.fleet.status}; try again once it is done`, field: 'kind' });
          }
          const fleet = fleetForTopology(topology);
          await this.stopFleet();
          const before = this.recordedFleet();
          this.topology = topology;
          this.fleetSpec = fleet;
          this.adjustTrafficToTopology();
          this.record('topology.changed', { kind: topology.kind, nodes: fleet.nodes.length });
          await this.startFleetOrRestore(before);
          return this.snapshot();
        }),
      'node.start': ({ id }) => this.fleet.startNode(id),
      'node.stop': ({ id, graceMs }) => this.fleet.stopNode(id, graceMs),
      'node.restart': ({ id, graceMs }) => this.fleet.restartNode(id, graceMs),
      'node.promote': async ({ id }) => {
        const controller = this.controller;
        if (!controller) throw new ContractError({ code: 'conflict', message: 'no standby to promote: the lab runs active-active or a fleet file', field: 'id' });
        // A failure nothing in the lab noticed, which the operator acted on: their act is the detection (MTTD = their reaction time).
        // A healthy primary switched over by hand is no incident at all.
        // Refused before the operator's act is recorded as anything.
        if (controller.failingOver) throw new ContractError({ code: 'conflict', message: 'a failover is already under way', field: 'id' });
        const primary = controller.primary;
        if (primary && id === controller.standby && this.incidents.openIncident(primary)) this.incidents.detected({ nodeId: primary, via: 'operator', at: now(), reason: `the operator promoted ${id}` });
        try {
          return await controller.promoteStandby(id);
        } catch (error) {
          throw new ContractError({ code: 'conflict', message: (error as Error).message, field: 'id' });
        }
      },
      'node.logs': ({ id, limit }) => {
        if (!this.fleet.node(id)) throw new ContractError({ code: 'not-found', message: `no node "${id}"`, field: 'id' });
        return { lines: this.fleet.logs(id).slice(-(limit ?? 500)) };
      },
      'balancer.set': (patch) => {
        const settings = this.balancer.setSettings(patch);
        this.record('balancer.changed', { strategy: settings.strategy, changed: Object.keys(patch) });
        this.emitBalancerIfChanged();
        return this.balancerState();
      },
      'traffic.start': (patch) => this.startTraffic(patch),
      'traffic.stop': async () => {
        await this.stopTraffic();
        return this.trafficState();
      },
      'traffic.set': (patch) => {
        const next = TrafficSettings.parse({ ...this.trafficSettings, ...patch });
        if (this.traffic?.running) {
          const { seed: _seed, ...live } = patch;
          this.traffic.update(live);
        }
        this.trafficSettings = next;
        const state = this.trafficState();
        this.emit('traffic.changed', state);
        return state;
      },
      'fault.inject': (params) => {
        if (this.fleet.status !== 'running') throw new ContractError({ code: 'conflict', message: `the fleet is ${this.fleet.status}`, field: 'target' });
        return this.faults.inject(params);
      },
      'fault.revert': ({ id }) => this.faults.revert(id),
      'fault.halt': async () => {
        const halted = await this.faults.halt();
        // Proxies a Toxiproxy client made for itself are no lab node, and HALT still means everything.
        this.toxiproxy?.api.resetClientProxies();
        return halted;
      },
      'fault.list': () => ({ faults: this.faults.list() }),
      'ledger.check': () => this.checkLedger(),
      'drill.list': () => this.drills.list(),
      'drill.get': ({ id }) => this.drills.get(id),
      'drill.exportChaosMesh': ({ id, ...options }) => {
        try {
          return exportChaosMesh(this.drills.get(id).spec, options);
        } catch (error) {
          if (error instanceof ChaosMeshExportError) throw new ContractError({ code: 'invalid-params', message: error.message, field: `params.${error.field}` });
          throw error;
        }
      },
      'drill.run': (params) => this.drills.run(params),
      'drill.abort': ({ runId }) => this.drills.abort(runId),
      'drill.answer': (params) => this.drills.answer(params),
      'drill.status': () => ({ run: this.drills.status() }),
      'report.list': ({ limit }) => this.reports.list(limit),
      'report.open': ({ id }) => this.reports.open(id),
      'report.compare': ({ ids }) => this.reports.compare(ids).comparison,
      'report.export': async ({ id, format }) => ({ path: await this.reports.export(id, format) }),
    };
  }

  private record(kind: string, detail: Record<string, unknown>, nodeId?: string, at: number = now()): void {
    const event: TimelineEvent = { seq: ++this.seq, at, kind, detail };
    if (nodeId !== undefined) event.nodeId = nodeId;
    this.timeline.push(event);
    if (this.timeline.length > TIMELINE_CAP) this.timeline.splice(0, this.timeline.length - TIMELINE_CAP);
    this.emit('timeline.event', event);
  }

  private emit<K extends EventName>(name: K, payload: EventPayload<K>): void {
    // In tests every event is checked against the contract, so the engine cannot drift from it.
    const checked = process.env.FIREDRILL_CHECK_EVENTS === '1' ? checkEvent(name, payload) : payload;
    this.events.emit(...([name, checked] as AnyEvent));
  }
}

export function defaultRunDir(): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return join(homedir(), '.firedrill', 'runs', `${stamp}-${process.pid}`);
}
