// The shape every fault file implements: a plan (checks that may refuse, changing nothing),
// then an apply that does the damage and says exactly what it did and how to take it back.
import type { FaultAttributes, FaultRecord, FaultType, NodeSnapshot } from '../../../shared/contract/model';
import type { z } from 'zod';
import type { FleetPort, HttpFaultPort, NetworkFaultPort, FaultToxic } from './fault-ports';

export type AttributesOf<T extends FaultType> = z.infer<(typeof FaultAttributes)[T]>;

/** What a fault file gets to plan and apply one fault. */
export interface FaultContext<T extends FaultType = FaultType> {
  readonly type: T;
  /** The target as the supervisor saw it when the fault was asked for. */
  readonly node: NodeSnapshot;
  /** Parsed, with every default filled in. */
  readonly attributes: AttributesOf<T>;
  /** The fault as a toxic (network and HTTP faults); without a name given, it is named after the fault's id. */
  readonly spec: Omit<FaultToxic, 'name'> & { name?: string };
  /** The faults active on the same node now. */
  readonly activeOnTarget: readonly FaultRecord[];
  readonly runDir: string;
  readonly random: () => number;
  readonly platform: NodeJS.Platform;
  readonly fleet: FleetPort;
  readonly network: NetworkFaultPort;
  readonly http: HttpFaultPort;
}

/** Handed to `apply`: the fault's id and a way to report what happens after it was applied. */
export interface FaultHandle {
  readonly id: string;
  /** A step on the timeline (`fault.<what>`), for the fault's target node. */
  timeline(kind: string, detail: Record<string, unknown>, at?: number): void;
  /** Merges into the record's `effect` and tells the listener. */
  updateEffect(patch: Record<string, unknown>): void;
  /** A one-shot fault whose follow-up failed (e.g. a restart that did not come back). */
  failed(message: string): void;
}

export interface AppliedFault {
  /** What exactly was done: the pid and signal, the file and bytes touched, ... */
  effect: Record<string, unknown>;
  /** One-shot (kill, restart, file damage): status `applied-once`, and revert is a no-op. */
  once?: boolean;
  /** Takes the fault back; returns what to merge into `effect`. Called at most once. Must not throw for a target that is simply gone. */
  revert?(): Record<string, unknown> | void | Promise<Record<string, unknown> | void>;
  /** The target node spawned a new process (crash-loop). */
  onNodeStarting?(pid: number): void;
  /** Clears timers a one-shot fault still holds (a SIGTERM kill waiting to escalate). */
  dispose?(): void;
}

export interface FaultPlan {
  /** Written (fsync'd) to the revert journal before `apply`; null when there is nothing to undo. */
  journal: Record<string, unknown> | null;
  apply(handle: FaultHandle): AppliedFault | Promise<AppliedFault>;
}

export interface FaultUnit<T extends FaultType = FaultType> {
  readonly type: T;
  /** Checks and prepares; throws a ContractError to refuse, and then nothing has changed. */
  plan(context: FaultContext<T>): FaultPlan | Promise<FaultPlan>;
}
