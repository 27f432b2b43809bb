import type { NodeSnapshot } from '../../../shared/contract/model.js';
import { runCommand } from '../engine/connection.js';
import { formatExit, formatRelative } from '../format.js';
import { selectNode } from '../store/actions.js';
import { useStore } from '../store/store.js';
import { StatusBadge } from './status-badge.js';

const canStart = (n: NodeSnapshot) => n.status === 'stopped' || n.status === 'exited' || n.status === 'crash-loop';
const canStop = (n: NodeSnapshot) => n.status === 'starting' || n.status === 'ready' || n.status === 'backoff';

export function NodeCard({ id }: { id: string }) {
  const node = useStore((s) => s.lab.nodes[id]);
  const pending = useStore((s) => s.lab.pending[id]);
  const selected = useStore((s) => s.logs.selectedNodeId === id);
  const originAt = useStore((s) => s.timeline.originAt);
  const open = useStore((s) => s.connection.status === 'open');
  if (!node) return null;
  const idle = open && pending === undefined;

  return (
    <article className={`node-card${selected ? ' selected' : ''}`} data-testid={`node-card-${id}`} data-status={node.status}>
      <header className="node-card-head">
        <h3 className="node-id">{id}</h3>
        <button
          type="button"
          className="quiet node-logs"
          data-testid={`node-logs-${id}`}
          aria-pressed={selected}
          title={`Show ${id}'s logs`}
          onClick={() => selectNode(id)}
        >
          logs
        </button>
        <StatusBadge status={node.status} testId={`node-status-${id}`} />
      </header>
      <dl className="node-facts">
        <dt>role</dt>
        <dd data-testid={`node-role-${id}`}>{node.role}</dd>
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
      <div className="node-actions">
        <button type="button" data-testid={`node-start-${id}`} disabled={!idle || !canStart(node)} onClick={() => void runCommand(id, 'node.start', { id })}>
          Start
        </button>
        <button type="button" data-testid={`node-stop-${id}`} disabled={!idle || !canStop(node)} onClick={() => void runCommand(id, 'node.stop', { id })}>
          Stop
        </button>
        <button
          type="button"
          data-testid={`node-restart-${id}`}
          disabled={!idle || node.status === 'stopping'}
          onClick={() => void runCommand(id, 'node.restart', { id })}
        >
          Restart
        </button>
      </div>
      {pending ? <p className="muted small" data-testid={`node-pending-${id}`}>{pending}…</p> : null}
    </article>
  );
}
