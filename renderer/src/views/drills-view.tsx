import { conceptById } from '../components/concepts/concepts.js';
import { Term } from '../components/concepts/term.js';
import { formatMs } from '../format.js';
import { useQuery } from './use-query.js';

/** The drills on offer (`drill.list`). Running one, step by step, comes with drill mode. */
export function DrillsView() {
  const drills = useQuery('drill.list', {});
  return (
    <section className="panel" aria-labelledby="drills-heading" data-testid="drills-view" data-state={drills.status}>
      <h2 id="drills-heading">Drills</h2>
      <p className="muted">Guided failure drills: narration, predictions, manual actions and live expectations. Drill mode is coming; here is what the engine offers.</p>
      {drills.status === 'loading' ? <p className="muted">Loading the drills…</p> : null}
      {drills.status === 'error' ? (
        <p className="muted" data-testid="drills-unavailable">
          The engine has no drills to offer yet ({drills.message}).
        </p>
      ) : null}
      {drills.status === 'ok' ? (
        <>
          <ul className="card-list" data-testid="drill-list">
            {drills.data.drills.map((d) => (
              <li key={d.id} className="card" data-testid="drill-item" data-drill={d.id}>
                <h3>{d.title}</h3>
                <p className="muted small">
                  {conceptById(d.concept) ? <Term id={d.concept}>{d.concept}</Term> : d.concept} · {d.steps} steps · about {formatMs(d.estimatedMs)} · {d.predictions}{' '}
                  {d.predictions === 1 ? 'prediction' : 'predictions'} · {d.source}
                </p>
                <p>{d.summary}</p>
              </li>
            ))}
          </ul>
          {drills.data.drills.length === 0 ? <p className="muted">No drills found.</p> : null}
          {drills.data.problems.map((p) => (
            <p key={p} className="field-error small">
              {p}
            </p>
          ))}
        </>
      ) : null}
    </section>
  );
}
