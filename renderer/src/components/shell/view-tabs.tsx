import { VIEW_LABELS } from '../../keyboard/shortcuts.js';
import { isActive } from '../../store/faults-slice.js';
import { useStore } from '../../store/store.js';
import { setView } from '../../store/ui-actions.js';
import { VIEWS } from '../../store/ui-slice.js';

/** One tab per view; the number is its shortcut. Open incidents and active faults are counted on their tabs. */
export function ViewTabs() {
  const view = useStore((s) => s.ui.view);
  const openIncidents = useStore((s) => s.incidents.filter((i) => i.open).length);
  const activeFaults = useStore((s) => s.faults.filter(isActive).length);
  // A drill waiting on the operator is flagged on its tab: the answer is needed there.
  const drillWaits = useStore((s) => Boolean(s.drill.run?.waitingFor));
  const badge = { incidents: openIncidents, faults: activeFaults } as Partial<Record<string, number>>;
  return (
    <nav className="tabs" aria-label="Views" role="tablist">
      {VIEWS.map((id, i) => (
        <button
          key={id}
          type="button"
          role="tab"
          id={`nav-${id}`}
          className="tab"
          data-testid={`nav-${id}`}
          aria-selected={view === id}
          aria-controls="view"
          aria-keyshortcuts={String(i + 1)}
          title={`${VIEW_LABELS[id]} (${i + 1})`}
          onClick={() => setView(id)}
        >
          <kbd className="tab-key">{i + 1}</kbd> {VIEW_LABELS[id]}
          {badge[id] ? <span className="tab-badge" data-testid={`nav-${id}-count`}>{badge[id]}</span> : null}
          {id === 'drills' && drillWaits ? (
            <span className="tab-badge" data-testid="nav-drills-waiting" title="The drill waits for you">
              !
            </span>
          ) : null}
        </button>
      ))}
    </nav>
  );
}
