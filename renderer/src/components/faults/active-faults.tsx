import { useShallow } from 'zustand/react/shallow';
import { revertFault } from '../../connection/lab-commands.js';
import { formatClock, formatMs } from '../../format.js';
import { isActive } from '../../store/faults-slice.js';
import { useStore } from '../../store/store.js';
import { faultLabel } from './fault-chip.js';

/** Active faults, each with its own revert; `target` narrows the list to one node. */
export function ActiveFaults({ target }: { target?: string }) {
  const faults = useStore(useShallow((s) => s.faults.filter((f) => isActive(f) && (target === undefined || f.target === target))));
  const pending = useStore((s) => s.lab.pending);
  if (faults.length === 0) {
    return (
      <p className="muted" data-testid="active-faults-empty">
        No active faults{target ? ` on ${target}` : ''}.
      </p>
    );
  }
  return (
    <ul className="fault-list" data-testid="active-faults">
      {faults.map((f) => (
        <li key={f.id} className={`fault-row fault-${f.kind}`} data-testid="active-fault" data-type={f.type} data-target={f.target} data-fault={f.id}>
          <span className="fault-row-target">{f.target}</span>
          <span className="fault-row-what">
            <span className="fault-row-type">{faultLabel(f)}</span>
            <span className="muted small">
              since {formatClock(f.injectedAt)}
              {f.expiresAt ? ` · lasts ${formatMs(Math.max(0, f.expiresAt - f.injectedAt))}` : ''}
              {f.kind === 'network' && f.toxicity < 1 ? ` · toxicity ${f.toxicity}` : ''}
            </span>
          </span>
          <button type="button" data-testid={`fault-revert-${f.id}`} disabled={pending[`fault:${f.id}`] !== undefined} onClick={() => void revertFault(f.id)}>
            Revert
          </button>
        </li>
      ))}
    </ul>
  );
}
