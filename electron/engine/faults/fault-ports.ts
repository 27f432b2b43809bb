// What the fault layer needs from the rest of the lab: small interfaces, so it can be tested
// with a real fleet and stub network/HTTP layers, and wired to the real ones by the lab.
import type { FaultLinks, FaultRecord, FaultType, NodeSnapshot } from '../../../shared/contract/model';
import type { FleetStatus } from '../fleet/fleet-supervisor';
import type { ToxicSpec } from './network/toxic-spec';

/** The slice of the fleet supervisor faults use. Commands name node ids, never PIDs. */
export interface FleetPort {
  /** Faults are injected only into a running fleet. */
  readonly status: FleetStatus;
  node(id: string): NodeSnapshot | undefined;
  stopNode(id: string, graceMs?: number): Promise<NodeSnapshot>;
  restartNode(id: string, graceMs?: number): Promise<NodeSnapshot>;
}

/**
 * A fault as the proxy or the balancer's hop applies it: Toxiproxy's toxic (named after the fault's id,
 * attributes with defaults filled in), and the links of the node it acts on (network faults).
 */
export interface FaultToxic extends ToxicSpec<FaultType, Record<string, unknown>> {
  links: FaultLinks;
}

/**
 * Network faults, applied by the fault proxy in front of each node (the lab implements it through its
 * data plane, which may answer later: a worker thread's proxies do).
 */
export interface NetworkFaultPort {
  /** Throws or rejects (a ContractError, ideally) if it cannot apply it; then nothing is applied. */
  apply(faultId: string, nodeId: string, toxic: FaultToxic): void | Promise<void>;
  /** Removes it; in-flight data passes on. Must be idempotent. */
  revert(faultId: string): void | Promise<void>;
}

/** HTTP faults, applied on the balancer's hop to a node (the lab implements it). */
export interface HttpFaultPort {
  /** Resolves once requests see it. */
  apply(faultId: string, nodeId: string, toxic: FaultToxic): void | Promise<void>;
  revert(faultId: string): void | Promise<void>;
}

export interface FaultListener {
  /** `fault.injected`, `fault.reverted` (detail.how), `fault.failed`, and per-fault steps (`fault.crash-loop.kill`, ...). */
  onTimeline(kind: string, nodeId: string, detail: Record<string, unknown>, at: number): void;
  onChanged(record: FaultRecord): void;
}
