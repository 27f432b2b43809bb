import { useShallow } from 'zustand/react/shallow';
import { formatClock, formatMs } from '../../format.js';
import { isActive } from '../../store/faults-slice.js';
import { useStore } from '../../store/store.js';
import { faultLabel } from './fault-chip.js';

const SHOWN = 30;

/** Faults that are over, newest first: how long each lasted and what exactly it did. */
export function FaultHistory() {
  const faults = useStore(useShallow((s) => s.faults.filter((f) => !isActive(f)).slice(-SHOWN).reverse()));
  if (faults.length === 0) return <p className="muted">No fault has ended yet.</p>;
  return (
    <table className="table" data-testid="fault-history">
      <thead>
        <tr>
          <th>at</th>
          <th>node</th>
          <th>fault</th>
          <th>status</th>
          <th>lasted</th>
          <th>effect</th>
        </tr>
      </thead>
      <tbody>
        {faults.map((f) => (
          <tr key={f.id} data-testid="fault-history-row" data-status={f.status} data-type={f.type}>
            <td className="mono">{formatClock(f.injectedAt)}</td>
            <td className="mono">{f.target}</td>
            <td>{faultLabel(f)}</td>
            <td>{f.status}</td>
            <td className="mono">{f.revertedAt ? formatMs(f.revertedAt - f.injectedAt) : '—'}</td>
            <td className="muted small">{f.error ?? Object.entries(f.effect).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ').slice(0, 120)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
