import { IncidentList } from '../components/incidents/incident-list.js';
import { LedgerPanel } from '../components/incidents/ledger-panel.js';
import { TimelineList } from '../components/timeline-list.js';

/** Every incident with its stages, MTTD, MTTR and lost writes; the ledger; the raw timeline. */
export function IncidentsView() {
  return (
    <div className="view-columns">
      <section className="panel" aria-labelledby="incidents-heading">
        <h2 id="incidents-heading">Incidents</h2>
        <IncidentList />
      </section>
      <div className="view-stack">
        <LedgerPanel />
        <TimelineList />
      </div>
    </div>
  );
}
