import { formatMs, formatNumber } from '../../format.js';
import { useStore } from '../../store/store.js';
import { LiveNumber } from '../charts/live-number.js';
import { Term } from '../concepts/term.js';

/** The balancer at the top of the topology: how it routes, how it detects, what flows through it now. */
export function BalancerBox() {
  const balancer = useStore((s) => s.balancer.state);
  const settings = balancer?.settings;
  return (
    <div className="balancer-box" data-anchor="balancer" data-testid="balancer-box">
      <div className="balancer-head">
        <h3>Balancer</h3>
        <span className="mono small muted" data-testid="balancer-url">{balancer?.url ?? '—'}</span>
      </div>
      {settings ? (
        <p className="balancer-facts small">
          <span data-testid="balancer-strategy">{settings.strategy}</span>
          {' · '}
          <Term id="health-check">probes</Term> {settings.health.enabled ? `${formatMs(settings.health.intervalMs)} / ${formatMs(settings.health.timeoutMs)}, fall ${settings.health.fall}` : 'off'}
          {' · '}
          <Term id="retry-budget">retries</Term> {settings.retry.enabled ? `≤ ${settings.retry.maxTries} tries, budget ${settings.retry.budgetPercent}%` : 'off'}
        </p>
      ) : null}
      <p className="balancer-live">
        <LiveNumber testId="balancer-rps" read={(t) => t.requestsPerSec} format={formatNumber} /> <span className="muted small">req/s</span>
        <LiveNumber testId="balancer-p99" read={(t) => t.latency.p99} format={formatNumber} /> <span className="muted small">ms p99</span>
      </p>
    </div>
  );
}
