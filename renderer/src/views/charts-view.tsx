import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { LiveStats } from '../components/charts/live-stats.js';
import { MANY_NODES, NodeCharts, SingleNodeChart } from '../components/charts/node-charts.js';
import { OverallCharts } from '../components/charts/overall-charts.js';
import { useStore } from '../store/store.js';

const WINDOWS = [60, 120, 180] as const;

/** Every chart: the balancer overall, each metric by node, and each node alone with its own faults shaded. */
export function ChartsView() {
  const [windowSec, setWindowSec] = useState<number>(60);
  const ids = useStore(useShallow((s) => s.lab.nodeIds));
  // Without a GPU every canvas redrawn in a frame is rasterised and copied to the compositor then:
  // with many nodes the charts take turns (live, each at least 3 times a second).
  const many = ids.length > MANY_NODES;
  return (
    <div className="view-stack">
      <section className="panel" aria-labelledby="charts-heading">
        <header className="panel-head">
          <h2 id="charts-heading">Overall</h2>
          <div className="segmented" role="group" aria-label="Time window">
            {WINDOWS.map((w) => (
              <button key={w} type="button" data-testid={`charts-window-${w}`} aria-pressed={windowSec === w} onClick={() => setWindowSec(w)}>
                {w} s
              </button>
            ))}
          </div>
        </header>
        <LiveStats />
        <OverallCharts windowSec={windowSec} height={200} redrawEvery={many ? 2 : 1} />
        <p className="muted small">Shaded: periods when a fault was active (the band’s top edge marks each one).</p>
      </section>
      <section className="panel" aria-labelledby="node-charts-heading">
        <h2 id="node-charts-heading">By node</h2>
        <NodeCharts windowSec={windowSec} height={180} />
        <div className="chart-grid">
          {ids.map((id) => (
            <SingleNodeChart key={id} id={id} windowSec={windowSec} redrawEvery={many ? 3 : 1} />
          ))}
        </div>
      </section>
    </div>
  );
}
