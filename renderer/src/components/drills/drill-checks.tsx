import type { DrillRunStatus } from '../../../../shared/drill/run.js';
import { hypothesisBound, hypothesisValue } from '../../../../shared/report/report-facts.js';
import { VerdictBadge } from './verdict-badge.js';

/** The steady-state hypothesis, bound by bound, as the runner checks it all along. */
export function HypothesisChecks({ run }: { run: DrillRunStatus }) {
  return (
    <section aria-labelledby="drill-hypothesis-heading" data-testid="drill-hypothesis">
      <h3 id="drill-hypothesis-heading">Steady state</h3>
      {run.hypothesis.length === 0 ? <p className="muted small">This drill states no bound.</p> : null}
      <ul className="check-list">
        {run.hypothesis.map((check) => (
          <li key={check.name} className={`check check-${check.verdict}`} data-testid={`drill-hypothesis-${check.name}`} data-verdict={check.verdict}>
            <VerdictBadge verdict={check.verdict} />
            <div>
              <p className="check-title" title={hypothesisBound(check)}>
                {check.sentence || hypothesisBound(check)}
              </p>
              <p className="small muted" data-testid={`drill-hypothesis-${check.name}-detail`}>
                {check.detail || `now ${hypothesisValue(check.name, check.observed)} · worst ${hypothesisValue(check.name, check.worst)}`}
              </p>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Every `expect` step of the drill: pending until the runner has its verdict, then pass or fail with what was seen. */
export function ExpectationChecks({ run }: { run: DrillRunStatus }) {
  const results = new Map(run.expectations.map((e) => [e.step, e]));
  const expects = run.steps.filter((step) => step.kind === 'expect');
  const passed = run.expectations.filter((e) => e.verdict === 'pass').length;
  return (
    <section aria-labelledby="drill-expectations-heading" data-testid="drill-expectations">
      <h3 id="drill-expectations-heading">
        Expectations <span className="muted small">{passed} of {expects.length} passed</span>
      </h3>
      <ul className="check-list">
        {expects.map((step) => {
          const result = results.get(step.index);
          const verdict = result?.verdict ?? (run.state === 'finished' ? 'skipped' : 'pending');
          return (
            <li key={step.index} className={`check check-${verdict}${step.status === 'running' ? ' checking' : ''}`} data-testid={`drill-expectation-${step.index}`} data-verdict={verdict}>
              <VerdictBadge verdict={verdict} />
              <div>
                {/* The plain sentence; the drill's own syntax a hover away. */}
                <p className="check-title" title={result?.description ?? step.label}>
                  {result?.sentence || step.sentence || result?.description || step.label}
                </p>
                {result?.missed ? (
                  <p className="small" data-testid={`drill-expectation-${step.index}-missed`}>
                    {result.missed}
                  </p>
                ) : result?.detail ? (
                  <p className="small muted">{result.detail}</p>
                ) : step.status === 'running' ? (
                  <p className="small muted">checking now…</p>
                ) : null}
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
