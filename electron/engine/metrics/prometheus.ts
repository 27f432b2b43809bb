// Prometheus exposition of the lab's metrics, on a registry of its own (never prom-client's global one).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EventName, EventPayload } from '../../../shared/contract/commands';
import { NodeStatus, type FaultRecord, type NodeSnapshot, type UpstreamSnapshot } from '../../../shared/contract/model';
import { FailoverWindows, type FailoverRequestClass } from './failover-windows';
import type { RequestOutcome } from './request-outcome';

/** Request duration buckets, seconds: 0.1 ms … 10 s. */
export const DURATION_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** MTTD and MTTR buckets, seconds: 5 ms … 10 min. */
export const INCIDENT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

export type DetectionVia = 'exit' | 'passive' | 'active' | 'manual';

/** How a failover ended: a standby promoted, no promotion (the primary restarted in place), or a promotion that failed. */
export const FAILOVER_OUTCOMES = ['promoted', 'held', 'failed'] as const;

export interface LabMetricsOptions {
  /** Add prom-client's default process metrics (CPU, memory, event-loop lag, GC). Default true. */
  processMetrics?: boolean;
  /** Every node of the fleet, standbys included, read at each scrape. */
  nodes?: () => ReadonlyArray<Pick<NodeSnapshot, 'id' | 'role' | 'status' | 'restarts'>>;
  /** The lab's faults, read at each scrape (the active ones are exported). */
  faults?: () => ReadonlyArray<Pick<FaultRecord, 'type' | 'target' | 'status'>>;
  /** The balancer's upstreams, read at each scrape (`firedrill_node_up`): a node not listed has no series. */
  upstreams?: () => ReadonlyArray<Pick<UpstreamSnapshot, 'id' | 'state'>>;
}

/** One of the lab's events, as `Lab.onEvent` hands it over. */
export type LabEvent = { [K in EventName]: [K, EventPayload<K>] }[EventName];

export interface LabMetrics {
  readonly registry: Registry;
  /** Content-Type to serve `exposition()` with. */
  readonly contentType: string;
  observe(outcome: RequestOutcome): void;
  ejection(node: string, via: DetectionVia | string): void;
  /** The lab's event stream: failovers, incidents (MTTD, MTTR), faults injected, ledger checks, drill verdicts. */
  event(...event: LabEvent): void;
  exposition(): Promise<string>;
}

/** Node label for outcomes no node answered. */
const NO_NODE = 'none';

let processRegistry: Registry | undefined;

/** Default process metrics are collected once per process: their observers cannot be removed. */
function sharedProcessRegistry(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** A bounded `reason` label from an outcome's error text or status. */
export function errorReason(outcome: Pick<RequestOutcome, 'status' | 'error'>): string {
  const text = (outcome.error ?? '').toLowerCase();
  // The failover hold's own 503s: failover_deadline, failover_write_refused, failover_write_unknown.
  if (text.startsWith('failover-')) return text.replace(/-/g, '_');
  if (text.includes('timeout') || text.includes('timed out')) return 'timeout';
  if (text.includes('econnrefused') || text.includes('refused')) return 'refused';
  if (text.includes('econnreset') || text.includes('reset') || text.includes('socket') || text.includes('closed')) return 'reset';
  if (text.includes('budget')) return 'retry_budget';
  if (text.includes('no upstream') || text.includes('no-upstream') || text.includes('unavailable')) return 'no_upstream';
  if (outcome.status >= 500) return `status_${Math.floor(outcome.status / 100)}xx`;
  if (outcome.status >= 400) return `status_${outcome.status}`;
  return text === '' ? 'other' : 'error';
}

export function createLabMetrics(options: LabMetricsOptions = {}): LabMetrics {
  const registry = new Registry();
  const registers = [registry];
  // Registration order is exposition order: requests, the ledger, what each scrape reads, what events count.
  const requests = new RequestMetrics(registers);
  const ledger = ledgerGauges(registers);
  registerScrapedMetrics(options, registers);
  const events = new EventMetrics(registers, ledger);
  const exposed = options.processMetrics === false ? registry : Registry.merge([registry, sharedProcessRegistry()]);
  return {
    registry,
    contentType: registry.contentType,
    observe(outcome) {
      requests.observe(outcome);
      events.windows.outcome(outcome.startedAt, outcome.ok, outcome.tries, outcome.heldMs !== undefined);
    },
    ejection: (node, via) => requests.ejections.labels(node, via).inc(),
    event: (...event) => events.event(...event),
    exposition: () => exposed.metrics(),
  };
}

/** The balancer's requests: counts by node and status, errors by reason, retries, durations, ejections. */
class RequestMetrics {
  private readonly requests: Counter<'node' | 'code'>;
  private readonly errors: Counter<'node' | 'reason'>;
  private readonly retries: Counter;
  private readonly duration: Histogram<'node'>;
  readonly ejections: Counter<'node' | 'via'>;
  private readonly held: Counter<'result'>;
  private readonly refusedWrites: Counter;
  // Bound children per label pair: prom-client hashes labels on every call otherwise.
  private readonly requestChildren = new Map<string, Map<number, Counter.Internal>>();
  private readonly durationChildren = new Map<string, Histogram.Internal<'node'>>();

  constructor(registers: Registry[]) {
    this.requests = new Counter({ name: 'firedrill_requests_total', help: 'Requests proxied by the balancer, by answering node and HTTP status.', labelNames: ['node', 'code'] as const, registers });
    this.errors = new Counter({ name: 'firedrill_request_errors_total', help: 'Proxied requests that failed, by node and reason.', labelNames: ['node', 'reason'] as const, registers });
    this.retries = new Counter({ name: 'firedrill_retries_total', help: 'Retries made by the balancer (tries beyond the first).', registers });
    this.duration = new Histogram({ name: 'firedrill_request_duration_seconds', help: 'Time from request received to response sent by the balancer, by answering node.', labelNames: ['node'] as const, buckets: DURATION_BUCKETS, registers });
    this.ejections = new Counter({ name: 'firedrill_ejections_total', help: 'Nodes taken out of rotation, by how the fault was detected.', labelNames: ['node', 'via'] as const, registers });
    this.held = new Counter({
      name: 'firedrill_failover_held_requests_total',
      help: 'Idempotent requests the balancer held through a failover (standby topologies), by result: served, failed, expired (503 + Retry-After at the deadline).',
      labelNames: ['result'] as const,
      registers,
    });
    this.refusedWrites = new Counter({
      name: 'firedrill_failover_refused_writes_total',
      help: 'Non-idempotent writes the balancer answered 503 + Retry-After while the primary was lost (not sent, or not known to have landed).',
      registers,
    });
    this.retries.inc(0);
    for (const result of ['served', 'failed', 'expired'] as const) this.held.labels(result).inc(0);
    this.refusedWrites.inc(0);
  }

  observe(outcome: RequestOutcome): void {
    const node = outcome.nodeId ?? NO_NODE;
    let byCode = this.requestChildren.get(node);
    if (!byCode) this.requestChildren.set(node, (byCode = new Map()));
    let child = byCode.get(outcome.status);
    if (!child) byCode.set(outcome.status, (child = this.requests.labels(node, outcome.status > 0 ? String(outcome.status) : 'none')));
    child.inc();
    let timer = this.durationChildren.get(node);
    if (!timer) this.durationChildren.set(node, (timer = this.duration.labels(node)));
    timer.observe(outcome.durationMs / 1000);
    if (outcome.tries > 1) this.retries.inc(outcome.tries - 1);
    if (!outcome.ok) this.errors.labels(node, errorReason(outcome)).inc();
    if (outcome.heldMs !== undefined) this.held.labels(outcome.ok ? 'served' : outcome.error === 'failover-deadline' ? 'expired' : 'failed').inc();
    else if (outcome.error === 'failover-write-refused' || outcome.error === 'failover-write-unknown') this.refusedWrites.inc();
  }
}

/** What the last ledger check found (set by `ledger.checked`). */
interface LedgerGauges {
  lost: Gauge;
  stale: Gauge;
}

function ledgerGauges(registers: Registry[]): LedgerGauges {
  const lost = new Gauge({ name: 'firedrill_ledger_lost_writes', help: 'Acknowledged writes missing from the primary at the last ledger check.', registers });
  const stale = new Gauge({ name: 'firedrill_ledger_stale_writes', help: 'Keys holding an older value than the last acknowledged write at the last ledger check.', registers });
  lost.set(0);
  stale.set(0);
  return { lost, stale };
}

/** The four families read from the lab at each scrape (collect): nothing else touches them. */
function registerScrapedMetrics(options: LabMetricsOptions, registers: Registry[]): void {
  new Gauge({
    name: 'firedrill_node_up',
    help: '1 when the node is in rotation, else 0; the state label says which state it is in.',
    labelNames: ['node', 'state'] as const,
    registers,
    collect() {
      if (!options.upstreams) return;
      this.reset();
      for (const u of options.upstreams()) this.labels(u.id, u.state).set(u.state === 'in-rotation' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'firedrill_node_state',
    help: `Every node of the fleet, standbys included: 1 for its supervisor state, 0 for the others (${NodeStatus.options.join(', ')}).`,
    labelNames: ['node', 'role', 'state'] as const,
    registers,
    collect() {
      if (!options.nodes) return;
      this.reset();
      for (const n of options.nodes()) for (const state of NodeStatus.options) this.labels(n.id, n.role, state).set(n.status === state ? 1 : 0);
    },
  });
  new Counter({
    name: 'firedrill_node_restarts_total',
    help: 'Restarts of each node by its supervisor since the fleet started.',
    labelNames: ['node'] as const,
    registers,
    collect() {
      if (!options.nodes) return;
      this.reset();
      for (const n of options.nodes()) this.labels(n.id).inc(n.restarts);
    },
  });
  new Gauge({
    name: 'firedrill_faults_active',
    help: 'Faults in effect now, by fault type and target node.',
    labelNames: ['type', 'node'] as const,
    registers,
    collect() {
      if (!options.faults) return;
      this.reset();
      for (const f of options.faults()) if (f.status === 'active') this.labels(f.type, f.target).inc();
    },
  });
}

/** The families the lab's events feed: faults injected, failovers and the requests during them, MTTD/MTTR, drill verdicts, the ledger. */
class EventMetrics {
  private readonly faultsInjected: Counter<'type' | 'node'>;
  private readonly failovers: Counter<'outcome'>;
  private readonly promotedBehind: Counter;
  private readonly mttd: Histogram<'cause' | 'via'>;
  private readonly mttr: Histogram<'cause'>;
  private readonly drillRuns: Counter<'drill' | 'verdict'>;
  /** Sorts requests made during a failover into served, held and failed. */
  readonly windows: FailoverWindows;
  /** Incidents, faults and drill runs counted already (their events repeat): bounded, oldest forgotten first. */
  private readonly seen = new BoundedSet(4_096);

  constructor(
    registers: Registry[],
    private readonly ledger: LedgerGauges,
  ) {
    this.faultsInjected = new Counter({ name: 'firedrill_faults_injected_total', help: 'Faults injected, by fault type and target node (one that failed to apply is not counted).', labelNames: ['type', 'node'] as const, registers });
    this.failovers = new Counter({
      name: 'firedrill_failovers_total',
      help: 'Failovers by outcome: promoted (a standby took over), held (no promotion: the primary restarted in place), failed (the promotion failed).',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.promotedBehind = new Counter({
      name: 'firedrill_failovers_promoted_behind_total',
      help: 'Promotions of a standby that may lack writes the old primary acknowledged (a subset of outcome="promoted").',
      registers,
    });
    const failoverRequests = new Counter({
      name: 'firedrill_failover_requests_total',
      help: 'Requests that arrived while a failover was under way: served (first try), held (answered after retries), failed.',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.mttd = new Histogram({ name: 'firedrill_incident_detection_seconds', help: 'Time to detect (MTTD) of each incident: detected minus injected, by cause and how it was detected.', labelNames: ['cause', 'via'] as const, buckets: INCIDENT_BUCKETS, registers });
    this.mttr = new Histogram({ name: 'firedrill_incident_recovery_seconds', help: 'Time to recover (MTTR) of each incident: recovered (serving again) minus injected, by cause. The total: it includes any time the recovery waited on an operator or a drill step (a drill report splits it into detection, drill, operator and automatic).', labelNames: ['cause'] as const, buckets: INCIDENT_BUCKETS, registers });
    this.drillRuns = new Counter({ name: 'firedrill_drill_runs_total', help: 'Drill runs finished, by drill and verdict (pass, fail, aborted, error).', labelNames: ['drill', 'verdict'] as const, registers });
    for (const outcome of FAILOVER_OUTCOMES) this.failovers.labels(outcome).inc(0);
    this.promotedBehind.inc(0);
    for (const outcome of ['served', 'held', 'failed'] as const) failoverRequests.labels(outcome).inc(0);
    this.windows = new FailoverWindows((kind: FailoverRequestClass) => failoverRequests.labels(kind).inc());
  }

  event(...[name, payload]: LabEvent): void {
    const seen = this.seen;
    if (name === 'timeline.event') {
      this.windows.timeline(payload.kind, payload.nodeId, payload.detail, payload.at);
      if (payload.kind === 'failover.promoted') this.failovers.labels('promoted').inc();
      else if (payload.kind === 'failover.held') this.failovers.labels('held').inc();
      else if (payload.kind === 'failover.failed') this.failovers.labels('failed').inc();
      else if (payload.kind === 'failover.promoted-behind') this.promotedBehind.inc();
    } else if (name === 'incident.changed') {
      const cause = payload.cause.length <= 64 ? payload.cause : 'other';
      if (payload.mttdMs !== null && seen.add(`mttd:${payload.id}`)) this.mttd.labels(cause, payload.detectedVia ?? 'unknown').observe(payload.mttdMs / 1000);
      if (payload.mttrMs !== null && seen.add(`mttr:${payload.id}`)) this.mttr.labels(cause).observe(payload.mttrMs / 1000);
    } else if (name === 'fault.changed') {
      if (payload.status !== 'failed' && seen.add(`fault:${payload.id}`)) this.faultsInjected.labels(payload.type, payload.target).inc();
    } else if (name === 'ledger.checked') {
      this.ledger.lost.set(payload.lost);
      this.ledger.stale.set(payload.stale);
    } else if (name === 'drill.verdict') {
      if (payload.verdict !== null && seen.add(`drill:${payload.runId}`)) this.drillRuns.labels(payload.drillId, payload.verdict).inc();
    }
  }
}

/** A set that forgets its oldest entries past `cap`; `add` says whether the entry is new. */
class BoundedSet {
  private readonly entries = new Set<string>();
  constructor(private readonly cap: number) {}
  add(key: string): boolean {
    if (this.entries.has(key)) return false;
    this.entries.add(key);
    if (this.entries.size > this.cap) this.entries.delete(this.entries.values().next().value as string);
    return true;
  }
}
