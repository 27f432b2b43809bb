import { ConnectionBanner } from './components/connection-banner.js';
import { LabHeader } from './components/lab-header.js';
import { LogPanel } from './components/log-panel.js';
import { NodeGrid } from './components/node-grid.js';
import { TimelineList } from './components/timeline-list.js';
import { ToastStack } from './components/toast-stack.js';

export function App() {
  return (
    <div className="app">
      <ConnectionBanner />
      <LabHeader />
      <main className="lab">
        <NodeGrid />
        <div className="lab-lower">
          <TimelineList />
          <LogPanel />
        </div>
      </main>
      <ToastStack />
    </div>
  );
}
