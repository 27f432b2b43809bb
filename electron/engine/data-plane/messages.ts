// The data plane's messages: what the engine sends in, what comes out. All plain data (no function,
// no class instance, no Map), so a worker thread can take them through postMessage unchanged.
import type { BalancerSettings, BalancerSettingsPatch, BalancerWorkers, TopologyKind, UpstreamSnapshot } from '../../../shared/contract/model';
import type { DetectionVia, HttpFault, RequestOutcome, UpstreamMirror, UpstreamTarget } from '../balancer/index';
import type { FaultToxic } from '../faults/fault-ports';
import type { LinkKind, LinkProxy } from '../node-links';

export type { DetectionVia, FaultToxic, HttpFault, LinkKind, LinkProxy, RequestOutcome, UpstreamMirror, UpstreamTarget };

/** In: fire and forget, applied in the order sent. */
export type PlaneIn =
  /** Changes only what the patch names (the engine merges its own copy with `mergeBalancerSettings`). */
  | { type: 'settings'; patch: BalancerSettingsPatch }
  /** The nodes in rotation, at the ports the balancer reaches them on (their fault proxies). */
  | { type: 'upstreams'; targets: UpstreamTarget[] }
  /** The supervisor saw the process die at `at` (monotonic ms). */
  | { type: 'node.exited'; nodeId: string; at: number }
  | { type: 'node.started'; nodeId: string }
  | { type: 'http-fault.set'; faultId: string; nodeId: string; fault: HttpFault }
  | { type: 'http-fault.cleared'; faultId: string }
  /** Takes a network fault off its links; in-flight data passes on. Unknown ids are ignored. */
  | { type: 'link-toxic.reverted'; faultId: string }
  /** The topology the upstreams serve: a standby one arms the failover hold (null, active-active: off). */
  | { type: 'failover.topology'; kind: TopologyKind | null }
  /** The failover controller lost the primary at `lossAt` (monotonic ms): idempotent requests wait for its successor. */
  | { type: 'failover.started'; nodeId: string; lossAt: number }
  /** That failover is over: its successor routed (`ok`), or it failed (held requests are answered 503 now). */
  | { type: 'failover.ended'; nodeId: string; ok: boolean }
  /** Another balancer worker ejected or readmitted a node (multi-plane.ts): follow it, report nothing. */
  | ({ type: 'upstream.mirror' } & UpstreamMirror);

/** The balancer's upstreams as the data plane last saw them. */
export interface UpstreamStates {
  at: number;
  upstreams: UpstreamSnapshot[];
  retryBudget: { used: number; allowed: number };
}

/** Out: one ordered stream. Pending outcomes are flushed before any other message, so order holds. */
export type PlaneOut =
  /** Request outcomes, batched (every `flushMs` or `maxBatch` outcomes, whichever comes first). */
  | { type: 'outcomes'; outcomes: RequestOutcome[] }
  /** After every change the data plane makes or is told of, and every `statesMs` while they move (in flight, averages). */
  | ({ type: 'upstreams' } & UpstreamStates)
  | { type: 'detected'; nodeId: string; via: DetectionVia; at: number; reason: string }
  | { type: 'ejected'; nodeId: string; via: DetectionVia; at: number; untilAt: number | null; strikes?: number }
  | { type: 'readmitted'; nodeId: string; at: number; via: 'active' | 'timer' | 'lab' }
  | { type: 'first-served'; nodeId: string; at: number }
  /** The fault proxies, after every change to them (the answer of `ensureLinks`, too). */
  | { type: 'links'; links: LinkProxy[] }
  /**
   * The data plane's thread died and a new one took its ports and its state (`downMs` from the death
   * to listening again); `downMs: null`: it died too often and the plane gave up (worker-plane.ts).
   */
  | { type: 'restarted'; at: number; reason: string; downMs: number | null; restarts: number }
  /** How many balancer workers serve the port, of how many asked, and why fewer (multi-plane.ts). */
  | ({ type: 'workers' } & BalancerWorkers);


export type PlaneInType = PlaneIn['type'];
export type PlaneOutType = PlaneOut['type'];

/** Settings the data plane starts with. */
export interface PlaneStart {
  settings?: BalancerSettings;
}
