import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { NodeSeries } from '../../metrics/metrics-ring.js';
import { metricsRing } from '../../metrics/metrics-feed.js';
import { useStore } from '../../store/store.js';
import { LiveChart, type ChartSeries } from './live-chart.js';

/** Past this many nodes the charts draw less often, taking turns (and the by-node ones thinner lines, see below). */
export const MANY_NODES = 8;

/**
 * One line per node. With many nodes, 1 px wide: 32 lines of 600 points each, and without a GPU a
 * 2 px line costs Chromium several times a hairline's time to draw, in every frame that redraws it.
 */
const bySeries = (ids: string[], name: NodeSeries): ChartSeries[] =>
  ids.map((id, i) => ({ label: id, color: i, width: ids.length > MANY_NODES ? 1 : 2, values: () => metricsRing.nodeSeries(id, name) }));

/**
 * Each node as the balancer sees it: one line per node, so a failover shows as lines crossing. With
 * many nodes the three charts take turns, one redrawn per metrics frame (each about 3 times a second).
 */
export function NodeCharts({ windowSec = 60, height = 170 }: { windowSec?: number; height?: number }) {
  const ids = useStore(useShallow((s) => s.lab.nodeIds));
  const charts = useMemo(() => ({ rps: bySeries(ids, 'rps'), errors: bySeries(ids, 'errors'), p99: bySeries(ids, 'p99') }), [ids]);
  if (ids.length === 0) return null;
  const redrawEvery = ids.length > MANY_NODES ? 3 : 1;
  return (
    <div className="chart-grid" data-testid="node-charts">
      <LiveChart testId="chart-node-rps" redrawEvery={redrawEvery} title="Requests by node" unit="per second" series={charts.rps} windowSec={windowSec} height={height} minRange={10} />
      <LiveChart testId="chart-node-errors" redrawEvery={redrawEvery} title="Errors by node" unit="per second" series={charts.errors} windowSec={windowSec} height={height} />
      <LiveChart testId="chart-node-p99" redrawEvery={redrawEvery} title="p99 latency by node" unit="ms" series={charts.p99} windowSec={windowSec} height={height} minRange={5} />
    </div>
  );
}

/** One node alone: its requests and p99, only its own faults shaded. With many nodes they take turns (`redrawEvery` 3). */
export function SingleNodeChart({ id, windowSec = 60, redrawEvery = 1 }: { id: string; windowSec?: number; redrawEvery?: number }) {
  const series = useMemo<ChartSeries[]>(
    () => [
      { label: 'req/s', color: 0, values: () => metricsRing.nodeSeries(id, 'rps') },
      { label: 'p99 ms', color: 4, values: () => metricsRing.nodeSeries(id, 'p99') },
      { label: 'errors/s', color: 3, values: () => metricsRing.nodeSeries(id, 'errors') },
    ],
    [id],
  );
  return <LiveChart testId={`chart-node-${id}`} redrawEvery={redrawEvery} title={id} unit="req/s · p99 ms · errors/s" series={series} faultsOf={id} windowSec={windowSec} height={140} minRange={5} />;
}
