import type { FaultRecord, NodeSnapshot, UpstreamState } from '../../../../shared/contract/model.js';

/** How a link is drawn: traffic may flow, it is waiting, or it is cut (and why). */
export type LinkState = 'routed' | 'standby' | 'ejected' | 'down' | 'cut';

const partitions = (faults: FaultRecord[], nodeId: string, link: 'balancer' | 'replication') =>
  faults.some((f) => f.status === 'active' && f.type === 'partition' && f.target === nodeId && (f.attributes.links === link || f.attributes.links === 'all' || f.attributes.links === undefined));

/** The balancer → node link: cut by a partition, out when the balancer ejected the node or it is down. */
export function balancerLinkState(node: NodeSnapshot, upstream: UpstreamState | null | undefined, faults: FaultRecord[]): LinkState {
  if (partitions(faults, node.id, 'balancer')) return 'cut';
  if (upstream === 'ejected') return 'ejected';
  if (upstream === 'down' || (upstream === 'in-rotation' && node.status !== 'ready')) return 'down';
  if (upstream === 'in-rotation') return 'routed';
  return node.status === 'ready' ? 'standby' : 'down';
}

/** The primary → standby link: cut by a partition of either end's replication link; down when either is. */
export function replicationLinkState(primary: NodeSnapshot, standby: NodeSnapshot, faults: FaultRecord[]): LinkState {
  if (partitions(faults, standby.id, 'replication') || partitions(faults, primary.id, 'replication')) return 'cut';
  if (primary.status !== 'ready' || standby.status !== 'ready') return 'down';
  return 'routed';
}

export const LINK_WORDS: Record<LinkState, string> = {
  routed: 'in rotation',
  standby: 'not routed',
  ejected: 'ejected',
  down: 'down',
  cut: 'cut',
};
