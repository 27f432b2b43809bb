import { useLayoutEffect, useRef } from 'react';
import { formatRelative } from '../format.js';
import { useStore } from '../store/store.js';

/** Lines drawn at once; the ring keeps more. */
const SHOWN = 300;

export function LogPanel() {
  const nodeId = useStore((s) => s.logs.selectedNodeId);
  const ring = useStore((s) => (nodeId ? s.logs.rings[nodeId] : undefined));
  // Re-renders once per batch that touched this node, not per line, and never for other nodes.
  const revision = useStore((s) => (nodeId ? (s.logs.revision[nodeId] ?? 0) : 0));
  const engineDropped = useStore((s) => s.logs.engineDropped);
  const originAt = useStore((s) => s.timeline.originAt);
  const listRef = useRef<HTMLOListElement>(null);
  const pinned = useRef(true);

  useLayoutEffect(() => {
    const list = listRef.current;
    if (list && pinned.current) list.scrollTop = list.scrollHeight;
  }, [revision, nodeId]);

  const { first, lines } = ring ? ring.tail(SHOWN) : { first: 0, lines: [] };
  return (
    <section className="panel logs" aria-labelledby="logs-heading" data-testid="log-panel" data-node={nodeId ?? ''}>
      <h2 id="logs-heading">
        Logs <span className="muted">{nodeId ?? ''}</span>
      </h2>
      {lines.length === 0 ? (
        <p className="muted">{nodeId ? 'No output from this node yet.' : 'Select a node to see its logs.'}</p>
      ) : (
        <ol
          ref={listRef}
          className="log-lines"
          data-testid="log-lines"
          onScroll={(e) => {
            const el = e.currentTarget;
            pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
          }}
        >
          {lines.map((line, i) => (
            <li key={first + i} className={`log-line log-${line.stream}`} data-testid="log-line">
              <span className="log-at">{formatRelative(line.at, originAt)}</span>
              <span className="log-text">{line.text}</span>
            </li>
          ))}
        </ol>
      )}
      {ring && ring.dropped + engineDropped > 0 ? (
        <p className="muted small">
          {ring.dropped} older lines scrolled out here; {engineDropped} dropped by the engine.
        </p>
      ) : null}
    </section>
  );
}
