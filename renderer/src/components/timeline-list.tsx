import { formatDetail, formatRelative } from '../format.js';
import { useStore } from '../store/store.js';

/** Rows drawn at once; the store keeps more (TIMELINE_CAP). */
const SHOWN = 200;

export function TimelineList() {
  const events = useStore((s) => s.timeline.events);
  const originAt = useStore((s) => s.timeline.originAt);
  const newestFirst = events.slice(-SHOWN).reverse();
  return (
    <section className="panel timeline" aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">Timeline</h2>
      {newestFirst.length === 0 ? (
        <p className="muted">Nothing has happened yet.</p>
      ) : (
        <ol className="timeline-list" data-testid="timeline-list">
          {newestFirst.map((e) => (
            <li key={e.seq} className="timeline-item" data-testid="timeline-item" data-kind={e.kind} data-node={e.nodeId ?? ''} data-seq={e.seq}>
              <time className="timeline-at">{formatRelative(e.at, originAt)}</time>
              <span className="timeline-node">{e.nodeId ?? 'lab'}</span>
              <span className="timeline-kind">{e.kind}</span>
              <span className="timeline-detail muted">{formatDetail(e.detail)}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
