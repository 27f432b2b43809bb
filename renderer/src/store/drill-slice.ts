import type { StateCreator } from 'zustand';
import type { DrillRunStatus, DrillSummary } from '../../../shared/drill/run.js';
import type { DrillSpec } from '../../../shared/drill/schema.js';
import type { Store } from './store.js';

/** Data fetched on demand: not asked yet, on its way, here, or what went wrong. */
export type Loadable<T> = { status: 'idle' } | { status: 'loading' } | { status: 'ok'; data: T } | { status: 'error'; message: string };

export type DrillLibrary = { drills: DrillSummary[]; problems: string[] };
export type DrillDetail = { summary: DrillSummary; spec: DrillSpec };

/** How the operator asked a drill to run. */
export type DrillRunOptions = {
  seed: number | null;
  short: boolean;
  auto: boolean;
  /** Learning mode: the drill waits before each fault (on by default; moot with auto). */
  pauseBeforeFaults: boolean;
  /** After the run, the lab's topology, balancer and traffic go back to what they were (on by default). */
  putBack: boolean;
};

export type DrillSlice = {
  drill: {
    library: Loadable<DrillLibrary>;
    /** The drill picked in the library (its detail shows). */
    chosenId: string | null;
    detail: { id: string; state: Loadable<DrillDetail> } | null;
    options: DrillRunOptions;
    /** The running drill, or the last one to finish (`drill.status`, `drill.step`, `drill.verdict`). */
    run: DrillRunStatus | null;
    /** The view shows the run (started here, or found running) rather than the library. */
    showRun: boolean;
    /** A request about the run in flight: its buttons are disabled meanwhile. */
    busy: 'run' | 'answer' | 'abort' | null;
    /** Why the last `drill.run` was refused. */
    runError: string | null;
  };
};

export const createDrillSlice: StateCreator<Store, [], [], DrillSlice> = () => ({
  drill: {
    library: { status: 'idle' },
    chosenId: null,
    detail: null,
    options: { seed: null, short: false, auto: false, pauseBeforeFaults: true, putBack: true },
    run: null,
    showRun: false,
    busy: null,
    runError: null,
  },
});

/** Whether a run is still going (anything but finished). */
export const isRunning = (run: DrillRunStatus | null): run is DrillRunStatus => run !== null && run.state !== 'finished';
