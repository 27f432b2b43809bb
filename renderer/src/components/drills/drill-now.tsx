import type { DrillRunStatus } from '../../../../shared/drill/run.js';
import { Narration } from './narration.js';

/**
 * The narration in force, pinned above the prompt and the lab and shown whole: the latest `say`
 * the run has reached stays until the next one, so the fault that follows it does not take it away.
 */
export function DrillNow({ run }: { run: DrillRunStatus }) {
  const reached = run.current ?? (run.state === 'finished' ? run.steps.length : -1);
  const said = [...run.steps].reverse().find((s) => s.kind === 'say' && s.index <= reached && s.status !== 'pending' && s.status !== 'skipped' && s.text);
  if (!said?.text) return null;
  return (
    <section className="drill-now" data-testid="drill-now" data-step={said.index} aria-label="The drill says">
      <Narration markdown={said.text} testId="drill-now-text" />
    </section>
  );
}
