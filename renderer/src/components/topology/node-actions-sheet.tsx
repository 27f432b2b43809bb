import { useLayoutEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { injectFault, promoteNode, restartNode, revertFault, startNode, stopNode } from '../../connection/lab-commands.js';
import { selectNode } from '../../store/actions.js';
import { useStore } from '../../store/store.js';
import { openNodeActions, setView } from '../../store/ui-actions.js';
import { ActiveFaults } from '../faults/active-faults.js';
import { FaultForm } from '../faults/fault-form.js';
import { canStart, canStop } from '../node-card.js';
import { StatusBadge } from '../status-badge.js';
import { useNodeView } from './node-views.js';

const REM = 18;
const MIN_WIDTH = 18 * REM;
const MAX_WIDTH = 38 * REM;

type Placement = { side: 'left' | 'right'; width: number };

/**
 * Where the sheet goes so that it never hides the node it concerns: on the side of the viewport away
 * from the node's card, as wide as the room beside the card allows (18–38 rem).
 */
export function placeSheet(card: { left: number; right: number } | null, viewportWidth: number): Placement {
  if (!card) return { side: 'right', width: Math.min(MAX_WIDTH, viewportWidth) };
  const roomLeft = card.left;
  const roomRight = viewportWidth - card.right;
  const side = roomRight >= roomLeft ? 'right' : 'left';
  const room = (side === 'right' ? roomRight : roomLeft) - 12;
  return { side, width: Math.round(Math.max(Math.min(MIN_WIDTH, viewportWidth), Math.min(MAX_WIDTH, room))) };
}

function usePlacement(id: string | null): Placement | null {
  const [placement, setPlacement] = useState<Placement | null>(null);
  useLayoutEffect(() => {
    if (!id) return;
    const measure = () => {
      const card = document.querySelector(`[data-anchor="node:${CSS.escape(id)}"]`);
      const rect = card?.getBoundingClientRect() ?? null;
      setPlacement(placeSheet(rect, window.innerWidth));
    };
    measure();
    window.addEventListener('resize', measure);
    return () => window.removeEventListener('resize', measure);
  }, [id]);
  return placement;
}

/**
 * Everything one can do to one node: lifecycle, kill, pause, and any fault, aimed at it. It stands
 * beside the node's card (never over it), and closes once a button's action is done, so the lab can
 * be watched reacting.
 */
export function NodeActionsSheet() {
  const id = useStore((s) => s.ui.actionsFor);
  const node = useStore((s) => (id ? s.lab.nodes[id] : undefined));
  const pending = useStore((s) => (id ? s.lab.pending[id] : undefined));
  const open = useStore((s) => s.connection.status === 'open');
  const pauses = useStore(useShallow((s) => s.faults.filter((f) => f.target === id && f.type === 'pause' && f.status === 'active').map((f) => f.id)));
  const view = useNodeView(id ?? '');
  const placement = usePlacement(id);
  if (!id || !node) return null;
  const idle = open && pending === undefined;
  const close = () => openNodeActions(null);
  /** Runs an action, then closes the sheet if it is still this node's (a failure leaves it open, with its toast). */
  const act = async (action: () => Promise<boolean | void>) => {
    const ok = await action();
    if (ok !== false && useStore.getState().ui.actionsFor === id) close();
  };
  const side = placement?.side ?? 'right';

  return (
    <div className={`overlay overlay-side overlay-${side} overlay-clear`} role="presentation" onClick={close}>
      <aside className="sheet" style={placement ? { width: placement.width } : undefined} data-side={side} role="dialog" aria-modal="true" aria-labelledby="actions-heading" data-testid="node-actions-sheet" data-node={id} onClick={(e) => e.stopPropagation()}>
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
          <button type="button" className="danger" data-testid="node-action-kill" disabled={!idle || node.status !== 'ready'} title="SIGKILL, through the fault layer: an incident with ground-truth timestamps" onClick={() => void act(() => injectFault({ type: 'kill', target: id, attributes: { signal: 'SIGKILL' } }))}>
            Kill (SIGKILL)
          </button>
          {pauses.length > 0 ? (
            <button type="button" data-testid="node-action-resume" disabled={!open} onClick={() => void act(async () => void (await Promise.all(pauses.map((faultId) => revertFault(faultId)))))}>
              Resume (SIGCONT)
            </button>
          ) : (
            <button type="button" data-testid="node-action-pause" disabled={!idle || node.status !== 'ready'} onClick={() => void act(() => injectFault({ type: 'pause', target: id, attributes: {} }))}>
              Pause (SIGSTOP)
            </button>
          )}
          {node.role === 'standby' ? (
            <button type="button" data-testid="node-action-promote" disabled={!idle || view?.process !== 'running'} title="A manual failover: this standby becomes the primary; the primary is fenced (SIGKILL) if it still runs" onClick={() => void act(() => promoteNode(id))}>
              Promote to primary
            </button>
          ) : null}
          <button type="button" data-testid="node-action-restart" disabled={!idle || node.status === 'stopping'} onClick={() => void act(() => restartNode(id))}>
            Restart
          </button>
          <button type="button" data-testid="node-action-stop" disabled={!idle || !canStop(node)} onClick={() => void act(() => stopNode(id))}>
            Stop
          </button>
          <button type="button" data-testid="node-action-start" disabled={!idle || !canStart(node)} onClick={() => void act(() => startNode(id))}>
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
