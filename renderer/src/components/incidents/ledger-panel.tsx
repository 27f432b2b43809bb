import { checkLedger } from '../../connection/lab-commands.js';
import { formatClock } from '../../format.js';
import { useStore } from '../../store/store.js';
import { LiveNumber } from '../charts/live-number.js';
import { Term } from '../concepts/term.js';

/** The write ledger: acknowledged writes (live) and the last read-back against the primary. */
export function LedgerPanel() {
  const ledger = useStore((s) => s.traffic.ledger);
  const open = useStore((s) => s.connection.status === 'open');
  const busy = useStore((s) => s.lab.pending.ledger !== undefined);
  return (
    <section className="panel ledger" aria-labelledby="ledger-heading" data-testid="ledger-panel">
      <h2 id="ledger-heading">
        <Term id="ledger">Write ledger</Term>
      </h2>
      <dl className="ledger-figures">
        <div>
          <dt>acked</dt>
          <dd>
            <LiveNumber testId="ledger-acked" read={(t) => t.acked} format={(n) => String(Math.round(n))} />
          </dd>
        </div>
        <div>
          <dt>checked</dt>
          <dd data-testid="ledger-checked">{ledger?.checked ?? '—'}</dd>
        </div>
        <div>
          <dt>lost</dt>
          <dd data-testid="ledger-lost" className={ledger?.lost ? 'bad' : ''}>
            {ledger?.lost ?? '—'}
          </dd>
        </div>
        <div>
          <dt>stale</dt>
          <dd data-testid="ledger-stale" className={ledger?.stale ? 'bad' : ''}>
            {ledger?.stale ?? '—'}
          </dd>
        </div>
      </dl>
      <p className="muted small">{ledger?.checkedAt ? `last checked ${formatClock(ledger.checkedAt)}` : 'not checked yet'}</p>
      <button type="button" data-testid="ledger-check" disabled={!open || busy} onClick={() => void checkLedger()}>
        Check the ledger now
      </button>
    </section>
  );
}
