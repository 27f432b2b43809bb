import { startFleet, stopFleet } from '../../connection/lab-commands.js';
import { useStore } from '../../store/store.js';

/** Start or stop the whole fleet: in the header, or below 1340 px in its ⋯ menu. */
export function FleetButton() {
  const status = useStore((s) => s.lab.fleet.status);
  const open = useStore((s) => s.connection.status === 'open');
  const busy = useStore((s) => s.lab.pending.fleet !== undefined);
  return status === 'stopped' ? (
    <button type="button" className="fleet-button" data-testid="fleet-start" disabled={!open || busy} onClick={() => void startFleet()}>
      Start fleet
    </button>
  ) : (
    <button type="button" className="fleet-button" data-testid="fleet-stop" disabled={!open || busy || status === 'stopping'} onClick={() => void stopFleet()}>
      Stop fleet
    </button>
  );
}
