import { metricsRing } from '../../metrics/metrics-feed.js';
import { LiveChart, type ChartSeries } from './live-chart.js';

const rps: ChartSeries[] = [{ label: 'requests/s', color: 0, values: () => metricsRing.series('rps') }];
const errors: ChartSeries[] = [{ label: 'errors/s', color: 3, values: () => metricsRing.series('errors') }];
const retries: ChartSeries[] = [{ label: 'retries/s', color: 2, values: () => metricsRing.series('retries') }];
const latency: ChartSeries[] = [
  { label: 'p50', color: 1, values: () => metricsRing.series('p50') },
  { label: 'p99', color: 4, values: () => metricsRing.series('p99') },
];

/**
 * The balancer's view of every request: rates and latency over the last `windowSec`, faults shaded.
 * With many nodes (`redrawEvery` 2) the four take turns, two redrawn per metrics frame.
 */
export function OverallCharts({ windowSec = 60, height = 170, redrawEvery = 1 }: { windowSec?: number; height?: number; redrawEvery?: number }) {
  return (
    <div className="chart-grid" data-testid="overall-charts">
      <LiveChart testId="chart-rps" redrawEvery={redrawEvery} title="Requests" unit="per second" series={rps} windowSec={windowSec} height={height} minRange={10} />
      <LiveChart testId="chart-errors" redrawEvery={redrawEvery} title="Errors" unit="per second" series={errors} windowSec={windowSec} height={height} />
      <LiveChart testId="chart-retries" redrawEvery={redrawEvery} title="Retries" unit="per second" series={retries} windowSec={windowSec} height={height} />
      <LiveChart testId="chart-latency" redrawEvery={redrawEvery} title="Latency" unit="ms, p50 and p99" series={latency} windowSec={windowSec} height={height} minRange={5} />
    </div>
  );
}
