import type { DrillRunStatus } from '../../../../shared/drill/run.js';
import { optionText } from '../../../../shared/report/report-facts.js';
import { openReport, runDrillAgain } from '../../connection/lab-commands.js';
import { formatMs } from '../../format.js';
import { showDrillLibrary } from '../../store/actions.js';
import { useStore } from '../../store/store.js';
import { setView } from '../../store/ui-actions.js';
import { InlineMarkdown } from '../markdown.js';
import { ReplayDrillButton } from '../replay/replay-buttons.js';
import { DrillNumbers, LabAfterNote } from './drill-numbers.js';
import { VerdictBadge } from './verdict-badge.js';

const VERDICT_LINES = {
  pass: 'Every expectation held and the steady state was kept.',
  fail: 'Something the drill expected did not happen, or the steady state broke.',
  aborted: 'The drill was stopped early; every fault was reverted.',
  error: 'The drill could not run to its end.',
} as const;

/** The end of a run: the verdict and why, each prediction beside what happened, and the way to the report. */
export function DrillVerdict({ run }: { run: DrillRunStatus }) {
  const busy = useStore((s) => s.drill.busy);
  if (!run.verdict) return null;
  const reportId = run.reportId;
  return (
    <section className={`drill-verdict verdict-${run.verdict}`} data-testid="drill-verdict" data-verdict={run.verdict} aria-labelledby="drill-verdict-heading">
      <header className="drill-verdict-head">
        <VerdictBadge verdict={run.verdict} large testId="drill-verdict-badge" />
        <div>
          <h3 id="drill-verdict-heading">{VERDICT_LINES[run.verdict]}</h3>
          <p data-testid="drill-verdict-reason">{run.reason ?? ''}</p>
          <p className="muted small">
            took {formatMs(run.elapsedMs)} · seed {run.seed} · {run.profile} profile{run.auto ? ' · auto' : ''}
          </p>
        </div>
      </header>
      {run.predictions.length > 0 ? (
        <ul className="drill-predictions" data-testid="drill-predictions" aria-label="Your predictions beside what happened">
          {run.predictions.map((p) => (
            <li key={p.step} className="drill-prediction" data-testid={`drill-prediction-${p.step}`} data-correct={p.correct === null ? 'unknown' : String(p.correct)}>
              <p className="check-title">
                <InlineMarkdown text={p.question} />
              </p>
              <dl className="drill-facts">
                <dt>You said</dt>
                <dd>
                  {p.answer === null ? (run.auto ? 'not asked (auto run)' : 'not answered') : <InlineMarkdown text={optionText(p.options, p.answer)} />}
                  {p.correct === true ? <span className="ok-word"> ✓ right</span> : p.correct === false ? <span className="bad"> ✗ not this time</span> : null}
                </dd>
                {p.explanation ? (
                  <>
                    <dt>Why</dt>
                    <dd data-testid={`drill-why-${p.step}`}>
                      <InlineMarkdown text={p.explanation} />
                    </dd>
                  </>
                ) : null}
                {p.expected !== null && p.correct !== true ? (
                  <>
                    <dt>Expected</dt>
                    <dd>
                      <InlineMarkdown text={optionText(p.options, p.expected)} />
                      {p.explain[p.expected] ? (
                        <p className="small">
                          <InlineMarkdown text={p.explain[p.expected] ?? ''} />
                        </p>
                      ) : null}
                    </dd>
                  </>
                ) : null}
                <dt>What happened</dt>
                <dd>{p.outcome ? <InlineMarkdown text={p.outcome} /> : '—'}</dd>
              </dl>
            </li>
          ))}
        </ul>
      ) : null}
      <DrillNumbers run={run} />
      <LabAfterNote run={run} />
      <div className="button-row">
        <button
          type="button"
          className="primary"
          data-testid="drill-open-report"
          aria-keyshortcuts="O"
          disabled={reportId === null}
          title={reportId === null ? 'No report was written for this run' : undefined}
          onClick={() => {
            if (reportId === null) return;
            setView('reports');
            void openReport(reportId);
          }}
        >
          Open report
        </button>
        <ReplayDrillButton run={run} />
        <button type="button" data-testid="drill-run-again" disabled={busy !== null} title={`seed ${run.seed}, ${run.profile} profile${run.auto ? ', auto' : ''}`} onClick={() => void runDrillAgain(run)}>
          Run again
        </button>
        <button type="button" className="quiet" data-testid="drill-back" onClick={showDrillLibrary}>
          Back to the drills
        </button>
      </div>
    </section>
  );
}
