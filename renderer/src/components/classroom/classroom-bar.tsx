import type { PredictionRecord } from '../../../../shared/drill/run.js';
import { useStore } from '../../store/store.js';
import { useClassroom, vote, voteKey } from './classroom-state.js';

/**
 * While the drill asks for a prediction: a viewer votes here (on every view), and the teacher sees
 * the class's tally grow (the teacher's own answer stays in the drill's prompt).
 */
export function ClassroomBar() {
  const run = useStore((s) => s.drill.run);
  const status = useClassroom((s) => s.status);
  const votes = useClassroom((s) => s.votes);
  const wait = run?.waitingFor;
  if (!run || wait?.kind !== 'predict' || !status) return null;
  const prediction = run.predictions.find((p) => p.step === wait.step);
  const options = wait.options ?? [];
  if (status.role === 'viewer') {
    const mine = votes[voteKey(run.runId, wait.step)];
    return (
      <section className="classroom-bar viewer" data-testid="classroom-vote" data-step={wait.step} aria-label="Your prediction">
        <p className="classroom-question">
          <strong>Predict:</strong> {wait.text}
        </p>
        <div className="drill-options" role="group" aria-label="Your vote">
          {options.map((option, i) => (
            <button key={i} type="button" className="drill-option" data-testid={`vote-option-${i}`} aria-pressed={mine === i} onClick={() => void vote(i)}>
              <span>{option}</span>
            </button>
          ))}
        </div>
        <p className="muted small" data-testid="vote-mine">
          {mine === undefined ? 'Choose one; you may change it until the teacher answers.' : `Your vote: ${options[mine] ?? ''}. You may change it until the teacher answers.`}
        </p>
      </section>
    );
  }
  if (!status.on && !prediction?.tally) return null;
  return <ClassTally prediction={prediction} options={options} />;
}

/** The class's votes, option by option, as counts and bars. */
export function ClassTally({ prediction, options }: { prediction: PredictionRecord | undefined; options: string[] }) {
  const tally = prediction?.tally ?? options.map(() => 0);
  const total = tally.reduce((a, b) => a + b, 0);
  return (
    <section className="classroom-bar tally" data-testid="classroom-tally" data-total={total} aria-label="The class's votes">
      <p className="classroom-question">
        <strong>Class votes</strong> <span className="muted">({total === 1 ? '1 vote' : `${total} votes`})</span>
      </p>
      <ol className="tally-list">
        {options.map((option, i) => {
          const count = tally[i] ?? 0;
          return (
            <li key={i} data-testid={`tally-${i}`} data-count={count}>
              <span className="tally-label">{option}</span>
              <span className="tally-bar" aria-hidden="true">
                <span style={{ width: `${total === 0 ? 0 : Math.round((count / total) * 100)}%` }} />
              </span>
              <span className="tally-count">{count}</span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
