import { useEffect, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { DrillSummary } from '../../../../shared/drill/run.js';
import { DrillConcepts } from '../../../../shared/drill/schema.js';
import { chooseDrill, loadDrills } from '../../connection/lab-commands.js';
import { useStore } from '../../store/store.js';
import { LAYOUT, useWidthBelow } from '../../store/ui-layout.js';
import { conceptById } from '../concepts/concepts.js';
import { Term } from '../concepts/term.js';
import { DrillDetail } from './drill-detail.js';
import { formatAbout } from './drill-text.js';
import './drill-layout.css';

/** The drills grouped by the concept they teach, in the order the concepts build on each other. */
function byConcept(drills: DrillSummary[]): Array<[string, DrillSummary[]]> {
  const groups = new Map<string, DrillSummary[]>();
  for (const concept of DrillConcepts) groups.set(concept, []);
  for (const drill of drills) groups.set(drill.concept, [...(groups.get(drill.concept) ?? []), drill]);
  return [...groups].filter(([, list]) => list.length > 0);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The library (`drill.list`): pick a drill to see it whole. */
export function DrillLibrary() {
  const library = useStore((s) => s.drill.library);
  const chosenId = useStore((s) => s.drill.chosenId);
  const inline = useWidthBelow(LAYOUT.drillPlanInlineBelow);
  const clicked = useBringRunIntoView(inline);
  return (
    <section className="panel drill-library" aria-labelledby="drills-heading" data-testid="drill-library" data-state={library.status}>
      <header className="panel-head">
        <h2 id="drills-heading">Drills</h2>
        <button type="button" className="quiet small" data-testid="drills-refresh" onClick={() => void loadDrills()}>
          Refresh
        </button>
      </header>
      <p className="muted small">Guided failure drills: narration, a prediction, a fault, your own actions, and expectations checked live.</p>
      {library.status === 'loading' || library.status === 'idle' ? <p className="muted">Loading the drills…</p> : null}
      {library.status === 'error' ? (
        <p className="field-error" data-testid="drills-unavailable">
          The engine has no drills to offer ({library.message}).
        </p>
      ) : null}
      {library.status === 'ok' ? (
        <>
          {library.data.drills.length === 0 ? <p className="muted">No drills found.</p> : null}
          <div data-testid="drill-list">
            {byConcept(library.data.drills).map(([concept, drills]) => (
              <section key={concept} className="drill-group" data-testid={`drill-group-${concept}`} aria-label={concept}>
                <h3 className="drill-group-head">{conceptById(concept) ? <Term id={concept}>{concept}</Term> : concept}</h3>
                <ul className="drill-cards">
                  {drills.map((d) => (
                    <li key={d.id} data-drill-item={d.id}>
                      <button
                        type="button"
                        className="drill-card"
                        data-testid={`drill-card-${d.id}`}
                        data-drill={d.id}
                        aria-pressed={chosenId === d.id}
                        onClick={() => {
                          clicked.current = d.id;
                          void chooseDrill(d.id);
                        }}
                      >
                        <span className="drill-card-title">{d.title}</span>
                        <span className="drill-card-summary">{d.summary}</span>
                        <span className="drill-card-facts muted">
                          {formatAbout(d.estimatedMs)} · {plural(d.predictions, 'prediction')} · {plural(d.actions, 'action')} · {plural(d.steps, 'step')}
                          {d.source === 'file' ? ' · yours' : ''}
                        </span>
                      </button>
                      {inline && chosenId === d.id ? <DrillDetail placement="inline" /> : null}
                    </li>
                  ))}
                </ul>
              </section>
            ))}
          </div>
          <DrillProblems />
        </>
      ) : null}
    </section>
  );
}

/**
 * Below 1300 px, once the plan of a drill just clicked has loaded under it: scrolls the page just
 * enough for its Run button to show, never so far that the drill's card leaves the top.
 * Returns the ref to set to the id of the card clicked.
 */
function useBringRunIntoView(inline: boolean) {
  const clicked = useRef<string | null>(null);
  const detail = useStore((s) => s.drill.detail);
  const ready = detail?.state.status === 'ok' ? detail.id : null;
  useEffect(() => {
    if (!inline || ready === null || clicked.current !== ready) return;
    clicked.current = null;
    const item = document.querySelector(`[data-drill-item="${CSS.escape(ready)}"]`);
    const run = item?.querySelector('.drill-run-button');
    if (!item || !run) return;
    const margin = 16;
    const below = run.getBoundingClientRect().bottom + margin - window.innerHeight;
    const room = item.getBoundingClientRect().top - margin;
    if (below > 0) window.scrollBy({ top: Math.min(below, Math.max(0, room)), behavior: 'instant' });
  }, [inline, ready]);
  return clicked;
}

/** Drill files that did not load, each naming its file, line and field. */
function DrillProblems() {
  const problems = useStore(useShallow((s) => (s.drill.library.status === 'ok' ? s.drill.library.data.problems : [])));
  if (problems.length === 0) return null;
  return (
    <details className="drill-problems" data-testid="drill-problems" open>
      <summary>
        {plural(problems.length, 'drill file')} could not be read
      </summary>
      <ul>
        {problems.map((p) => (
          <li key={p} className="field-error small mono">
            {p}
          </li>
        ))}
      </ul>
    </details>
  );
}
