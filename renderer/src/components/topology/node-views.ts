import { useShallow } from 'zustand/react/shallow';
import type { UpstreamSnapshot } from '../../../../shared/contract/model.js';
import { countNodes, nodeViewOf, type NodeCounts, type NodeView } from '../../../../shared/node-view.js';
import type { Store } from '../../store/store.js';
import { useStore } from '../../store/store.js';

// The renderer's way into shared/node-view: every card, badge, link and count reads a node from here.

type Sources = Pick<Store, 'lab' | 'faults'> & { balancer: Pick<Store['balancer'], 'state'> };

const upstreamOf = (s: Sources, id: string): UpstreamSnapshot | undefined => s.balancer.state?.upstreams.find((u) => u.id === id);

/** One node's two axes as the store has them now; null when the node is unknown. */
export function nodeViewIn(s: Sources, id: string): NodeView | null {
  const node = s.lab.nodes[id];
  return node ? nodeViewOf(node, upstreamOf(s, id), s.faults) : null;
}

/** Every node's view, in the fleet's order. */
export function nodeViewsIn(s: Sources): NodeView[] {
  return s.lab.nodeIds.map((id) => nodeViewIn(s, id)).filter((v): v is NodeView => v !== null);
}

/** A node's view; its fields are plain values, so a shallow compare re-renders only on a change. */
export function useNodeView(id: string): NodeView | null {
  return useStore(useShallow((s) => nodeViewIn(s, id)));
}

/** serving / standby / total, from the same views as the cards. */
export function useNodeCounts(): NodeCounts {
  return useStore(useShallow((s) => countNodes(nodeViewsIn(s))));
}
