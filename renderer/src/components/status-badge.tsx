import type { NodeStatus } from '../../../shared/contract/model.js';

/** Colour families: ok, transitional, idle, failed. The word is always shown too. */
const tone: Record<NodeStatus, 'ok' | 'warn' | 'idle' | 'bad'> = {
  ready: 'ok',
  starting: 'warn',
  backoff: 'warn',
  stopping: 'idle',
  stopped: 'idle',
  exited: 'bad',
  'crash-loop': 'bad',
};

export function StatusBadge({ status, testId }: { status: NodeStatus; testId: string }) {
  return (
    <span className={`status status-${tone[status]}`} data-testid={testId} data-status={status}>
      {status}
    </span>
  );
}
