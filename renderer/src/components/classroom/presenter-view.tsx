import type { DrillRunStatus } from '../../../../shared/drill/run.js';
import { useStore } from '../../store/store.js';
import { Narration } from '../drills/narration.js';
import { IncidentStrip } from '../incidents/incident-strip.js';
import { replayIncidentAction } from '../replay/replay-buttons.js';
import { ReplayScrubber } from '../replay/replay-scrubber.js';
import { ClassroomBar } from './classroom-bar.js';
import { closePresenter, useClassroom } from './classroom-state.js';

/** What the room should read now: the question or instruction the drill waits on, else the step running, else the last one said. */
function currentText(run: DrillRunStatus): { index: number | null; text: string } {
  if (run.waitingFor) return { index: run.waitingFor.step, text: run.waitingFor.text };
  const index = run.current ?? [...run.steps].reverse().find((s) => s.startedAtMs !== null)?.index ?? null;
  const step = index === null ? undefined : run.steps[index];
  if (!step) return { index: null, text: run.state === 'finished' ? `Finished: **${run.verdict ?? ''}**. ${run.reason ?? ''}` : 'The drill is about to start.' };
  return { index, text: step.kind === 'say' || step.kind === 'predict' || step.kind === 'action' ? (step.text ?? step.sentence ?? step.label) : (step.sentence ?? step.label) };
}

/** The presenter view (key P): large type, one step at a time, the incident strip and replay big; for a projector. */
export function PresenterView() {
  const open = useClassroom((s) => s.presenter);
  const run = useStore((s) => s.drill.run);
  const fleetName = useStore((s) => s.lab.fleet.name ?? 'the lab');
  if (!open) return null;
  const now = run ? currentText(run) : null;
  return (
    <div className="presenter" data-testid="presenter" role="dialog" aria-modal="true" aria-labelledby="presenter-title">
      <header className="presenter-head">
        <h2 id="presenter-title">{run ? run.title : fleetName}</h2>
        {run && now?.index !== null && now ? (
          <span className="presenter-step" data-testid="presenter-step">
            step {now.index + 1} of {run.steps.length}
          </span>
        ) : null}
        <button type="button" className="quiet presenter-close" data-testid="presenter-close" aria-keyshortcuts="P" onClick={closePresenter}>
          Close <kbd>P</kbd>
        </button>
      </header>
      <section className="presenter-now" data-testid="presenter-now" aria-live="polite">
        {now ? <Narration markdown={now.text} /> : <p>No drill is running: the lab, live.</p>}
      </section>
      <ClassroomBar />
      <IncidentStrip actions={replayIncidentAction} />
      <ReplayScrubber />
    </div>
  );
}
