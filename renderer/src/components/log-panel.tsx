import { useLayoutEffect, useRef } from 'react';
import type { LogLine } from '../../../shared/contract/model.js';
import { describeEvent } from '../../../shared/words/describe-event.js';
import { formatClock } from '../../../shared/words/format.js';
import { useStore } from '../store/store.js';

/** Lines drawn at once; the ring keeps more. */
const SHOWN = 300;

/** A line's words, worked out once per line (lines are kept, unchanged, in the ring). */
const wordsOf = new WeakMap<LogLine, string | null>();

/** A node's structured log event (`{"event": "role.changed", ...}` on stdout) as a sentence; null for plain text. */
export function logLineWords(line: LogLine): string | null {
  const known = wordsOf.get(line);
  if (known !== undefined) return known;
  let words: string | null = null;
  if (line.stream === 'stdout' && line.text.startsWith('{') && line.text.includes('"event"')) {
    try {
      const parsed = JSON.parse(line.text) as unknown;
      if (typeof parsed === 'object' && parsed !== null) {
        const { event, ts: _ts, node: _node, ...detail } = parsed as Record<string, unknown>;
        if (typeof event === 'string' && /^[a-z][a-z0-9.-]*$/.test(event)) words = describeEvent({ kind: `log.${event}`, nodeId: line.nodeId, detail });
      }
    } catch {
      words = null;
    }
  }
  wordsOf.set(line, words);
  return words;
}

export function LogPanel() {
  const nodeId = useStore((s) => s.logs.selectedNodeId);
  const ring = useStore((s) => (nodeId ? s.logs.rings[nodeId] : undefined));
  // Re-renders once per batch that touched this node, not per line, and never for other nodes.
  const revision = useStore((s) => (nodeId ? (s.logs.revision[nodeId] ?? 0) : 0));
  const engineDropped = useStore((s) => s.logs.engineDropped);
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
          {lines.map((line, i) => {
            const words = logLineWords(line);
            return (
              <li key={first + i} className={`log-line log-${line.stream}`} data-testid="log-line">
                <span className="log-at">{formatClock(line.at)}</span>
                {words === null ? (
                  <span className="log-text">{line.text}</span>
                ) : (
                  <details className="log-disclosure">
                    <summary className="log-words" data-testid="log-words">
                      {words}
                    </summary>
                    <span className="log-text">{line.text}</span>
                  </details>
                )}
              </li>
            );
          })}
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
