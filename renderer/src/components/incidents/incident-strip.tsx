import { useLayoutEffect, useRef, useSyncExternalStore, type ReactNode, type RefObject } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { Incident, IncidentStage } from '../../../../shared/contract/model.js';
import { formatMs, incidentStart } from '../../format.js';
import { useStore } from '../../store/store.js';
import { Term } from '../concepts/term.js';

/** The four moments a person watches for; the Incidents view has every stage. */
export const STRIP_STAGES = [
  { stage: 'injected', word: 'injected' },
  { stage: 'detected', word: 'detected' },
  { stage: 'failedOver', word: 'failed over' },
  { stage: 'recovered', word: 'recovered' },
] as const satisfies ReadonlyArray<{ stage: IncidentStage; word: string }>;

// Dismissed incidents, for the session: kept outside React so that leaving the Lab view and coming back keeps them dismissed.
const dismissed = new Set<string>();
const listeners = new Set<() => void>();
let version = 0;
const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};
function dismiss(id: string): void {
  dismissed.add(id);
  version++;
  for (const listener of listeners) listener();
}

/**
 * What the strip holds, not dismissed, newest last, at most three: every open incident, the newest closed
 * one, and the newest closed one a fault caused. What the user did stays in view when the balancer, on its
 * own, briefly ejects a node a moment later.
 */
export function stripIncidents(incidents: readonly Incident[], isDismissed: (id: string) => boolean): Incident[] {
  const shown = incidents.filter((i) => !isDismissed(i.id));
  const closed = shown.filter((i) => !i.open);
  const kept = new Set([closed.at(-1), closed.filter((i) => i.stages.injected !== undefined).at(-1)]);
  return shown.filter((i) => i.open || kept.has(i)).slice(-3);
}

/** A stage's time since the incident started (the injection, else the first stage seen); null until reached. */
function offsetOf(incident: Incident, stage: IncidentStage): number | null {
  const at = incident.stages[stage];
  const start = incidentStart(incident);
  if (at === undefined || start === undefined) return null;
  return Math.max(0, at - start);
}

type Props = {
  /** Buttons to put beside one incident's markers (e.g. "Replay this incident"). */
  actions?: (incident: Incident) => ReactNode;
};

/**
 * The current and the last incident, on the Lab view until dismissed: injected → detected → failed over
 * → recovered, each filling in with its milliseconds since the injection as the engine reports it.
 */
export function IncidentStrip({ actions }: Props) {
  const dismissals = useSyncExternalStore(subscribe, () => version);
  const items = useStore(useShallow((s) => stripIncidents(s.incidents, (id) => dismissed.has(id))));
  const strip = useRef<HTMLElement>(null);
  useHeightHeld(strip, items.length > 0, dismissals);
  if (items.length === 0) return null;
  return (
    <section className="incident-strip" aria-label="Incidents" data-testid="incident-strip" ref={strip}>
      {items.map((incident) => (
        <IncidentStripItem key={incident.id} incident={incident} actions={actions?.(incident)} />
      ))}
    </section>
  );
}

/**
 * Holds the tallest height the element has had at its width as its min-height: a row coming and going
 * (an incident opens beside the last closed one, then closes) would otherwise move everything under
 * it, the whole topology, twice per incident. A new width or a dismissal lets it shrink again.
 */
function useHeightHeld(ref: RefObject<HTMLElement | null>, shown: boolean, dismissals: number): void {
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || !shown) return;
    let width = Number.NaN;
    let held = 0;
    let frame = 0;
    const observer = new ResizeObserver(() => {
      const box = el.getBoundingClientRect();
      if (box.width !== width) {
        width = box.width;
        held = 0;
        // Back to the content's own height, in the next frame: a size changed inside this callback
        // would be a ResizeObserver loop. The observer then comes back with that height.
        if (el.style.minHeight !== '') {
          frame = requestAnimationFrame(() => (el.style.minHeight = ''));
          return;
        }
      }
      if (box.height > held) {
        held = box.height;
        el.style.minHeight = `${box.height}px`;
      }
    });
    observer.observe(el);
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
      el.style.minHeight = '';
    };
  }, [ref, shown, dismissals]);
}

/** One incident's row of markers. */
export function IncidentStripItem({ incident, actions }: { incident: Incident; actions?: ReactNode }) {
  const observedOnly = incident.stages.injected === undefined;
  // Active-active has no standby: nothing fails over, the others carry on.
  const noFailover = useStore((s) => s.lab.topology?.kind === 'active-active');
  return (
    <article className={`strip-incident${incident.open ? ' open' : ''}`} data-testid="incident-strip-item" data-incident={incident.id} data-node={incident.nodeId} data-open={incident.open}>
      <header className="strip-head">
        {/* Closed without a recovery (a false alarm: the node still answered, nothing failed over) is "over", not "recovered". */}
        <span
          className={`status ${incident.open ? 'status-warn' : 'status-ok'}`}
          data-testid="strip-outcome"
          title={incident.failover?.reason ?? undefined}
        >
          {incident.open ? 'incident' : incident.stages.recovered !== undefined ? 'recovered' : 'over'}
        </span>
        <span className="mono strip-node">{incident.nodeId}</span>
        <span className="muted small strip-cause">{incident.cause}</span>
      </header>
      <ol className="strip-stages">
        {STRIP_STAGES.map(({ stage, word }) => {
          // A process that died without a fault starts at its exit ("observed"), shown in the injected slot.
          const key: IncidentStage = stage === 'injected' && observedOnly ? 'observed' : stage;
          const ms = offsetOf(incident, key);
          // Once recovered, a stage never reached will not come (active-active has nothing to fail over to).
          const skipped = ms === null && (!incident.open || (stage === 'failedOver' && noFailover));
          return (
            <li
              key={stage}
              className={`strip-stage strip-stage-${stage}${ms !== null ? ' reached' : ''}${skipped ? ' skipped' : ''}`}
              data-testid={`strip-stage-${stage}`}
              data-reached={ms !== null}
              data-ms={ms ?? ''}
            >
              <span className="strip-dot" aria-hidden="true" />
              <span className="strip-word">{key === 'observed' ? 'exited' : word}</span>
              <span className="mono strip-ms">{ms === null ? (skipped ? (stage === 'failedOver' && noFailover ? 'none needed' : 'none') : '…') : key === 'observed' || stage === 'injected' ? '0 ms' : `+${formatMs(ms)}`}</span>
            </li>
          );
        })}
      </ol>
      <dl className="strip-figures">
        <dt>
          <Term id="mttd">MTTD</Term>
        </dt>
        <dd data-testid="strip-mttd">{formatMs(incident.mttdMs)}</dd>
        <dt>
          <Term id="mttr">MTTR</Term>
        </dt>
        <dd data-testid="strip-mttr">{formatMs(incident.mttrMs)}</dd>
        {incident.lostWrites !== null ? (
          <>
            <dt>lost</dt>
            <dd className={incident.lostWrites ? 'bad' : ''}>{incident.lostWrites}</dd>
          </>
        ) : null}
      </dl>
      {actions ? <div className="strip-actions">{actions}</div> : null}
      <button type="button" className="quiet strip-dismiss" aria-label={`Dismiss the incident of ${incident.nodeId}`} title="Dismiss (the Incidents view keeps it)" data-testid="incident-strip-dismiss" onClick={() => dismiss(incident.id)}>
        ×
      </button>
    </article>
  );
}
