import { memo, useMemo } from 'react';
import type { TimelineEvent } from '../../../shared/contract/model.js';
import { describeEvent, type EventContext } from '../../../shared/words/describe-event.js';
import { afterIncident, formatClock, incidentSpans } from '../../../shared/words/format.js';
import { useStore } from '../store/store.js';

/** Rows drawn at once; the store keeps more (TIMELINE_CAP). */
const SHOWN = 200;

/** The timeline in words, newest first: a wall clock, the node, a sentence, the time after the incident it belongs to; the event's JSON a click away. */
export function TimelineList() {
  const events = useStore((s) => s.timeline.events);
  const faults = useStore((s) => s.faults);
  // The two numbers the words use, not the settings objects: each balancer.changed brings new ones,
  // mostly with the same values, and a new context would draw every row again.
  const fall = useStore((s) => (s.balancer.state?.settings.health.enabled ? s.balancer.state.settings.health.fall : null));
  const failures = useStore((s) => (s.balancer.state?.settings.passive.enabled ? s.balancer.state.settings.passive.consecutiveFailures : null));
  const incidents = useStore((s) => s.incidents);
  const context = useMemo<EventContext>(
    () => ({ faults, health: fall === null ? null : { fall }, passive: failures === null ? null : { consecutiveFailures: failures } }),
    [faults, fall, failures],
  );
  const spans = useMemo(() => incidentSpans(incidents), [incidents]);
  const newestFirst = events.slice(-SHOWN).reverse();
  return (
    <section className="panel timeline" aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">Timeline</h2>
      {newestFirst.length === 0 ? (
        <p className="muted">Nothing has happened yet.</p>
      ) : (
        <ol className="timeline-list timeline-words" data-testid="timeline-list">
          {newestFirst.map((e) => (
            <TimelineRow key={e.seq} event={e} context={context} after={afterIncident(e.at, spans, e.nodeId)} />
          ))}
        </ol>
      )}
    </section>
  );
}

/**
 * One row; drawn again only when its event, its context or its "after" changes: every new event
 * used to describe and stringify all 200 rows shown, in the frame that paints the event.
 */
const TimelineRow = memo(function TimelineRow({ event: e, context, after }: { event: TimelineEvent; context: EventContext; after: string | null }) {
  return (
    <li className="timeline-item" data-testid="timeline-item" data-kind={e.kind} data-node={e.nodeId ?? ''} data-seq={e.seq}>
      <time className="timeline-at" dateTime={new Date(Math.round(e.at)).toISOString()}>
        {formatClock(e.at)}
      </time>
      <span className="timeline-node">{e.nodeId ?? 'lab'}</span>
      <details className="timeline-disclosure">
        <summary>
          <span className="timeline-text" data-testid="timeline-text">
            {describeEvent(e, context)}
          </span>
          {after ? <span className="timeline-after muted"> · {after}</span> : null}
        </summary>
        <pre className="timeline-json" data-testid="timeline-json">
          {JSON.stringify({ kind: e.kind, nodeId: e.nodeId, detail: e.detail }, null, 2)}
        </pre>
      </details>
    </li>
  );
});
