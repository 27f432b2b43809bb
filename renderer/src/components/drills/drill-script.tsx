import { useEffect, useRef } from 'react';
import type { DrillRunStatus, PredictionRecord, StepRecord, StepStatus } from '../../../../shared/drill/run.js';
import { optionText } from '../../../../shared/report/report-facts.js';
import type { DrillSpec } from '../../../../shared/drill/schema.js';
import { formatMs } from '../../format.js';
import { InlineMarkdown } from '../markdown.js';
import { actOfStep } from './drill-act.js';
import { STEP_KIND_WORDS } from './drill-text.js';
import { Narration } from './narration.js';

const STATUS_MARK: Record<StepStatus, string> = { pending: '·', running: '▶', waiting: '?', done: '✓', passed: '✓', failed: '✗', skipped: '–' };
const STATUS_WORD: Record<StepStatus, string> = {
  pending: 'to come',
  running: 'now',
  waiting: 'waiting for you',
  done: 'done',
  passed: 'passed',
  failed: 'failed',
  skipped: 'skipped',
};

/** The drill as it plays: narration in full once reached, every other step as one line; the current one highlighted and kept in sight. */
export function DrillScript({ run, spec = null }: { run: DrillRunStatus; spec?: DrillSpec | null }) {
  const list = useRef<HTMLOListElement>(null);
  const predictions = new Map(run.predictions.map((p) => [p.step, p]));
  useEffect(() => {
    const container = list.current;
    const current = container?.querySelector<HTMLElement>('[aria-current="step"]');
    if (!container || !current) return;
    // Scroll the script only, not the page (the prompt and the checks stay put): the current step a
    // quarter down, with the end of what came before still in sight. The list is positioned, so
    // offsetTop is measured from its own top.
    container.scrollTo({ top: Math.max(0, current.offsetTop - container.clientHeight / 4), behavior: 'smooth' });
  }, [run.current, run.runId]);
  return (
    <ol className="drill-script" ref={list} data-testid="drill-script" aria-label="The drill, step by step">
      {run.steps.map((step) => (
        <ScriptStep key={step.index} step={step} current={run.current === step.index} prediction={predictions.get(step.index)} seen={step.performedBy === 'operator' ? (actOfStep(spec, step.index)?.seen ?? null) : null} />
      ))}
    </ol>
  );
}

function ScriptStep({ step, current, prediction, seen }: { step: StepRecord; current: boolean; prediction: PredictionRecord | undefined; seen: string | null }) {
  const reached = (step.status !== 'pending' && step.status !== 'skipped') || current;
  const took = step.startedAtMs !== null && step.endedAtMs !== null ? step.endedAtMs - step.startedAtMs : null;
  return (
    <li
      className={`script-step kind-${step.kind} step-${step.status}${current ? ' current' : ''}${reached ? '' : ' ahead'}`}
      data-testid={`drill-step-${step.index}`}
      data-kind={step.kind}
      data-status={step.status}
      aria-current={current ? 'step' : undefined}
    >
      <span className="step-mark" aria-label={STATUS_WORD[step.status]} title={STATUS_WORD[step.status]}>
        {STATUS_MARK[step.status]}
      </span>
      <div className="step-body">
        {reached && step.kind === 'say' && step.text ? (
          <Narration markdown={step.text} />
        ) : (
          <p className="step-line">
            <span className="step-kind">{STEP_KIND_WORDS[step.kind]}</span> <InlineMarkdown text={reached && step.text && step.kind !== 'say' ? step.text : (step.sentence ?? step.label)} />
          </p>
        )}
        {prediction && prediction.answer !== null ? (
          <p className="small">
            You said: <strong>
              <InlineMarkdown text={optionText(prediction.options, prediction.answer)} />
            </strong>
          </p>
        ) : null}
        {step.kind === 'action' && step.performedBy ? (
          <p className="small muted" data-testid={`drill-step-done-${step.index}`} data-by={step.performedBy}>
            {step.performedBy === 'auto' ? 'done by the lab' : seen ? `seen: ${seen}` : 'done by you'}
          </p>
        ) : null}
        {step.error ? <p className="field-error small">{step.error}</p> : null}
        {took !== null && step.kind !== 'say' && step.kind !== 'mark' ? <span className="step-took muted small mono">{formatMs(took)}</span> : null}
      </div>
    </li>
  );
}
