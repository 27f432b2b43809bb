import { useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useStore } from '../../store/store.js';
import { Term } from '../concepts/term.js';
import { NodeCard } from '../node-card.js';
import { BalancerBox } from './balancer-box.js';
import { TopologyLinks } from './topology-links.js';
import { useAnchorBoxes } from './use-anchor-boxes.js';

/** The balancer above every node, linked; the links show traffic and which are cut. Click a node to act on it. */
export function TopologyView() {
  const nodeIds = useStore(useShallow((s) => s.lab.nodeIds));
  const loaded = useStore((s) => s.lab.loaded);
  const topology = useStore((s) => s.lab.topology);
  const stage = useRef<HTMLDivElement>(null);
  const boxes = useAnchorBoxes(stage, nodeIds.join(','));
  const many = nodeIds.length > 6;
  return (
    <section className="panel topology" aria-labelledby="topology-heading" data-testid="topology">
      <h2 id="topology-heading">
        Topology{' '}
        {topology ? (
          <Term id={topology.kind} testId="topology-kind">
            {topology.kind}
            {topology.kind === 'hot-standby' ? ` (${topology.replication})` : ''}
          </Term>
        ) : (
          <span className="muted">fleet file</span>
        )}
      </h2>
      <div className={`topology-stage${topology && topology.kind !== 'active-active' ? ' replicates' : ''}`} ref={stage}>
        <TopologyLinks boxes={boxes} />
        <BalancerBox />
        {nodeIds.length === 0 ? (
          <p className="muted" data-testid="nodes-empty">
            {loaded ? 'The fleet has no nodes.' : 'Loading the lab…'}
          </p>
        ) : (
          <div className={`topology-nodes${many ? ' compact' : ''}`} data-testid="node-grid">
            {nodeIds.map((id) => (
              <NodeCard key={id} id={id} />
            ))}
          </div>
        )}
      </div>
    </section>
  );
}
