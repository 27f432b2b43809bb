import { useShallow } from 'zustand/react/shallow';
import type { NodeSnapshot } from '../../../shared/contract/model.js';
import { restartNode, startNode, stopNode } from '../connection/lab-commands.js';
import { formatExit, formatNumber, formatRelative } from '../format.js';
import { selectNode } from '../store/actions.js';
import { isActive } from '../store/faults-slice.js';
import { useStore } from '../store/store.js';
import { openNodeActions } from '../store/ui-actions.js';
import { LiveNumber } from './charts/live-number.js';
import { FaultChip } from './faults/fault-chip.js';
import { StatusBadge } from './status-badge.js';
import { useNodeView } from './topology/node-views.js';
import { UpstreamBadge, UpstreamReason } from './topology/upstream-badge.js';

export const canStart = (n: NodeSnapshot) => n.status === 'stopped' || n.status === 'exited' || n.status === 'crash-loop';
export const canStop = (n: NodeSnapshot) => n.status === 'starting' || n.status === 'ready' || n.status === 'backoff';

/**
 * One node in the topology: what it is, its process and its place in the balancer (two things, from
 * shared/node-view), its faults; a click on it opens its actions.
 */
export function NodeCard({ id }: { id: string }) {
  const node = useStore((s) => s.lab.nodes[id]);
  const pending = useStore((s) => s.lab.pending[id]);
  const selected = useStore((s) => s.logs.selectedNodeId === id);
  const originAt = useStore((s) => s.timeline.originAt);
  const open = useStore((s) => s.connection.status === 'open');
  const faults = useStore(useShallow((s) => s.faults.filter((f) => f.target === id && isActive(f))));
  const view = useNodeView(id);
  if (!node || !view) return null;
  const idle = open && pending === undefined;

  return (
    <article
      className={`node-card${selected ? ' selected' : ''}${faults.length > 0 ? ' faulted' : ''}`}
      data-testid={`node-card-${id}`}
      data-status={node.status}
      data-process={view.process}
      data-place={view.place}
      data-serving={view.serving}
      data-role={node.role}
      data-anchor={`node:${id}`}
      onClick={(e) => {
        // Buttons inside the card do their own thing; anywhere else opens the node's actions.
        if (!(e.target as HTMLElement).closest('button')) openNodeActions(id);
      }}
    >
      <header className="node-card-head">
        <h3 className="node-id">{id}</h3>
        <span className={`role role-${node.role}`} data-testid={`node-role-${id}`} title={node.role}>
          {node.role}
        </span>
        <StatusBadge id={id} testId={`node-status-${id}`} />
      </header>
      <div className="node-live">
        <UpstreamBadge id={id} />
        <span className="node-rps">
          <LiveNumber testId={`node-rps-${id}`} read={(t) => t.perNode[id]?.requestsPerSec ?? 0} format={formatNumber} /> <span className="muted small">req/s</span>
        </span>
      </div>
      {/* In a compact grid this keeps its height whether a note is shown or not (styles.css): a kill
          or an ejection then changes this card, not the place of every card after it. */}
      <div className="node-notes">
        <UpstreamReason id={id} />
        {view.reason === null && !view.unnoticed ? (
          // Only in a compact grid, where the facts below are hidden: the band then says something.
          <p className="node-brief muted small" data-testid={`node-brief-${id}`}>
            pid {node.pid ?? '—'} · port {node.port} · {node.restarts} {node.restarts === 1 ? 'restart' : 'restarts'}
            {node.lastExit ? ` · last exit ${formatExit(node.lastExit)}` : ''}
          </p>
        ) : null}
        {view.unnoticed ? (
          <p className="node-unnoticed small" data-testid={`node-unnoticed-${id}`} title="Not answering: the balancer still routes to it and has not noticed yet.">
            Not answering: the balancer still routes to it and has not noticed yet.
          </p>
        ) : null}
      </div>
      <dl className="node-facts">
        <dt>pid</dt>
        <dd data-testid={`node-pid-${id}`}>{node.pid ?? '—'}</dd>
        <dt>port</dt>
        <dd data-testid={`node-port-${id}`}>{node.port}</dd>
        <dt>restarts</dt>
        <dd data-testid={`node-restarts-${id}`}>{node.restarts}</dd>
        <dt>last exit</dt>
        <dd data-testid={`node-exit-${id}`}>
          {formatExit(node.lastExit)}
          {node.lastExit ? <span className="muted"> {formatRelative(node.lastExit.at, originAt)}</span> : null}
        </dd>
      </dl>
      {faults.length > 0 ? (
        <div className="fault-chips" data-testid={`node-faults-${id}`}>
          {faults.map((f) => (
            <FaultChip key={f.id} fault={f} />
          ))}
        </div>
      ) : null}
      <div className="node-actions">
        <button type="button" data-testid={`node-start-${id}`} disabled={!idle || !canStart(node)} onClick={() => void startNode(id)}>
          Start
        </button>
        <button type="button" data-testid={`node-stop-${id}`} disabled={!idle || !canStop(node)} onClick={() => void stopNode(id)}>
          Stop
        </button>
        <button type="button" data-testid={`node-restart-${id}`} disabled={!idle || node.status === 'stopping'} onClick={() => void restartNode(id)}>
          Restart
        </button>
        <button type="button" className="quiet" data-testid={`node-logs-${id}`} aria-pressed={selected} title={`Show ${id}'s logs`} onClick={() => selectNode(id)}>
          logs
        </button>
        <button type="button" className="quiet" data-testid={`node-actions-${id}`} title={`Kill, pause or break ${id}`} onClick={() => openNodeActions(id)}>
          more…
        </button>
      </div>
      {pending ? <p className="muted small node-pending" data-testid={`node-pending-${id}`}>{pending}…</p> : null}
    </article>
  );
}
