import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  ContractHost,
  FleetSpec,
  TopologySpec,
  type BalancerState,
  type CommandHandlers,
  type FaultRecord,
  type FleetSpecInput,
  type LabSnapshot,
  type Unsubscribe,
} from '../../shared/contract/index.js';
import { appVersion } from './app-paths.js';
import { Balancer } from './balancer/index.js';
import { httpFaultPort } from './balancer/http-fault-port.js';
import { defaultTopology } from './default-fleet.js';
import { DisposableStore } from './disposables.js';
import { fleetForTopology } from './failover/index.js';
import { FaultRegistry } from './faults/index.js';
import { FleetSupervisor, type ProcessLauncher } from './fleet/index.js';
import { IncidentTracker } from './incidents/index.js';
import { MetricsRecorder, createLabMetrics, type LabMetrics } from './metrics/index.js';
import { NodeLinks } from './node-links.js';
import { ToxiproxyApi, startToxiproxyServer, type ToxiproxyServer } from './toxiproxy/index.js';
import { DrillService } from './drills/drill-service.js';
import type { DrillLab } from './drills/drill-run.js';
import { reseedLab } from './random.js';
import { ReportStore, defaultReportsDir, type PdfPrinter } from './reports/report-store.js';
import { drillCommands } from './lab/commands/drill-commands.js';
import { faultCommands } from './lab/commands/fault-commands.js';
import { fleetCommands, nodeCommands } from './lab/commands/fleet-commands.js';
import { trafficCommands } from './lab/commands/traffic-commands.js';
import { EventRouter } from './lab/event-routing.js';
import { FleetLifecycle } from './lab/fleet-lifecycle.js';
import { LabEvents, type AnyEvent } from './lab/lab-events.js';
import { Timeline } from './lab/timeline.js';
import { TrafficSession } from './lab/traffic-session.js';

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

/**
 * The lab: one engine behind the contract. It owns the fleet, the balancer in front of it, the
 * failover controller of the topology, traffic with its write ledger, metrics and incidents.
 * Electron, the web host and tests all drive it through `host`. This file wires the parts
 * (`lab/` holds the lab's own: timeline, event routing, traffic session, fleet lifecycle, commands).
 */
export class Lab {
  readonly host: ContractHost;
  private readonly events = new LabEvents();
  private readonly timeline = new Timeline((event) => this.events.emit('timeline.event', event));
  private readonly fleet: FleetSupervisor;
  private readonly balancer: Balancer;
  private readonly incidents: IncidentTracker;
  private readonly metrics: MetricsRecorder;
  private readonly prometheus: LabMetrics;
  private readonly links = new NodeLinks();
  private readonly faults: FaultRegistry;
  private readonly traffic: TrafficSession;
  private readonly lifecycle: FleetLifecycle;
  private toxiproxy: { api: ToxiproxyApi; server: ToxiproxyServer } | null = null;
  /** What the revert journal of an earlier, crashed engine needed undoing at this start. */
  journalRecovery: string[] = [];
  /** The lab's subscriptions to its own parts. */
  private readonly subscriptions = new DisposableStore();
  /** Everything `dispose()` takes down. */
  private readonly teardown = new DisposableStore();
  readonly reports: ReportStore;
  readonly drills: DrillService;

  private constructor(
    readonly runDir: string,
    fleetSpec: FleetSpec,
    topology: TopologySpec | null,
    options: LabOptions,
  ) {
    const record = this.timeline.record;
    const router = new EventRouter();
    this.fleet = new FleetSupervisor({
      runDir,
      ...(options.launcher ? { launcher: options.launcher } : {}),
      listener: router.fleetListener(),
      // Every link into a node goes through its fault proxies: network faults need no root.
      beforeSpawn: (ports) => this.links.ensure(ports),
      replicaPort: (id) => this.links.replicationPort(id),
    });
    this.balancer = new Balancer({ listener: router.balancerListener() });
    this.faults = new FaultRegistry({ runDir, fleet: this.fleet, network: this.links, http: httpFaultPort(this.balancer), listener: router.faultListener() });
    this.incidents = new IncidentTracker({ onTimeline: (kind, nodeId, detail, at) => record(kind, detail, nodeId, at) });
    this.prometheus = createLabMetrics({ nodes: () => this.fleet.nodes(), faults: () => this.faults.list() });
    this.traffic = new TrafficSession({
      runDir,
      balancerUrl: () => this.balancer.url,
      fleetStatus: () => this.fleet.status,
      primary: () => this.lifecycle.primaryNode(),
      topology: () => this.lifecycle.topology,
      disposed: () => this.teardown.disposed,
      record,
      events: this.events,
      prometheus: this.prometheus,
      incidents: this.incidents,
    });
    this.lifecycle = new FleetLifecycle({
      runDir,
      fleetSpec,
      topology,
      fleet: this.fleet,
      balancer: this.balancer,
      links: this.links,
      faults: this.faults,
      traffic: this.traffic,
      record,
      events: this.events,
      failoverListener: router.failoverListener(),
    });
    this.metrics = new MetricsRecorder({ upstreams: () => this.balancer.snapshot().upstreams, ledger: () => this.traffic.ledgerCounts() });
    router.attach({
      record,
      events: this.events,
      incidents: this.incidents,
      faults: this.faults,
      balancer: this.balancer,
      prometheus: this.prometheus,
      lifecycle: this.lifecycle,
      traffic: this.traffic,
    });
    this.subscribe(router);
    this.reports = new ReportStore(resolve(options.reportsDir ?? defaultReportsDir()), options.printPdf);
    this.drills = new DrillService({
      lab: this.drillLab(),
      reports: this.reports,
      onStep: (status) => this.events.emit('drill.step', structuredClone(status)),
      onVerdict: (status) => this.events.emit('drill.verdict', status),
    });
    this.host = new ContractHost(this.handlers(), (listener) => this.events.add((...event: AnyEvent) => listener(event[0], event[1])));
    // In the order dispose() takes them down; the store runs the last added first, hence the reverse.
    const inOrder: Array<() => void | Promise<void>> = [
      () => this.drills.dispose(), // a running drill aborted first: it drives everything below
      () => this.toxiproxy?.server.close(),
      () => this.toxiproxy?.api.close(),
      () => this.host.dispose(),
      () => this.faults.dispose(), // every fault reverted while its nodes and links still exist
      () => this.traffic.stop(),
      () => this.lifecycle.teardownFailover(),
      () => this.fleet.dispose(),
      () => this.links.close(),
      () => this.subscriptions.dispose(),
      () => this.metrics.stop(),
      () => this.balancer.close(),
      () => this.events.dispose(),
    ];
    for (const step of inOrder.reverse()) this.teardown.defer(step);
  }

  static async create(options: LabOptions = {}): Promise<Lab> {
    const runDir = resolve(options.runDir ?? process.env.FIREDRILL_RUN_DIR ?? defaultRunDir());
    await mkdir(runDir, { recursive: true });
    const topology = options.fleet ? null : TopologySpec.parse(options.topology ?? defaultTopology);
    const fleet = options.fleet ? FleetSpec.parse(options.fleet) : fleetForTopology(topology as TopologySpec);
    const lab = new Lab(runDir, fleet, topology, options);
    lab.traffic.adjustTo(fleet);
    try {
      lab.journalRecovery = await lab.faults.recoverJournal();
      if (lab.journalRecovery.length > 0) lab.timeline.record('faults.journal-recovered', { lines: lab.journalRecovery });
      await lab.balancer.listen(options.balancerPort ?? 0);
      lab.subscriptions.defer(lab.metrics.start());
      if (options.toxiproxy) await lab.serveToxiproxy(options.toxiproxy);
      if (options.autoStart ?? true) await lab.lifecycle.start();
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
      fleet: this.lifecycle.state(),
      topology: this.lifecycle.topology,
      ...(this.toxiproxy ? { toxiproxyUrl: this.toxiproxy.server.url } : {}),
      nodes: this.fleet.nodes(),
      balancer: this.balancerState(),
      traffic: this.traffic.state(),
      incidents: this.incidents.incidents(),
      faults: this.faults.list(),
      timeline: this.timeline.recent(200),
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
    return this.teardown.dispose();
  }

  /** The lab's own subscriptions: outcomes into metrics, ticks and events out, incidents routed. */
  private subscribe(router: EventRouter): void {
    const { subscriptions, metrics, prometheus } = this;
    subscriptions.defer(
      this.balancer.onOutcome((outcome) => {
        metrics.observe(outcome);
        prometheus.observe(outcome);
      }),
    );
    subscriptions.defer(
      metrics.onTick((tick) => {
        prometheus.setNodeStates(Object.entries(tick.perNode).flatMap(([id, n]) => (n.state ? [{ id, state: n.state }] : [])));
        this.events.emit('metrics.tick', tick);
      }),
    );
    subscriptions.defer(this.events.add((...event) => prometheus.event(...event)));
    subscriptions.defer(this.incidents.onChanged(router.incidentChanged));
  }

  /** The lab as a drill run drives it: through the contract, like any other client. */
  private drillLab(): DrillLab {
    return {
      call: (name, params) => this.host.call(name, params) as never,
      onEvent: (listener) => this.onEvent(listener),
      reseed: (seed) => reseedLab(seed),
      trafficStats: () => this.traffic.stats(),
    };
  }

  private balancerState(): BalancerState {
    const { settings, upstreams, retryBudget } = this.balancer.snapshot();
    return { url: this.balancer.url, settings, upstreams, retryBudget };
  }

  private handlers(): CommandHandlers {
    const fleet = { lifecycle: this.lifecycle, fleet: this.fleet, incidents: this.incidents, snapshot: () => this.snapshot() };
    return {
      'lab.state': () => this.snapshot(),
      ...fleetCommands(fleet),
      ...nodeCommands(fleet),
      ...trafficCommands({ traffic: this.traffic, balancer: this.balancer, balancerState: () => this.balancerState(), record: this.timeline.record }),
      ...faultCommands({ faults: this.faults, fleet: this.fleet, toxiproxyApi: () => this.toxiproxy?.api }),
      ...drillCommands(this.drills, this.reports),
    };
  }
}

export function defaultRunDir(): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return join(homedir(), '.firedrill', 'runs', `${stamp}-${process.pid}`);
}
