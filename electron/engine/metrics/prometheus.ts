// Prometheus exposition of the lab's metrics, on a registry of its own (never prom-client's global one).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { LedgerCounts, UpstreamState } from '../../../shared/contract/model';
import type { RequestOutcome } from './request-outcome';

/** Request duration buckets, seconds: 0.1 ms … 10 s. */
export const DURATION_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export type DetectionVia = 'exit' | 'passive' | 'active' | 'manual';

export interface LabMetricsOptions {
  /** Add prom-client's default process metrics (CPU, memory, event-loop lag, GC). Default true. */
  processMetrics?: boolean;
}

export interface LabMetrics {
  readonly registry: Registry;
  /** Content-Type to serve `exposition()` with. */
  readonly contentType: string;
  observe(outcome: RequestOutcome): void;
  ejection(node: string, via: DetectionVia | string): void;
  /** The balancer's upstreams; nodes missing from the list are dropped from `firedrill_node_up`. */
  setNodeStates(list: ReadonlyArray<{ id: string; state: UpstreamState }>): void;
  setLedger(counts: Pick<LedgerCounts, 'lost' | 'stale'>): void;
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

  const requests = new Counter({ name: 'firedrill_requests_total', help: 'Requests proxied by the balancer, by answering node and HTTP status.', labelNames: ['node', 'code'] as const, registers });
  const errors = new Counter({ name: 'firedrill_request_errors_total', help: 'Proxied requests that failed, by node and reason.', labelNames: ['node', 'reason'] as const, registers });
  const retries = new Counter({ name: 'firedrill_retries_total', help: 'Retries made by the balancer (tries beyond the first).', registers });
  const duration = new Histogram({ name: 'firedrill_request_duration_seconds', help: 'Time from request received to response sent by the balancer, by answering node.', labelNames: ['node'] as const, buckets: DURATION_BUCKETS, registers });
  const nodeUp = new Gauge({ name: 'firedrill_node_up', help: '1 when the node is in rotation, else 0; the state label says which state it is in.', labelNames: ['node', 'state'] as const, registers });
  const ejections = new Counter({ name: 'firedrill_ejections_total', help: 'Nodes taken out of rotation, by how the fault was detected.', labelNames: ['node', 'via'] as const, registers });
  const lost = new Gauge({ name: 'firedrill_ledger_lost_writes', help: 'Acknowledged writes missing from the primary at the last ledger check.', registers });
  const stale = new Gauge({ name: 'firedrill_ledger_stale_writes', help: 'Keys holding an older value than the last acknowledged write at the last ledger check.', registers });
  retries.inc(0);
  lost.set(0);
  stale.set(0);

  // Bound children per label pair: prom-client hashes labels on every call otherwise.
  const requestChildren = new Map<string, Map<number, Counter.Internal>>();
  const durationChildren = new Map<string, Histogram.Internal<'node'>>();
  const nodeStates = new Map<string, UpstreamState>();

  const exposed = options.processMetrics === false ? registry : Registry.merge([registry, sharedProcessRegistry()]);

  return {
    registry,
    contentType: registry.contentType,
    observe(outcome) {
      const node = outcome.nodeId ?? NO_NODE;
      let byCode = requestChildren.get(node);
      if (!byCode) requestChildren.set(node, (byCode = new Map()));
      let child = byCode.get(outcome.status);
      if (!child) byCode.set(outcome.status, (child = requests.labels(node, outcome.status > 0 ? String(outcome.status) : 'none')));
      child.inc();
      let timer = durationChildren.get(node);
      if (!timer) durationChildren.set(node, (timer = duration.labels(node)));
      timer.observe(outcome.durationMs / 1000);
      if (outcome.tries > 1) retries.inc(outcome.tries - 1);
      if (!outcome.ok) errors.labels(node, errorReason(outcome)).inc();
    },
    ejection(node, via) {
      ejections.labels(node, via).inc();
    },
    setNodeStates(list) {
      const seen = new Set<string>();
      for (const { id, state } of list) {
        seen.add(id);
        const previous = nodeStates.get(id);
        if (previous !== undefined && previous !== state) nodeUp.remove(id, previous);
        nodeStates.set(id, state);
        nodeUp.labels(id, state).set(state === 'in-rotation' ? 1 : 0);
      }
      for (const [id, state] of nodeStates) {
        if (seen.has(id)) continue;
        nodeUp.remove(id, state);
        nodeStates.delete(id);
      }
    },
    setLedger(counts) {
      lost.set(counts.lost);
      stale.set(counts.stale);
    },
    exposition() {
      return exposed.metrics();
    },
  };
}
