import { LiveStats } from '../components/charts/live-stats.js';
import { MANY_NODES } from '../components/charts/node-charts.js';
import { OverallCharts } from '../components/charts/overall-charts.js';
import { IncidentStrip } from '../components/incidents/incident-strip.js';
import { LogPanel } from '../components/log-panel.js';
import { replayIncidentAction } from '../components/replay/replay-buttons.js';
import { ReplayScrubber } from '../components/replay/replay-scrubber.js';
import { TimelineList } from '../components/timeline-list.js';
import { TopologyView } from '../components/topology/topology-view.js';
import { useStore } from '../store/store.js';

/** The lab at a glance: the topology, the vital signs and their last minute, the timeline and logs. */
export function LabView() {
  // With many nodes the four charts take turns (see ChartsView): the frame has 64 cards to draw too.
  const many = useStore((s) => s.lab.nodeIds.length > MANY_NODES);
  return (
    <div className="view-stack">
      <IncidentStrip actions={replayIncidentAction} />
      <TopologyView />
      <ReplayScrubber />
      <section className="panel" aria-label="Live metrics">
        <LiveStats />
        <OverallCharts height={150} redrawEvery={many ? 2 : 1} />
      </section>
      <div className="lab-lower">
        <TimelineList />
        <LogPanel />
      </div>
    </div>
  );
}
