import { useShallow } from 'zustand/react/shallow';
import type { ActWords } from '../../../../shared/drill/act-words.js';
import { injectFault, promoteNode } from '../../connection/lab-commands.js';
import { useStore } from '../../store/store.js';
import { NodeCard } from '../node-card.js';
import { BalancerSettings } from '../settings/balancer-settings.js';
import { TrafficSettings } from '../settings/traffic-settings.js';
import { useNodeCounts, useNodeView } from '../topology/node-views.js';
import './drill-lab.css';

/**
 * The running drill's lab, on the drill view: every node's card (both axes, its Start / Stop /
 * Restart, and its sheet for the rest), with Kill and, on a standby, Promote beside it — the same
 * contract commands as the Lab view, so a manual step is done here and seen by the drill. The node
 * the waiting step names is outlined.
 */
export function DrillLabCards({ act }: { act: ActWords | null }) {
  const nodeIds = useStore(useShallow((s) => s.lab.nodeIds));
  const counts = useNodeCounts();
  const target = act?.place === 'node' ? act.node : null;
  return (
    <section className="drill-lab" aria-labelledby="drill-lab-heading" data-testid="drill-lab">
      <h3 id="drill-lab-heading">
        The lab{' '}
        <span className="muted small" data-testid="drill-lab-serving">
          {counts.serving} of {counts.total} serving
        </span>
      </h3>
      <div className="drill-lab-nodes">
        {nodeIds.map((id) => (
          <DrillNode key={id} id={id} target={target === id} />
        ))}
      </div>
    </section>
  );
}

function DrillNode({ id, target }: { id: string; target: boolean }) {
  const node = useStore((s) => s.lab.nodes[id]);
  const pending = useStore((s) => s.lab.pending[id]);
  const open = useStore((s) => s.connection.status === 'open');
  const view = useNodeView(id);
  if (!node) return null;
  const idle = open && pending === undefined;
  return (
    <div className={`drill-node${target ? ' target' : ''}`} data-testid={`drill-node-${id}`} data-target={target}>
      {target ? <p className="drill-node-here">act here</p> : null}
      <NodeCard id={id} />
      <div className="drill-node-more">
        <button type="button" className="danger" data-testid={`drill-node-kill-${id}`} disabled={!idle || node.status !== 'ready'} title="SIGKILL, through the fault layer" onClick={() => void injectFault({ type: 'kill', target: id, attributes: { signal: 'SIGKILL' } })}>
          Kill
        </button>
        {node.role === 'standby' ? (
          <button type="button" data-testid={`drill-node-promote-${id}`} disabled={!idle || view?.process !== 'running'} title="A manual failover: this standby becomes the primary" onClick={() => void promoteNode(id)}>
            Promote
          </button>
        ) : null}
      </div>
    </div>
  );
}

/** The settings form the waiting step's act is done in, when it is a balancer or traffic change. */
export function DrillActSettings({ act }: { act: ActWords | null }) {
  if (act?.place === 'balancer') {
    return (
      <div className="drill-act-settings" data-testid="drill-act-settings" data-place="balancer">
        <BalancerSettings />
      </div>
    );
  }
  if (act?.place === 'traffic') {
    return (
      <div className="drill-act-settings" data-testid="drill-act-settings" data-place="traffic">
        <TrafficSettings />
      </div>
    );
  }
  return null;
}
