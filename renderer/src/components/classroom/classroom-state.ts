// Classroom mode as this page sees it: its role (a viewer is read-only), the teacher's link, its own
// votes, and the presenter view. Kept apart from the lab's store: none of it is the lab's state.
import { create } from 'zustand';
import type { ClassroomStatus } from '../../../../shared/contract/classroom.js';
import { query, runCommand } from '../../connection/connection.js';
import { useStore } from '../../store/store.js';

interface ClassroomState {
  status: ClassroomStatus | null;
  /** This viewer's vote per prediction (`runId:step` -> option), to show which one it chose. */
  votes: Record<string, number>;
  presenter: boolean;
}

export const useClassroom = create<ClassroomState>(() => ({ status: null, votes: {}, presenter: false }));

export const isViewer = (): boolean => useClassroom.getState().status?.role === 'viewer';

function apply(status: ClassroomStatus): void {
  useClassroom.setState({ status });
  // A viewer's page hides every control (styles.css, `:root.viewer`); the host refuses them anyway.
  document.documentElement.classList.toggle('viewer', status.role === 'viewer');
}

/** Reads the caller's role and the classroom's state (on every connect, and while Settings > Classroom is open). */
export async function refreshClassroom(): Promise<void> {
  try {
    apply(await query('classroom.status', {}));
  } catch {
    // an engine without classroom mode: this page is the operator's, as before
  }
}

// On every connect (the connection going open), the role is read again: the connection need not know of classroom mode.
useStore.subscribe((state, prev) => {
  if (state.connection.status === 'open' && prev.connection.status !== 'open') void refreshClassroom();
});

/** The teacher's switch: on (loopback) or off. */
export async function setClassroomOn(on: boolean): Promise<void> {
  const status = await runCommand('classroom', on ? 'classroom.start' : 'classroom.stop', {});
  if (status) apply(status as ClassroomStatus);
}

export const voteKey = (runId: string, step: number): string => `${runId}:${step}`;

/** A viewer's vote on the prediction the drill waits on (a new one replaces it). */
export async function vote(option: number): Promise<void> {
  const run = useStore.getState().drill.run;
  const wait = run?.waitingFor;
  if (!run || wait?.kind !== 'predict') return;
  const done = await runCommand('vote', 'drill.vote', { runId: run.runId, step: wait.step, option });
  if (done === undefined) return;
  useClassroom.setState((s) => ({ votes: { ...s.votes, [voteKey(run.runId, wait.step)]: option } }));
}

export function togglePresenter(): void {
  useClassroom.setState((s) => ({ presenter: !s.presenter }));
}

export function closePresenter(): void {
  useClassroom.setState({ presenter: false });
}
