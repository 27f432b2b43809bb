import { useEffect } from 'react';
import { DrillDetail } from '../components/drills/drill-detail.js';
import { DrillLibrary } from '../components/drills/drill-library.js';
import { DrillRunView } from '../components/drills/drill-run-view.js';
import { VerdictBadge } from '../components/drills/verdict-badge.js';
import { loadDrills } from '../connection/lab-commands.js';
import { showDrillRun } from '../store/actions.js';
import { useStore } from '../store/store.js';

/**
 * Drills: the library grouped by concept and the chosen drill's plan; once one runs, drill mode
 * (narration, prompts, live checks, verdict). A run in progress always has the view.
 */
export function DrillsView() {
  const connected = useStore((s) => s.connection.status === 'open');
  const libraryState = useStore((s) => s.drill.library.status);
  const run = useStore((s) => (s.drill.showRun ? s.drill.run : null));
  useEffect(() => {
    if (connected) void loadDrills();
  }, [connected]);
  if (run) {
    return (
      <div className="view-stack" data-testid="drills-view" data-mode="run" data-state={libraryState}>
        <DrillRunView run={run} />
      </div>
    );
  }
  return (
    <div className="view-stack" data-testid="drills-view" data-mode="library" data-state={libraryState}>
      <LastRun />
      <div className="drills-layout">
        <DrillLibrary />
        <DrillDetail />
      </div>
    </div>
  );
}

/** The last run to finish (here, or found on connect), one click from its verdict. */
function LastRun() {
  const run = useStore((s) => s.drill.run);
  if (!run?.verdict) return null;
  return (
    <p className="panel drill-last-run" data-testid="drill-last-run" data-verdict={run.verdict}>
      <span>
        Last run: <strong>{run.title}</strong> <VerdictBadge verdict={run.verdict} /> <span className="muted small">{run.reason}</span>
      </span>
      <button type="button" className="quiet" data-testid="drill-last-run-show" onClick={showDrillRun}>
        Show it
      </button>
    </p>
  );
}
