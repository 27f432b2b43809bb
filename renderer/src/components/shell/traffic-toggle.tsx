import { startTraffic, stopTraffic } from '../../connection/lab-commands.js';
import { useStore } from '../../store/store.js';

/** Starts the traffic with its current settings, or stops it (also T). */
export function TrafficToggle() {
  const traffic = useStore((s) => s.traffic.state);
  const open = useStore((s) => s.connection.status === 'open');
  const busy = useStore((s) => s.lab.pending.traffic !== undefined);
  const running = traffic?.running ?? false;
  const rate = traffic?.settings.rate;
  return (
    <button
      type="button"
      className={`traffic-toggle${running ? ' running' : ''}`}
      data-testid="traffic-toggle"
      data-running={running}
      aria-pressed={running}
      aria-keyshortcuts="T"
      disabled={!open || busy || !traffic}
      title={running ? 'Stop the traffic (T)' : 'Start traffic with the settings in Settings (T)'}
      onClick={() => void (running ? stopTraffic() : startTraffic())}
    >
      {running ? 'Stop traffic' : 'Start traffic'}
      {rate !== undefined ? <span className="muted small"> {rate} req/s</span> : null}
    </button>
  );
}
