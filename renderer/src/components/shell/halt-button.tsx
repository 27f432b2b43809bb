import { haltFaults } from '../../connection/lab-commands.js';
import { isActive } from '../../store/faults-slice.js';
import { useStore } from '../../store/store.js';

/** The big red button: takes back every active fault at once (also Shift+H). Always enabled while connected. */
export function HaltButton({ testId = 'halt' }: { testId?: string }) {
  const active = useStore((s) => s.faults.filter(isActive).length);
  const open = useStore((s) => s.connection.status === 'open');
  const busy = useStore((s) => s.lab.pending.halt !== undefined);
  return (
    <button
      type="button"
      className="halt"
      data-testid={testId}
      data-active={active}
      disabled={!open || busy}
      title="Revert every active fault now (Shift+H)"
      aria-keyshortcuts="Shift+H"
      onClick={() => void haltFaults()}
    >
      HALT
      <span className="halt-meta">
        {active} active<span className="halt-key"> · <kbd>Shift+H</kbd></span>
      </span>
    </button>
  );
}
