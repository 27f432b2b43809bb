import type { ComponentType } from 'react';
import { ClassroomBar } from './components/classroom/classroom-bar.js';
import { PresenterView } from './components/classroom/presenter-view.js';
import { ViewerBanner } from './components/classroom/viewer-banner.js';
import { ConceptsPanel } from './components/concepts/concepts-panel.js';
import { ConceptsSlideOut, useConceptsBeside } from './components/concepts/concepts-slide-out.js';
import { ConnectionBanner } from './components/connection-banner.js';
import { DrillWaitingBar } from './components/drills/drill-waiting-bar.js';
import { LabHeader } from './components/lab-header.js';
import { ReplayBanner } from './components/replay/replay-banner.js';
import { NodeActionsSheet } from './components/topology/node-actions-sheet.js';
import { HelpOverlay } from './components/shell/help-overlay.js';
import { ToastStack } from './components/toast-stack.js';
import { useStore } from './store/store.js';
import type { ViewId } from './store/ui-slice.js';
import { ChartsView } from './views/charts-view.js';
import { DrillsView } from './views/drills-view.js';
import { FaultsView } from './views/faults-view.js';
import { IncidentsView } from './views/incidents-view.js';
import { LabView } from './views/lab-view.js';
import { ReportsView } from './views/reports-view.js';
import { SettingsView } from './views/settings-view.js';

const views: Record<ViewId, ComponentType> = {
  lab: LabView,
  charts: ChartsView,
  incidents: IncidentsView,
  faults: FaultsView,
  settings: SettingsView,
  drills: DrillsView,
  reports: ReportsView,
};

export function App() {
  const view = useStore((s) => s.ui.view);
  // Beside the view from 1200 px; narrower, Concepts slides out over it (ConceptsSlideOut).
  const conceptsOpen = useConceptsBeside();
  // The last state received, shown while the engine is unreachable: greyed, never passed off as live.
  const stale = useStore((s) => s.lab.loaded && s.connection.status !== 'open');
  const View = views[view];
  return (
    <div className={`app${stale ? ' disconnected' : ''}`} data-testid="app" data-stale={stale}>
      <ConnectionBanner />
      <ViewerBanner />
      <ReplayBanner />
      <LabHeader />
      <DrillWaitingBar />
      <ClassroomBar />
      <div className={`workspace${conceptsOpen ? ' with-concepts' : ''}`}>
        <main className="view" data-testid={`view-${view}`} id="view" aria-labelledby={`nav-${view}`}>
          <View />
        </main>
        {conceptsOpen ? <ConceptsPanel /> : null}
      </div>
      <ConceptsSlideOut />
      <NodeActionsSheet />
      <HelpOverlay />
      <PresenterView />
      <ToastStack />
    </div>
  );
}
