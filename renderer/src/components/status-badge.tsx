import { PROCESS_WORDS, type ProcessState } from '../../../shared/node-view.js';
import { useStore } from '../store/store.js';
import { useNodeView } from './topology/node-views.js';

/** Colour families: ok, transitional, idle, failed. The word is always shown too. */
const tone: Record<ProcessState, 'ok' | 'warn' | 'idle' | 'bad' | 'frozen'> = {
  running: 'ok',
  frozen: 'frozen',
  starting: 'warn',
  restarting: 'warn',
  stopping: 'idle',
  stopped: 'idle',
  exited: 'bad',
  'crash-loop': 'bad',
};

/**
 * A node's process as it is (running, frozen, restarting, ...), never the supervisor's "ready": a
 * ready process may be frozen by a pause. `data-status` keeps the supervisor's word for tests and tools.
 */
export function StatusBadge({ id, testId }: { id: string; testId: string }) {
  const view = useNodeView(id);
  const status = useStore((s) => s.lab.nodes[id]?.status);
  if (!view || !status) return null;
  return (
    <span className={`status status-${tone[view.process]}`} data-testid={testId} data-status={status} data-process={view.process} title={`process: ${view.process === 'frozen' ? 'frozen by SIGSTOP (a pause fault)' : PROCESS_WORDS[view.process]} (supervisor: ${status})`}>
      {PROCESS_WORDS[view.process]}
    </span>
  );
}
