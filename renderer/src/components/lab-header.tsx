import { startFleet, stopFleet } from '../connection/lab-commands.js';
import { useStore } from '../store/store.js';
import { HaltButton } from './shell/halt-button.js';
import { TrafficToggle } from './shell/traffic-toggle.js';
import { countsText } from '../../../shared/node-view.js';
import { useNodeCounts } from './topology/node-views.js';

export function LabHeader() {
  const fleet = useStore((s) => s.lab.fleet);
  const version = useStore((s) => s.lab.version);
  const counts = useNodeCounts();
  const connection = useStore((s) => s.connection);
  const fleetBusy = useStore((s) => s.lab.pending.fleet !== undefined);
  const open = connection.status === 'open';

  return (
    <header className="header">
      <div className="header-title">
        <h1 title={version ? `Firedrill v${version}` : 'Firedrill'}>Firedrill</h1>
        <span className="muted fleet-name" data-testid="fleet-name" title={fleet.name ?? 'lab'}>
          {fleet.name ?? 'lab'}
        </span>
      </div>
      <div className="header-status">
        <span className={`pill fleet-${fleet.status}`} data-testid="fleet-status" data-status={fleet.status}>
          fleet {fleet.status}
        </span>
        <span
          className={`pill serving-count${counts.serving < counts.total - counts.standby ? ' degraded' : ''}`}
          data-testid="serving-count"
          data-serving={counts.serving}
          data-standby={counts.standby}
          data-total={counts.total}
          title="Serving: the process runs and the balancer routes to it. A standby ready to take over counts apart."
        >
          {open ? countsText(counts) : `—/${counts.total} serving`}
        </span>
        <span className={`pill connection-${connection.status}`} data-testid="connection-state" data-status={connection.status}>
          {connection.via === 'ipc' ? 'app' : 'web'} · {connection.status}
        </span>
      </div>
      <div className="header-actions">
        {fleet.status === 'stopped' ? (
          <button type="button" data-testid="fleet-start" disabled={!open || fleetBusy} onClick={() => void startFleet()}>
            Start fleet
          </button>
        ) : (
          <button type="button" data-testid="fleet-stop" disabled={!open || fleetBusy || fleet.status === 'stopping'} onClick={() => void stopFleet()}>
            Stop fleet
          </button>
        )}
        <TrafficToggle />
        <HaltButton />
      </div>
    </header>
  );
}
