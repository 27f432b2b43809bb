import { useStore } from '../../store/store.js';
import { useClassroom } from './classroom-state.js';

/** A viewer's page says whose lab it shows and that it can change nothing. */
export function ViewerBanner() {
  const viewer = useClassroom((s) => s.status?.role === 'viewer');
  const name = useStore((s) => s.lab.fleet.name ?? s.lab.topology?.kind ?? 'the lab');
  if (!viewer) return null;
  return (
    <div className="viewer-banner" role="status" data-testid="viewer-banner">
      <strong>Viewing {name} — read only.</strong>
      <span className="muted">You watch the teacher&apos;s lab live; when the drill asks for a prediction, your vote counts in the class tally.</span>
    </div>
  );
}
