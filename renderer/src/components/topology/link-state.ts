import type { FaultRecord } from '../../../../shared/contract/model.js';
import type { NodeView } from '../../../../shared/node-view.js';

/** How a link is drawn: traffic may flow, it is waiting, or it is cut (and why). */
export type LinkState = 'routed' | 'standby' | 'ejected' | 'down' | 'cut';

const partitions = (faults: readonly FaultRecord[], nodeId: string, link: 'balancer' | 'replication') =>
  faults.some((f) => f.status === 'active' && f.type === 'partition' && f.target === nodeId && (f.attributes.links === link || f.attributes.links === 'all' || f.attributes.links === undefined));

/**
 * The balancer → node link: cut by a partition, out when the balancer ejected the node or it is down;
 * down too while the balancer still routes to a process that cannot answer (frozen, dead: unnoticed).
 */
export function balancerLinkState(view: NodeView, faults: readonly FaultRecord[]): LinkState {
  if (partitions(faults, view.id, 'balancer')) return 'cut';
  if (view.place === 'ejected') return 'ejected';
  if (view.place === 'down' || view.unnoticed) return 'down';
  if (view.place === 'in-rotation') return 'routed';
  return view.process === 'running' ? 'standby' : 'down';
}

/** The primary → standby link: cut by a partition of either end's replication link; down when either process is not running. */
export function replicationLinkState(primary: NodeView, standby: NodeView, faults: readonly FaultRecord[]): LinkState {
  if (partitions(faults, standby.id, 'replication') || partitions(faults, primary.id, 'replication')) return 'cut';
  if (primary.process !== 'running' || standby.process !== 'running') return 'down';
  return 'routed';
}

export const LINK_WORDS: Record<LinkState, string> = {
  routed: 'in rotation',
  standby: 'not routed',
  ejected: 'ejected',
  down: 'down',
  cut: 'cut',
};
