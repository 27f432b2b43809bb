import { useEffect, useState } from 'react';
import type { DrillRunStatus } from '../../../../shared/drill/run.js';
import type { DrillSpec } from '../../../../shared/drill/schema.js';
import { abortDrill } from '../../connection/lab-commands.js';
import { formatMs } from '../../format.js';
import { useStore } from '../../store/store.js';
import { ExpectationChecks, HypothesisChecks } from './drill-checks.js';
import { actOfStep, useRunSpec } from './drill-act.js';
import { DrillActSettings, DrillLabCards } from './drill-lab-cards.js';
import { DrillLiveStrip } from './drill-live-strip.js';
import { DrillNow } from './drill-now.js';
import { DrillPrompt } from './drill-prompt.js';
import { DrillScript } from './drill-script.js';
import { isStepOver } from './drill-text.js';
import { DrillVerdict } from './drill-verdict.js';

const STATE_WORDS: Record<DrillRunStatus['state'], string> = {
  preparing: 'setting up the lab',
  running: 'running',
  waiting: 'waiting for you',
  finishing: 'putting the lab back',
  finished: 'finished',
};

/**
 * Drill mode: the narration in force pinned and whole, the operator's prompt (with where to act),
 * the lab's node cards to act on, the steps so far (folding), the checks, and the verdict.
 */
export function DrillRunView({ run }: { run: DrillRunStatus }) {
  const finished = run.state === 'finished';
  const spec = useRunSpec(run);
  const act = run.waitingFor?.kind === 'action' ? actOfStep(spec, run.waitingFor.step) : null;
  return (
    <div className="drill-run" data-testid="drill-run" data-run={run.runId} data-drill={run.drillId} data-state={run.state} data-verdict={run.verdict ?? ''}>
      <section className="panel drill-run-main" aria-labelledby="drill-run-heading">
        <RunHeader run={run} />
        {finished ? <DrillVerdict run={run} /> : null}
        <DrillNow run={run} />
        {run.waitingFor ? <DrillPrompt wait={run.waitingFor} act={act} /> : null}
        <DrillActSettings act={act} />
        {!finished ? <DrillLabCards act={act} /> : null}
        <DrillSteps run={run} spec={spec} />
      </section>
      <aside className="drill-run-side">
        <section className="panel">
          <DrillLiveStrip />
        </section>
        <section className="panel drill-checks">
          <HypothesisChecks run={run} />
          <ExpectationChecks run={run} />
        </section>
      </aside>
    </div>
  );
}

/** Every step so far and to come, folding: earlier narration stays readable here. */
function DrillSteps({ run, spec }: { run: DrillRunStatus; spec: DrillSpec | null }) {
  const over = run.steps.filter(isStepOver).length;
  return (
    <details className="drill-steps" data-testid="drill-steps" open>
      <summary>
        All steps <span className="muted small mono">({over}/{run.steps.length} done)</span>
      </summary>
      <DrillScript run={run} spec={spec} />
    </details>
  );
}

function RunHeader({ run }: { run: DrillRunStatus }) {
  const busy = useStore((s) => s.drill.busy);
  const finished = run.state === 'finished';
  const total = run.steps.length;
  const over = finished ? total : run.steps.filter(isStepOver).length;
  const percent = total === 0 ? 0 : Math.round((over / total) * 100);
  return (
    <header className="drill-run-head">
      <div className="drill-run-title">
        <h2 id="drill-run-heading">{run.title}</h2>
        <span className={`pill drill-state state-${run.state}`} data-testid="drill-state" data-state={run.state}>
          {STATE_WORDS[run.state]}
        </span>
        <Elapsed run={run} />
      </div>
      <div className="drill-progress-row">
        <div
          className="progress"
          role="progressbar"
          aria-label="Steps done"
          aria-valuemin={0}
          aria-valuemax={total}
          aria-valuenow={over}
          data-testid="drill-progress"
          data-value={over}
          data-total={total}
        >
          <div className={`progress-fill${run.verdict ? ` verdict-${run.verdict}` : ''}`} style={{ width: `${percent}%` }} />
        </div>
        <span className="muted small mono">
          {over}/{total} steps
        </span>
        {!finished ? (
          <button type="button" className="danger drill-abort" data-testid="drill-abort" aria-keyshortcuts="Shift+X" disabled={busy === 'abort'} onClick={() => void abortDrill()}>
            Abort <kbd>Shift+X</kbd>
          </button>
        ) : null}
      </div>
    </header>
  );
}

/** The run's clock: ticks once a second while it runs, the engine's figure once it is over. */
function Elapsed({ run }: { run: DrillRunStatus }) {
  const [now, setNow] = useState(() => Date.now());
  const finished = run.state === 'finished';
  useEffect(() => {
    if (finished) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [finished]);
  const ms = finished ? run.elapsedMs : Math.max(run.elapsedMs, now - run.startedAt);
  return (
    <span className="mono muted" data-testid="drill-elapsed">
      {formatClock(ms)}
    </span>
  );
}

function formatClock(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return formatMs(null);
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
