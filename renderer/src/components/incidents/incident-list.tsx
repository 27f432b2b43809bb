import { useShallow } from 'zustand/react/shallow';
import { useStore } from '../../store/store.js';
import { IncidentCard } from './incident-card.js';

/** Incidents, newest first; `limit` shows only the newest few. */
export function IncidentList({ limit }: { limit?: number }) {
  const incidents = useStore(useShallow((s) => s.incidents.slice(limit === undefined ? 0 : -limit).reverse()));
  if (incidents.length === 0) {
    return (
      <p className="muted" data-testid="incidents-empty">
        No incident yet. Kill a node (click it, then Kill) and watch one unfold here.
      </p>
    );
  }
  return (
    <div className="incident-list" data-testid="incident-list">
      {incidents.map((incident) => (
        <IncidentCard key={incident.id} incident={incident} />
      ))}
    </div>
  );
}
