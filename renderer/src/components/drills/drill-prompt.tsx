import type { ActWords } from '../../../../shared/drill/act-words.js';
import type { OperatorWait } from '../../../../shared/drill/run.js';
import { answerPrediction, completeAction, continueDrill } from '../../connection/lab-commands.js';
import { useStore } from '../../store/store.js';
import { InlineMarkdown } from '../markdown.js';
import { DrillActHint } from './drill-act-hint.js';
import { Narration } from './narration.js';

/** What the drill waits on from the operator: a prediction to answer, or a manual action to do (or hand to the lab). */
export function DrillPrompt({ wait, act = null }: { wait: OperatorWait; act?: ActWords | null }) {
  const busy = useStore((s) => s.drill.busy !== null);
  if (wait.kind === 'predict') {
    const options = wait.options ?? [];
    return (
      <section className="drill-prompt predict" data-testid="drill-prompt" data-kind="predict" data-step={wait.step} aria-labelledby="drill-prompt-tag">
        <p className="drill-prompt-tag" id="drill-prompt-tag">
          Predict — the drill goes on once you answer
        </p>
        <Narration markdown={wait.text} testId="drill-prompt-text" />
        <div className="drill-options" role="group" aria-label="Your answer">
          {options.map((option, i) => (
            <button key={i} type="button" className="drill-option" data-testid={`drill-option-${i}`} aria-keyshortcuts={String(i + 1)} disabled={busy} onClick={() => void answerPrediction(i)}>
              <kbd>{i + 1}</kbd>
              <InlineMarkdown text={option} />
            </button>
          ))}
        </div>
        <p className="muted small">
          Keys <kbd>1</kbd>–<kbd>{options.length}</kbd> answer while this question waits.
        </p>
      </section>
    );
  }
  if (wait.kind === 'continue') {
    return (
      <section className="drill-prompt continue" data-testid="drill-prompt" data-kind="continue" data-step={wait.step} aria-labelledby="drill-prompt-tag">
        <p className="drill-prompt-tag" id="drill-prompt-tag">
          Paused before a fault — the drill goes on when you do
        </p>
        <Narration markdown={wait.text} testId="drill-prompt-text" />
        <div className="button-row">
          <button type="button" className="primary" data-testid="drill-continue" aria-keyshortcuts="N" disabled={busy} onClick={() => void continueDrill()}>
            Continue <kbd>N</kbd>
          </button>
        </div>
      </section>
    );
  }
  return (
    <section className="drill-prompt action" data-testid="drill-prompt" data-kind="action" data-step={wait.step} aria-labelledby="drill-prompt-tag">
      <p className="drill-prompt-tag" id="drill-prompt-tag">
        Your move — the drill waits until it is done
      </p>
      <Narration markdown={wait.text} testId="drill-prompt-text" />
      <DrillActHint act={act} canPerform={wait.canPerform} />
      <div className="button-row">
        <button type="button" className="primary" data-testid="drill-action-done" aria-keyshortcuts="A" disabled={busy} onClick={() => void completeAction(false)}>
          Done <kbd>A</kbd>
        </button>
        {wait.canPerform ? (
          <button type="button" data-testid="drill-action-perform" aria-keyshortcuts="P" disabled={busy} onClick={() => void completeAction(true)}>
            Do it for me <kbd>P</kbd>
          </button>
        ) : null}
      </div>
    </section>
  );
}
