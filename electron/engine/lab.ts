import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  ContractHost,
  FleetSpec,
  TopologySpec,
  type BalancerState,
  type CommandHandlers,
  type LabSnapshot,
  type Unsubscribe,
} from '../../shared/contract/index.js';
import { appVersion } from './app-paths.js';
import { now } from './clock.js';
import { defaultTopology } from './default-fleet.js';
import { DisposableStore } from './disposables.js';
import { fleetForTopology } from './failover/index.js';
import { FaultRegistry } from './faults/index.js';
import { FleetSupervisor } from './fleet/index.js';
import { IncidentTracker } from './incidents/index.js';
import { MetricsRecorder, createLabMetrics, type LabMetrics } from './metrics/index.js';
import { defaultDataPlane, PlaneClient } from './data-plane/index.js';
import { DrillService } from './drills/drill-service.js';
import type { DrillLab } from './drills/drill-lab.js';
import { reseedLab } from './random.js';
import { ReportStore, defaultReportsDir } from './report-store/report-store.js';
import { LabRecording } from './recording/lab-recording.js';
import { recordingCommands } from './recording/recording-commands.js';
import { drillCommands } from './lab/commands/drill-commands.js';
import { ClassroomSlot, classroomCommands } from './lab/commands/classroom-commands.js';
import { faultCommands } from './lab/commands/fault-commands.js';
import { fleetCommands, nodeCommands } from './lab/commands/fleet-commands.js';
import { trafficCommands } from './lab/commands/traffic-commands.js';
import { EventRouter } from './lab/event-routing.js';
import { FleetLifecycle } from './lab/fleet-lifecycle.js';
import { LabEvents, type AnyEvent } from './lab/lab-events.js';
import type { LabOptions } from './lab/lab-options.js';
import { Timeline } from './lab/timeline.js';
import { ToxiproxyFace } from './lab/toxiproxy-face.js';
import { TrafficSession } from './lab/traffic-session.js';

export type { LabOptions };

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
  /** The balancer and the fault proxies, reached only in messages; the lab reads its own copy of their state. */
  private readonly balancer: PlaneClient;
  private readonly incidents: IncidentTracker;
  private readonly metrics: MetricsRecorder;
  private readonly prometheus: LabMetrics;
  private readonly faults: FaultRegistry;
  private readonly traffic: TrafficSession;
  private readonly lifecycle: FleetLifecycle;
  private readonly toxiproxy: ToxiproxyFace;
  /** What the revert journal of an earlier, crashed engine needed undoing at this start. */
  journalRecovery: string[] = [];
  /** The lab's subscriptions to its own parts. */
  private readonly subscriptions = new DisposableStore();
  /** Everything `dispose()` takes down. */
  private readonly teardown = new DisposableStore();
  readonly reports: ReportStore;
  readonly drills: DrillService;
  /** Everything the lab emits, with keyframes: the last 30 minutes, and each drill run whole for its report. */
  readonly recording: LabRecording;
  /** Classroom mode's switch: the web host's layer provides the viewers' listener (`classroom.provide(control)`). */
  readonly classroom = new ClassroomSlot();

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
      beforeSpawn: (ports) => this.balancer.ensureLinks(ports),
      replicaPort: (id) => this.balancer.replicationPort(id),
    });
    this.balancer = new PlaneClient({ plane: options.dataPlane?.() ?? defaultDataPlane(), listener: router.balancerListener(), onRestarted: router.planeRestarted });
    this.faults = new FaultRegistry({ runDir, fleet: this.fleet, network: this.balancer.networkFaults(), http: this.balancer.httpFaults(), listener: router.faultListener() });
    this.incidents = new IncidentTracker({ onTimeline: (kind, nodeId, detail, at) => record(kind, detail, nodeId, at) });
    this.prometheus = createLabMetrics({ nodes: () => this.fleet.nodes(), faults: () => this.faults.list(), upstreams: () => this.balancer.upstreams() });
    this.traffic = new TrafficSession({
      runDir,
      balancerUrl: () => this.balancer.url,
      fleetStatus: () => this.fleet.status,
      primary: () => this.lifecycle.primaryNode(),
      topology: () => this.lifecycle.topology,
      disposed: () => this.teardown.disposed,
      record,
      events: this.events,
      incidents: this.incidents,
    });
    this.lifecycle = new FleetLifecycle({
      runDir, fleetSpec, topology, record, events: this.events, failoverListener: router.failoverListener(),
      fleet: this.fleet, balancer: this.balancer, links: this.balancer, faults: this.faults, traffic: this.traffic,
    });
    this.toxiproxy = new ToxiproxyFace({ links: this.balancer, faults: this.faults, host: () => this.host });
    this.metrics = new MetricsRecorder({ upstreams: () => this.balancer.upstreams(), acked: () => this.traffic.ledgerCounts().acked });
    const { events, incidents, faults, balancer, prometheus, lifecycle, traffic } = this;
    router.attach({ record, events, incidents, faults, balancer, prometheus, lifecycle, traffic });
    this.subscribe(router);
    this.reports = new ReportStore(resolve(options.reportsDir ?? defaultReportsDir()), options.printPdf);
    this.recording = new LabRecording({ snapshot: () => this.snapshot(), subscribe: (listener) => this.onEvent(listener), ...(options.recording ? { settings: options.recording } : {}) });
    this.drills = new DrillService({
      lab: this.drillLab(),
      reports: this.reports,
      capture: () => this.recording.capture(),
      onStep: (status) => this.events.emit('drill.step', structuredClone(status)),
      onVerdict: (status) => this.events.emit('drill.verdict', status),
    });
    this.host = new ContractHost(this.handlers(), (listener) => this.events.add((...event: AnyEvent) => listener(event[0], event[1])), { now });
    // The store runs the last added first: added in reverse, they are taken down in the order listed.
    for (const step of this.teardownOrder().reverse()) this.teardown.defer(() => slowStepWarned(step));
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
      lab.recording.start();
      lab.subscriptions.defer(lab.metrics.start());
      if (options.toxiproxy) await lab.serveToxiproxy(options.toxiproxy);
      if (options.autoStart ?? true) await lab.lifecycle.start();
      // The first `lab.state` shows the balancer routing to the fleet (its states come from the data plane's thread).
      await lab.balancer.settled();
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
      ...(this.toxiproxy.url ? { toxiproxyUrl: this.toxiproxy.url } : {}),
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
    return this.toxiproxy.url;
  }

  /** Serves Toxiproxy's HTTP API on 127.0.0.1 (once; port 0 = a free one); its toxics are the lab's faults. Resolves with its URL. */
  serveToxiproxy(options: { port?: number; token?: string } = {}): Promise<string> {
    return this.toxiproxy.serve(options);
  }

  /** Prometheus text exposition of the lab's metrics. */
  async metricsExposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.prometheus.contentType, body: await this.prometheus.exposition() };
  }

  /** Stops traffic, every node and every timer; safe to call more than once. */
  dispose(): Promise<void> {
    return this.teardown.dispose();
  }

  /** What dispose() takes down, in this order. */
  private teardownOrder(): Array<() => void | Promise<void>> {
    return [
      () => this.drills.dispose(), // a running drill first: it drives everything below
      () => this.recording.dispose(), // after the drill: its report holds its recording
      () => this.toxiproxy.dispose(),
      () => this.host.dispose(),
      () => this.faults.dispose(), // every fault reverted while its nodes and links still exist
      () => this.traffic.stop(),
      () => this.lifecycle.teardownFailover(),
      () => this.fleet.dispose(),
      () => this.subscriptions.dispose(),
      () => this.metrics.stop(),
      () => this.balancer.close(), // the data plane: the balancer, and the fault proxies in front of the nodes
      () => this.events.dispose(),
    ];
  }

  /** The lab's own subscriptions: outcomes into metrics, ticks and events out, incidents routed. */
  private subscribe(router: EventRouter): void {
    const { subscriptions, metrics, prometheus } = this;
    subscriptions.defer(
      this.balancer.onOutcome((outcome) => {
        metrics.observe(outcome);
        prometheus.observe(outcome);
        // Held through a failover, or a write told to come back: the incident of the lost node counts it.
        if (outcome.heldFor !== undefined) this.incidents.requestHeld(outcome);
      }),
    );
    subscriptions.defer(metrics.onTick((tick) => this.events.emit('metrics.tick', tick)));
    // The engine's copy of the balancer says when what `balancer.changed` carries moved.
    subscriptions.defer(this.balancer.onChange(() => this.events.emit('balancer.changed', this.balancerState())));
    subscriptions.defer(this.events.add((...event) => prometheus.event(...event)));
    subscriptions.defer(this.incidents.onChanged(router.incidentChanged));
  }

  /** The lab as a drill run drives it: through the contract, like any other client. */
  private drillLab(): DrillLab {
    return {
      call: (name, params) => this.host.request(name, params),
      onCommand: (listener) => this.host.onCommand(listener),
      onEvent: (listener) => this.onEvent(listener),
      reseed: (seed) => reseedLab(seed),
      trafficStats: () => this.traffic.stats(),
      note: (kind, detail) => this.timeline.record(kind, detail),
    };
  }

  private balancerState(): BalancerState {
    return this.balancer.state();
  }

  private handlers(): CommandHandlers {
    const fleet = { lifecycle: this.lifecycle, fleet: this.fleet, incidents: this.incidents, snapshot: () => this.snapshot(), settled: () => this.balancer.settled() };
    return {
      'lab.state': () => this.snapshot(),
      ...fleetCommands(fleet),
      ...nodeCommands(fleet),
      ...trafficCommands({ traffic: this.traffic, balancer: this.balancer, balancerState: () => this.balancerState(), record: this.timeline.record }),
      ...faultCommands({ faults: this.faults, toxiproxyApi: () => this.toxiproxy.api }),
      ...drillCommands(this.drills, this.reports),
      ...recordingCommands(this.recording, this.reports),
      ...classroomCommands(this.classroom),
    };
  }
}

/** A teardown step still running after this long is named in a warning (and again every as long). */
const SLOW_STEP_MS = 10_000;

/** Runs one teardown step; one that takes long says which it is, so a lab slow to stop can be told why. */
async function slowStepWarned(step: () => void | Promise<void>): Promise<void> {
  const started = performance.now();
  const timer = setInterval(() => process.emitWarning(`lab teardown: ${step.toString().slice(0, 80)} still running after ${Math.round(performance.now() - started)} ms`), SLOW_STEP_MS);
  timer.unref();
  try {
    await step();
  } finally {
    clearInterval(timer);
  }
}

export function defaultRunDir(): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return join(homedir(), '.firedrill', 'runs', `${stamp}-${process.pid}`);
}
