// What crosses the thread boundary between WorkerDataPlane (the engine's thread) and worker-main.ts
// (the data plane's thread). Plain data only: postMessage copies it with structuredClone.
import type { BalancerSettings } from '../../../shared/contract/model';
import type { BalancerRole } from '../balancer/index';
import type { ContractErrorBody } from '../../../shared/contract/errors';
import type { NodePort } from './data-plane';
import type { FaultToxic, LinkProxy, PlaneIn, PlaneOut } from './messages';

/** The proxies' own ports of a node, for a restarted thread to take them again. */
export interface FixedLinkPorts {
  balancer: number;
  replication: number;
}

/** What the thread starts with (`workerData`). */
export interface WorkerStart {
  settings: BalancerSettings;
  flushMs?: number;
  maxBatch?: number;
  statesMs?: number;
  /** The engine's `now()` minus `process.hrtime` (ms) when it made the thread: the thread's clock keeps to it. */
  clockBase: number;
  /** One of several balancer workers (multi-plane.ts): the lead (default) or a follower. */
  role?: BalancerRole;
}

/** The calls whose answer the engine waits for. */
export type WorkerCall =
  | { name: 'listen'; port: number; reusePort?: boolean }
  | { name: 'ensureLinks'; nodes: NodePort[]; fixed?: Record<string, FixedLinkPorts> }
  | { name: 'applyLinkToxic'; faultId: string; nodeId: string; toxic: FaultToxic }
  | { name: 'settled' }
  /** `drainMs`: stop taking connections and give those in flight up to that long first (a worker retired while others go on). */
  | { name: 'close'; drainMs?: number };

export type ToWorker = { kind: 'in'; message: PlaneIn } | { kind: 'call'; id: number; call: WorkerCall };

export type FromWorker =
  | { kind: 'out'; message: PlaneOut }
  | { kind: 'answer'; id: number; value: number | LinkProxy[] | null }
  /** A ContractError keeps its body (code, message, field) across; anything else its message and its system code (`EADDRINUSE`). */
  | { kind: 'failed'; id: number; contract: ContractErrorBody | null; message: string; code: string | null }
  /** The thread has its plane and listens to messages. */
  | { kind: 'ready' };
