import { useShallow } from 'zustand/react/shallow';
import { injectFault, promoteNode, restartNode, revertFault, startNode, stopNode } from '../../connection/lab-commands.js';
import { selectNode } from '../../store/actions.js';
import { useStore } from '../../store/store.js';
import { openNodeActions, setView } from '../../store/ui-actions.js';
import { ActiveFaults } from '../faults/active-faults.js';
import { FaultForm } from '../faults/fault-form.js';
import { canStart, canStop } from '../node-card.js';
import { StatusBadge } from '../status-badge.js';

/** Everything one can do to one node: lifecycle, kill, pause, and any fault, aimed at it. */
export function NodeActionsSheet() {
  const id = useStore((s) => s.ui.actionsFor);
  const node = useStore((s) => (id ? s.lab.nodes[id] : undefined));
  const pending = useStore((s) => (id ? s.lab.pending[id] : undefined));
  const open = useStore((s) => s.connection.status === 'open');
  const pauses = useStore(useShallow((s) => s.faults.filter((f) => f.target === id && f.type === 'pause' && f.status === 'active').map((f) => f.id)));
  if (!id || !node) return null;
  const idle = open && pending === undefined;
  const close = () => openNodeActions(null);

  return (
    <div className="overlay overlay-side" role="presentation" onClick={close}>
      <aside className="sheet" role="dialog" aria-modal="true" aria-labelledby="actions-heading" data-testid="node-actions-sheet" data-node={id} onClick={(e) => e.stopPropagation()}>
        <header className="sheet-head">
          <h2 id="actions-heading">
            <span className="mono">{id}</span> <span className="muted">{node.role}</span>
          </h2>
          <StatusBadge id={id} testId="node-actions-status" />
          <button type="button" className="quiet" aria-label="Close" data-testid="node-actions-close" onClick={close}>
            ×
          </button>
        </header>
        <div className="sheet-actions">
          <button type="button" className="danger" data-testid="node-action-kill" disabled={!idle || node.status !== 'ready'} title="SIGKILL, through the fault layer: an incident with ground-truth timestamps" onClick={() => void injectFault({ type: 'kill', target: id, attributes: { signal: 'SIGKILL' }})}>
            Kill (SIGKILL)
          </button>
          {pauses.length > 0 ? (
            <button type="button" data-testid="node-action-resume" disabled={!open} onClick={() => pauses.forEach((faultId) => void revertFault(faultId))}>
              Resume (SIGCONT)
            </button>
          ) : (
            <button type="button" data-testid="node-action-pause" disabled={!idle || node.status !== 'ready'} onClick={() => void injectFault({ type: 'pause', target: id, attributes: {}})}>
              Pause (SIGSTOP)
            </button>
          )}
          {node.role === 'standby' ? (
            <button type="button" data-testid="node-action-promote" disabled={!idle || node.status !== 'ready'} title="A manual failover: this standby becomes the primary; the primary is fenced (SIGKILL) if it still runs" onClick={() => void promoteNode(id)}>
              Promote to primary
            </button>
          ) : null}
          <button type="button" data-testid="node-action-restart" disabled={!idle || node.status === 'stopping'} onClick={() => void restartNode(id)}>
            Restart
          </button>
          <button type="button" data-testid="node-action-stop" disabled={!idle || !canStop(node)} onClick={() => void stopNode(id)}>
            Stop
          </button>
          <button type="button" data-testid="node-action-start" disabled={!idle || !canStart(node)} onClick={() => void startNode(id)}>
            Start
          </button>
          <button
            type="button"
            className="quiet"
            data-testid="node-action-logs"
            onClick={() => {
              selectNode(id);
              setView('lab');
              close();
            }}
          >
            Show logs
          </button>
        </div>
        <h3>Active faults</h3>
        <ActiveFaults target={id} />
        <h3>Inject a fault on {id}</h3>
        <FaultForm target={id} testIdPrefix="node-fault" />
      </aside>
    </div>
  );
}
