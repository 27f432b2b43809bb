import { completeAction, continueDrill } from '../../connection/lab-commands.js';
import { useStore } from '../../store/store.js';
import { setView } from '../../store/ui-actions.js';
import { firstLine } from './drill-text.js';

/**
 * Shown on every view but Drills while the drill waits on the operator: a manual action is often
 * done from the Lab view (Start on a node's card), and the drill must not sit there unnoticed.
 */
export function DrillWaitingBar() {
  const wait = useStore((s) => s.drill.run?.waitingFor ?? null);
  const title = useStore((s) => s.drill.run?.title ?? '');
  const onDrills = useStore((s) => s.ui.view === 'drills');
  const busy = useStore((s) => s.drill.busy !== null);
  if (!wait || onDrills) return null;
  return (
    <div className="drill-waiting-bar" role="status" data-testid="drill-waiting-bar" data-kind={wait.kind}>
      <span>
        <strong>{title}</strong> waits for you: {firstLine(wait.text, 120)}
      </span>
      <div className="button-row">
        {wait.kind === 'action' ? (
          <>
            <button type="button" className="primary" data-testid="drill-waiting-done" disabled={busy} onClick={() => void completeAction(false)}>
              Done <kbd>A</kbd>
            </button>
            {wait.canPerform ? (
              <button type="button" data-testid="drill-waiting-perform" disabled={busy} onClick={() => void completeAction(true)}>
                Do it for me <kbd>P</kbd>
              </button>
            ) : null}
          </>
        ) : null}
        {wait.kind === 'continue' ? (
          <button type="button" className="primary" data-testid="drill-waiting-continue" disabled={busy} onClick={() => void continueDrill()}>
            Continue <kbd>N</kbd>
          </button>
        ) : null}
        <button type="button" data-testid="drill-waiting-go" onClick={() => setView('drills')}>
          {wait.kind === 'predict' ? 'Answer it' : 'Back to the drill'}
        </button>
      </div>
    </div>
  );
}
