import { useShallow } from 'zustand/react/shallow';
import type { MetricsFrame } from '../../metrics/rolling-rates.js';
import { formatNumber } from '../../format.js';
import { metricsRing } from '../../metrics/metrics-feed.js';
import { useStore } from '../../store/store.js';
import { LiveChart, type ChartSeries } from '../charts/live-chart.js';
import { LiveNumber } from '../charts/live-number.js';
import { StatusBadge } from '../status-badge.js';

const NUMBERS: Array<{ id: string; label: string; read: (t: MetricsFrame) => number }> = [
  { id: 'rps', label: 'requests/s', read: (t) => t.requestsPerSec },
  { id: 'errors', label: 'errors/s', read: (t) => t.errorsPerSec },
  { id: 'p99', label: 'p99 ms', read: (t) => t.latency.p99 },
];

const series: ChartSeries[] = [
  { label: 'p99', color: 4, values: () => metricsRing.series('p99') },
  { label: 'errors/s', color: 3, values: () => metricsRing.series('errors') },
];

/** The lab while the drill plays: live numbers, the last 30 s of p99 and errors (faults shaded), and each node's state. */
export function DrillLiveStrip() {
  const nodes = useStore(useShallow((s) => s.lab.nodeIds.map((id) => s.lab.nodes[id]).filter((n) => n !== undefined)));
  return (
    <section className="drill-live" aria-label="The lab, live" data-testid="drill-live">
      <div className="drill-live-numbers">
        {NUMBERS.map((n) => (
          <div key={n.id} className="drill-live-number">
            <LiveNumber testId={`drill-live-${n.id}`} read={n.read} format={formatNumber} className="live-stat-value" />
            <span className="live-stat-label">{n.label}</span>
          </div>
        ))}
      </div>
      <LiveChart testId="drill-chart" title="p99 and errors" unit="last 30 s" series={series} windowSec={30} height={120} minRange={5} />
      <ul className="drill-nodes" aria-label="Nodes">
        {nodes.map((node) => (
          <li key={node.id} className="drill-node" data-testid={`drill-node-${node.id}`}>
            <span className="mono">{node.id}</span> <StatusBadge id={node.id} testId={`drill-node-status-${node.id}`} />
          </li>
        ))}
      </ul>
    </section>
  );
}
