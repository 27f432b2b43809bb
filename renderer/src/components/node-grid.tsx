import { useShallow } from 'zustand/react/shallow';
import { useStore } from '../store/store.js';
import { NodeCard } from './node-card.js';

export function NodeGrid() {
  const nodeIds = useStore(useShallow((s) => s.lab.nodeIds));
  const loaded = useStore((s) => s.lab.loaded);
  return (
    <section className="panel" aria-labelledby="nodes-heading">
      <h2 id="nodes-heading">Nodes</h2>
      {nodeIds.length === 0 ? (
        <p className="muted" data-testid="nodes-empty">
          {loaded ? 'The fleet has no nodes.' : 'Loading the lab…'}
        </p>
      ) : (
        <div className="node-grid" data-testid="node-grid">
          {nodeIds.map((id) => (
            <NodeCard key={id} id={id} />
          ))}
        </div>
      )}
    </section>
  );
}
