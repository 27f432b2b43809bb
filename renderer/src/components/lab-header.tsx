import { useShallow } from 'zustand/react/shallow';
import { runCommand } from '../engine/connection.js';
import { useStore } from '../store/store.js';

export function LabHeader() {
  const fleet = useStore((s) => s.lab.fleet);
  const version = useStore((s) => s.lab.version);
  const [ready, total] = useStore(
    useShallow((s) => [s.lab.nodeIds.filter((id) => s.lab.nodes[id]?.status === 'ready').length, s.lab.nodeIds.length]),
  );
  const connection = useStore((s) => s.connection);
  const fleetBusy = useStore((s) => s.lab.pending.fleet !== undefined);
  const open = connection.status === 'open';

  return (
    <header className="header">
      <div className="header-title">
        <h1>Firedrill</h1>
        <span className="muted">{fleet.name ?? 'lab'}</span>
        {version ? <span className="muted small">v{version}</span> : null}
      </div>
      <div className="header-status">
        <span className={`pill fleet-${fleet.status}`} data-testid="fleet-status" data-status={fleet.status}>
          fleet {fleet.status}
        </span>
        <span className="pill" data-testid="ready-count">
          {ready}/{total} ready
        </span>
        <span className={`pill connection-${connection.status}`} data-testid="connection-state" data-status={connection.status}>
          {connection.via === 'ipc' ? 'app' : 'web'} · {connection.status}
        </span>
      </div>
      <div className="header-actions">
        <button type="button" data-testid="fleet-start" disabled={!open || fleetBusy || fleet.status !== 'stopped'} onClick={() => void runCommand('fleet', 'fleet.start', {})}>
          Start fleet
        </button>
        <button type="button" data-testid="fleet-stop" disabled={!open || fleetBusy || fleet.status === 'stopped'} onClick={() => void runCommand('fleet', 'fleet.stop', {})}>
          Stop fleet
        </button>
      </div>
    </header>
  );
}
