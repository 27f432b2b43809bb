import { stepKindOf } from '../../../../shared/drill/schema.js';
import { formatPercent } from '../../../../shared/report/format.js';
import { runChosenDrill } from '../../connection/lab-commands.js';
import { formatMs } from '../../format.js';
import { setDrillOptions } from '../../store/actions.js';
import { isRunning, type DrillDetail as Detail } from '../../store/drill-slice.js';
import { useStore } from '../../store/store.js';
import { LAYOUT, useWidthBelow } from '../../store/ui-layout.js';
import { conceptById } from '../concepts/concepts.js';
import { Term } from '../concepts/term.js';
import { ChaosMeshExportPanel } from './chaos-mesh-export.js';
import { formatAbout, hypothesisLines, stepLine, STEP_KIND_WORDS, topologyLine } from './drill-text.js';

/**
 * The chosen drill, whole (`drill.get`): what it teaches, the steady state it holds to, its steps, and Run.
 * From 1300 px it stands beside the library (`placement` 'side'); narrower, it opens in place under the
 * clicked drill (`placement` 'inline', from the library), never a screen or more below it (issue 14).
 */
export function DrillDetail({ placement = 'side' }: { placement?: 'side' | 'inline' }) {
  const detail = useStore((s) => s.drill.detail);
  const inline = useWidthBelow(LAYOUT.drillPlanInlineBelow);
  if (inline !== (placement === 'inline')) return null;
  if (!detail) {
    return (
      <section className="panel drill-detail" data-testid="drill-detail" data-state="idle">
        <p className="muted">Choose a drill to read its plan, then run it. Each run rebuilds the lab in the drill’s topology.</p>
      </section>
    );
  }
  const { state } = detail;
  return (
    <section
      className={`panel drill-detail${inline ? ' drill-detail-inline' : ''}`}
      aria-labelledby="drill-detail-heading"
      data-testid="drill-detail"
      data-drill={detail.id}
      data-state={state.status}
      data-placement={placement}
    >
      {state.status === 'loading' || state.status === 'idle' ? <p className="muted">Reading the drill…</p> : null}
      {state.status === 'error' ? (
        <p className="field-error" data-testid="drill-detail-error">
          {detail.id}: {state.message}
        </p>
      ) : null}
      {state.status === 'ok' ? <DrillPlan detail={state.data} inline={inline} /> : null}
    </section>
  );
}

function DrillPlan({ detail, inline }: { detail: Detail; inline: boolean }) {
  const { summary, spec } = detail;
  const hypothesis = hypothesisLines(spec);
  return (
    <>
      <header className="drill-detail-head">
        {/* Inline, the card just above already names the drill: the plan starts with what it teaches, for a shorter way to Run. */}
        <h2 id="drill-detail-heading" className={inline ? 'visually-hidden' : undefined}>
          {spec.title}
        </h2>
        <span className="muted small">
          teaches {conceptById(spec.concept) ? <Term id={spec.concept}>{spec.concept}</Term> : spec.concept} · {summary.source === 'builtin' ? 'built in' : summary.path}
        </span>
      </header>
      <p className="drill-summary">{spec.summary}</p>
      <dl className="drill-facts">
        <dt>Topology</dt>
        <dd data-testid="drill-topology">{topologyLine(spec.topology)}</dd>
        <dt>Traffic</dt>
        <dd>
          {spec.traffic.rate ?? 'the lab’s'} requests/s{spec.traffic.readShare !== undefined ? `, ${formatPercent(spec.traffic.readShare, 0)} reads` : ''}
        </dd>
        <dt>Steady state</dt>
        <dd data-testid="drill-hypothesis-plan">{hypothesis.length > 0 ? hypothesis.join(' · ') : 'no bound stated'}</dd>
        {spec.stop ? (
          <>
            <dt>Stops when</dt>
            <dd>
              the error rate stays above {formatPercent(spec.stop.errorRateAbove, 0)} for {formatMs(spec.stop.forMs)}
            </dd>
          </>
        ) : null}
        <dt>Takes</dt>
        <dd>
          {formatAbout(summary.estimatedMs)} of waits (half with the short profile), plus your answers
        </dd>
      </dl>
      <RunForm defaultSeed={spec.seed} />
      <ChaosMeshExportPanel drillId={spec.id} />
      <h3 className="drill-plan-head">Steps ({spec.steps.length})</h3>
      <ol className="drill-plan" data-testid="drill-plan">
        {spec.steps.map((step, index) => {
          const kind = stepKindOf(step);
          return (
            <li key={index} className={`drill-plan-step kind-${kind}`} data-kind={kind}>
              <span className="step-kind">{STEP_KIND_WORDS[kind]}</span> <span>{stepLine(step)}</span>
            </li>
          );
        })}
      </ol>
    </>
  );
}

/** Seed, profile and auto, then Run (R). */
function RunForm({ defaultSeed }: { defaultSeed: number }) {
  const options = useStore((s) => s.drill.options);
  const busy = useStore((s) => s.drill.busy);
  const running = useStore((s) => isRunning(s.drill.run));
  const runError = useStore((s) => s.drill.runError);
  const connected = useStore((s) => s.connection.status === 'open');
  return (
    <form
      className="drill-run-form"
      data-testid="drill-run-form"
      onSubmit={(event) => {
        event.preventDefault();
        void runChosenDrill();
      }}
    >
      <label className="field">
        <span className="field-label">Seed</span>
        <input
          type="number"
          min={0}
          step={1}
          inputMode="numeric"
          data-testid="drill-seed"
          placeholder={`${defaultSeed} (the drill’s)`}
          value={options.seed ?? ''}
          onChange={(event) => {
            const value = event.target.value.trim();
            const seed = Number(value);
            setDrillOptions({ seed: value === '' || !Number.isInteger(seed) || seed < 0 ? null : seed });
          }}
        />
      </label>
      <label className="field field-check">
        <input type="checkbox" data-testid="drill-short" checked={options.short} onChange={(event) => setDrillOptions({ short: event.target.checked })} />
        Short profile (waits and traffic halved)
      </label>
      <label className="field field-check">
        <input type="checkbox" data-testid="drill-auto" checked={options.auto} onChange={(event) => setDrillOptions({ auto: event.target.checked })} />
        Auto (the lab does the actions; predictions are skipped)
      </label>
      <label className="field field-check">
        <input
          type="checkbox"
          data-testid="drill-pause-before-faults"
          checked={options.pauseBeforeFaults && !options.auto}
          disabled={options.auto}
          onChange={(event) => setDrillOptions({ pauseBeforeFaults: event.target.checked })}
        />
        Pause before faults (the drill waits for you before each one)
      </label>
      <label className="field field-check">
        <input type="checkbox" data-testid="drill-put-back" checked={options.putBack} onChange={(event) => setDrillOptions({ putBack: event.target.checked })} />
        Put the lab back afterwards (topology, balancer, traffic)
      </label>
      <button type="submit" className="primary drill-run-button" data-testid="drill-run" aria-keyshortcuts="R" disabled={!connected || busy !== null || running}>
        {busy === 'run' ? 'Starting…' : 'Run'} <kbd>R</kbd>
      </button>
      {running ? <p className="muted small">A drill is running: abort it or let it finish first.</p> : null}
      {runError ? (
        <p className="field-error" data-testid="drill-run-error" role="alert">
          {runError}
        </p>
      ) : null}
    </form>
  );
}
