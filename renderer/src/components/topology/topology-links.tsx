import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { NodeSnapshot } from '../../../../shared/contract/model.js';
import { useStore } from '../../store/store.js';
import { balancerLinkState, replicationLinkState } from './link-state.js';
import { nodeViewsIn } from './node-views.js';
import { MOVING_DASHES_MAX, TrafficLink } from './traffic-link.js';
import type { Box } from './use-anchor-boxes.js';

/** The SVG under the boxes: balancer → every node, and primary → standby where the topology replicates. */
export function TopologyLinks({ boxes }: { boxes: Record<string, Box> }) {
  const nodes = useStore(useShallow((s) => s.lab.nodeIds.map((id) => s.lab.nodes[id]).filter((n): n is NodeSnapshot => n !== undefined)));
  const lab = useStore((s) => s.lab);
  const balancerState = useStore((s) => s.balancer.state);
  const faults = useStore((s) => s.faults);
  const views = useMemo(() => nodeViewsIn({ lab, faults, balancer: { state: balancerState } }), [lab, faults, balancerState]);
  const topology = useStore((s) => s.lab.topology);
  const balancer = boxes.balancer;
  if (!balancer) return <svg className="topology-links" aria-hidden="true" />;

  const primary = nodes.find((n) => n.role === 'primary');
  const standby = nodes.find((n) => n.role === 'standby');
  const viewOf = (id: string) => views.find((v) => v.id === id);
  const primaryView = primary ? viewOf(primary.id) : undefined;
  const standbyView = standby ? viewOf(standby.id) : undefined;
  const replicates = topology !== null && topology.kind !== 'active-active' && primary && standby && primaryView && standbyView;
  const shipping = topology?.kind === 'hot-standby' ? `log shipping (${topology.replication})` : 'checkpoints shipped';

  return (
    <svg className="topology-links" aria-hidden="true" data-testid="topology-links">
      {nodes.map((node) => {
        const box = boxes[`node:${node.id}`];
        const view = viewOf(node.id);
        if (!box || !view) return null;
        return (
          <TrafficLink
            key={node.id}
            testId={`link-${node.id}`}
            shape="down"
            from={{ x: balancer.x + balancer.w / 2, y: balancer.y + balancer.h }}
            to={{ x: box.x + box.w / 2, y: box.y }}
            state={balancerLinkState(view, faults)}
            rpsOf={node.id}
            moving={nodes.length <= MOVING_DASHES_MAX}
          />
        );
      })}
      {replicates ? <ReplicationLink from={boxes[`node:${primary.id}`]} to={boxes[`node:${standby.id}`]} state={replicationLinkState(primaryView, standbyView, faults)} label={shipping} /> : null}
    </svg>
  );
}

/** Side by side: a loop under both cards; one above the other (a narrow view): a loop to their right. */
function ReplicationLink({ from, to, state, label }: { from: Box | undefined; to: Box | undefined; state: ReturnType<typeof replicationLinkState>; label: string }) {
  if (!from || !to) return null;
  const sideBySide = from.x + from.w <= to.x || to.x + to.w <= from.x;
  if (!sideBySide) {
    return (
      <TrafficLink
        testId="link-replication"
        shape="beside"
        from={{ x: from.x + from.w, y: from.y + from.h / 2 }}
        to={{ x: to.x + to.w, y: to.y + to.h / 2 }}
        state={state}
        label={from.y < to.y ? `${label} ↓` : `${label} ↑`}
      />
    );
  }
  const rightwards = from.x < to.x;
  return (
    <TrafficLink
      testId="link-replication"
      shape="under"
      from={{ x: from.x + from.w / 2, y: from.y + from.h }}
      to={{ x: to.x + to.w / 2, y: to.y + to.h }}
      state={state}
      label={rightwards ? `${label} →` : `← ${label}`}
    />
  );
}
