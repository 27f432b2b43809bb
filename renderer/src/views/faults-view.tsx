import { ActiveFaults } from '../components/faults/active-faults.js';
import { FaultForm } from '../components/faults/fault-form.js';
import { FaultHistory } from '../components/faults/fault-history.js';
import { HaltButton } from '../components/shell/halt-button.js';

/** Inject any fault on any node; see and revert what is active; HALT takes everything back. */
export function FaultsView() {
  return (
    <div className="view-columns">
      <section className="panel" aria-labelledby="inject-heading">
        <h2 id="inject-heading">Inject a fault</h2>
        <FaultForm />
      </section>
      <div className="view-stack">
        <section className="panel" aria-labelledby="active-heading">
          <header className="panel-head">
            <h2 id="active-heading">Active faults</h2>
            <HaltButton testId="halt-panel" />
          </header>
          <ActiveFaults />
        </section>
        <section className="panel" aria-labelledby="history-heading">
          <h2 id="history-heading">Recent faults</h2>
          <FaultHistory />
        </section>
      </div>
    </div>
  );
}
