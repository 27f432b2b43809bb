// A node seen on two axes, derived in one place for every face of the lab (the live UI, a replay,
// a report's player): what its process is doing, and where the balancer has it. Every count the lab
// shows ("2/3 serving", the Concepts text) is made from these, never from the supervisor's `ready`.
import type { FaultRecord, NodeSnapshot, UpstreamSnapshot } from './contract/model.js';

/**
 * The process: `running` (ready and answering), `frozen` (SIGSTOPped by a pause fault: alive, answers
 * nothing), `starting` (first start), `restarting` (died; being started again, or waiting to be),
 * `stopping`, `stopped` (never started, or stopped by the lab), `exited` (died, not restarted),
 * `crash-loop` (died too often; the supervisor gave up).
 */
export type ProcessState = 'running' | 'frozen' | 'starting' | 'restarting' | 'stopping' | 'stopped' | 'exited' | 'crash-loop';

/**
 * Its place in the balancer: `in-rotation` (routed to), `ejected` (taken out by a detection, with its
 * reason), `down` (taken out because its process exited), `standby` (a standby the balancer does not
 * route to), `not-routed` (any other node the balancer does not know, e.g. one being restarted).
 */
export type BalancerPlace = 'in-rotation' | 'ejected' | 'down' | 'standby' | 'not-routed';

export type NodeView = {
  id: string;
  process: ProcessState;
  place: BalancerPlace;
  /** Why the balancer took it out (ejected or down), in the balancer's words; else null. */
  reason: string | null;
  /** How it was detected: `exit`, `passive` (errors on live traffic), `active` (health probes). */
  via: 'exit' | 'passive' | 'active' | null;
  /**
   * Running and in rotation: the node answers what the balancer sends it. A frozen or dead node the
   * balancer has not taken out yet is NOT serving: requests sent to it fail or hang (that is `unnoticed`).
   */
  serving: boolean;
  /** In rotation, but its process cannot answer: the balancer has not noticed yet. */
  unnoticed: boolean;
  /** A standby whose process runs: ready to take over, counted as standby, not as serving. */
  readyStandby: boolean;
};

/** The pause fault holding this node's current process, if one is active. */
export function activePause(node: Pick<NodeSnapshot, 'id' | 'pid'>, faults: readonly FaultRecord[]): FaultRecord | undefined {
  return faults.find((f) => {
    if (f.type !== 'pause' || f.status !== 'active' || f.target !== node.id) return false;
    // A pause holds one process: once that process is gone (restarted), the new one is not frozen.
    const pid = f.effect.pid;
    return typeof pid !== 'number' || node.pid === null || pid === node.pid;
  });
}

/** The process axis, from the supervisor's status and the active pause faults (the snapshot cannot tell a SIGSTOP). */
export function processStateOf(node: NodeSnapshot, faults: readonly FaultRecord[]): ProcessState {
  const alive = node.status === 'ready' || node.status === 'starting';
  if (alive && activePause(node, faults)) return 'frozen';
  switch (node.status) {
    case 'ready':
      return 'running';
    case 'starting':
      return node.lastExit !== null || node.restarts > 0 ? 'restarting' : 'starting';
    case 'backoff':
      return 'restarting';
    default:
      return node.status;
  }
}

/** The balancer axis, from the node's upstream snapshot (absent: the balancer does not route to it). */
export function balancerPlaceOf(node: Pick<NodeSnapshot, 'role'>, upstream: Pick<UpstreamSnapshot, 'state'> | null | undefined): BalancerPlace {
  if (!upstream) return node.role === 'standby' ? 'standby' : 'not-routed';
  return upstream.state;
}

/** Both axes of one node, and what follows from them. */
export function nodeViewOf(node: NodeSnapshot, upstream: UpstreamSnapshot | null | undefined, faults: readonly FaultRecord[]): NodeView {
  const process = processStateOf(node, faults);
  const place = balancerPlaceOf(node, upstream);
  const out = place === 'ejected' || place === 'down';
  const detection = out ? (upstream?.lastDetection ?? null) : null;
  return {
    id: node.id,
    process,
    place,
    reason: detection?.reason ?? null,
    via: detection?.via ?? null,
    serving: process === 'running' && place === 'in-rotation',
    unnoticed: place === 'in-rotation' && process !== 'running',
    readyStandby: process === 'running' && place === 'standby',
  };
}

/** Every node's view, in the fleet's order; `upstreams` as the balancer's snapshot lists them. */
export function nodeViewsOf(nodes: readonly NodeSnapshot[], upstreams: readonly UpstreamSnapshot[], faults: readonly FaultRecord[]): NodeView[] {
  const byId = new Map(upstreams.map((u) => [u.id, u]));
  return nodes.map((n) => nodeViewOf(n, byId.get(n.id), faults));
}

export type NodeCounts = {
  total: number;
  /** Running and in rotation. */
  serving: number;
  /** Standbys ready to take over (not serving). */
  standby: number;
  /** Frozen, dead, restarting or stopped: neither serving nor ready to. */
  unavailable: number;
};

/** The counts the header and the Concepts panel show: all from the same views. */
export function countNodes(views: readonly NodeView[]): NodeCounts {
  const serving = views.filter((v) => v.serving).length;
  const standby = views.filter((v) => v.readyStandby).length;
  return { total: views.length, serving, standby, unavailable: views.length - serving - standby };
}

export const PROCESS_WORDS: Record<ProcessState, string> = {
  running: 'running',
  frozen: 'frozen',
  starting: 'starting',
  restarting: 'restarting',
  stopping: 'stopping',
  stopped: 'stopped',
  exited: 'exited',
  'crash-loop': 'crash loop',
};

export const PLACE_WORDS: Record<BalancerPlace, string> = {
  'in-rotation': 'in rotation',
  ejected: 'ejected',
  down: 'down',
  standby: 'standby',
  'not-routed': 'not routed',
};

/** The place in words, with the reason when the balancer took the node out: "ejected: 2 probes failed (active)". */
export function placeText(view: Pick<NodeView, 'place' | 'reason' | 'via'>): string {
  const word = PLACE_WORDS[view.place];
  if (view.reason === null) return word;
  return `${word}: ${view.reason}${view.via ? ` (${view.via})` : ''}`;
}

/** "2/3 serving", and the ready standbys apart: "1/2 serving · 1 standby". */
export function countsText(counts: NodeCounts): string {
  return `${counts.serving}/${counts.total} serving${counts.standby > 0 ? ` · ${counts.standby} standby` : ''}`;
}
