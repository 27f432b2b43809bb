import type { MetricsFrame } from '../../metrics/rolling-rates.js';
import { formatNumber } from '../../format.js';
import { Term } from '../concepts/term.js';
import { LiveNumber } from './live-number.js';

type Stat = { id: string; label: string; unit: string; read: (t: MetricsFrame) => number; concept?: string; format?: (n: number) => string };

const count = (n: number) => String(Math.round(n));

const STATS: Stat[] = [
  { id: 'rps', label: 'requests', unit: '/s', read: (t) => t.requestsPerSec },
  { id: 'errors', label: 'errors', unit: '/s', read: (t) => t.errorsPerSec },
  { id: 'retries', label: 'retries', unit: '/s', read: (t) => t.retriesPerSec, concept: 'retry-budget' },
  { id: 'p50', label: 'p50', unit: 'ms', read: (t) => t.latency.p50 },
  { id: 'p99', label: 'p99', unit: 'ms', read: (t) => t.latency.p99 },
  { id: 'acked', label: 'acked writes', unit: '', read: (t) => t.acked, concept: 'ledger', format: count },
];

/** The lab's vital signs in large type, straight from the newest tick. */
export function LiveStats() {
  return (
    <div className="live-stats" data-testid="live-stats">
      {STATS.map((s) => (
        <div key={s.id} className="live-stat">
          <LiveNumber testId={`live-${s.id}`} read={s.read} format={s.format ?? formatNumber} className="live-stat-value" />
          <span className="live-stat-label">
            {s.concept ? <Term id={s.concept}>{s.label}</Term> : s.label} <span className="muted">{s.unit}</span>
          </span>
        </div>
      ))}
    </div>
  );
}
