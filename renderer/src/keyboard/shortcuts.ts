import { abortDrill, answerPrediction, completeAction, continueDrill, haltFaults, openReport, runChosenDrill, startTraffic, stopTraffic } from '../connection/lab-commands.js';
import { closePresenter, isViewer, togglePresenter, useClassroom } from '../components/classroom/classroom-state.js';
import { backToLive, stepBack, stepForward, togglePlay } from '../replay/replay-controller.js';
import { isRunning } from '../store/drill-slice.js';
import { isReplaying } from '../store/replay-slice.js';
import { useStore } from '../store/store.js';
import { cycleTheme, openNodeActions, setConceptsSlideOpen, setHelpOpen, setView, toggleConcepts, toggleLargeType } from '../store/ui-actions.js';
import { VIEWS, type ViewId } from '../store/ui-slice.js';

/** One keyboard shortcut: what the help overlay shows, and what a key press runs. */
export type Shortcut = {
  /** As shown to the user. */
  keys: string;
  label: string;
  matches: (event: KeyboardEvent) => boolean;
  run: (event: KeyboardEvent) => void;
  /** Runs even while typing in a field (Escape does; letters must not). */
  inFields?: boolean;
  /** Listed under its own heading in the help: keys that act only in drill mode, or in replay. */
  group?: 'drill' | 'replay';
};

export const VIEW_LABELS: Record<ViewId, string> = {
  lab: 'Lab',
  charts: 'Charts',
  incidents: 'Incidents',
  faults: 'Faults',
  settings: 'Settings',
  drills: 'Drills',
  reports: 'Reports',
};

const plain = (key: string) => (e: KeyboardEvent) => e.key === key && !e.ctrlKey && !e.metaKey && !e.altKey;

function toggleTraffic(): void {
  if (useStore.getState().traffic.state?.running) void stopTraffic();
  else void startTraffic();
}

/** Closes the topmost overlay: the presenter view, help, a node's actions sheet, then the concepts slide-out. */
function closeOverlay(): void {
  const { ui } = useStore.getState();
  if (useClassroom.getState().presenter) closePresenter();
  else if (ui.helpOpen) setHelpOpen(false);
  else if (ui.actionsFor) openNodeActions(null);
  else if (ui.conceptsSlideOpen) setConceptsSlideOpen(false);
}

/** What the drill waits on from the operator, if anything. */
const drillWaitsFor = (kind: 'predict' | 'action' | 'continue'): boolean => useStore.getState().drill.run?.waitingFor?.kind === kind;

/**
 * While a prediction waits on the Drills view, the digits answer it: the question is on screen and
 * the drill cannot go on without it. Everywhere else (and once answered) they switch views again.
 */
const answeringPrediction = (e: KeyboardEvent): boolean =>
  /^[1-8]$/.test(e.key) && !e.ctrlKey && !e.metaKey && !e.altKey && useStore.getState().ui.view === 'drills' && drillWaitsFor('predict');

function canRunChosenDrill(): boolean {
  const { ui, drill } = useStore.getState();
  return ui.view === 'drills' && drill.chosenId !== null && !drill.showRun && !isRunning(drill.run);
}

/** The report of the finished run the Drills view shows, if it has one. */
function shownReportId(): string | null {
  const { ui, drill } = useStore.getState();
  return ui.view === 'drills' && drill.showRun && drill.run?.state === 'finished' ? drill.run.reportId : null;
}

function openShownReport(): void {
  const id = shownReportId();
  if (id === null) return;
  setView('reports');
  void openReport(id);
}

const replaying = (): boolean => isReplaying(useStore.getState());
const inReplay = (): boolean => useStore.getState().replay.mode === 'replay';
const overlayOpen = (): boolean => useStore.getState().ui.helpOpen || useStore.getState().ui.actionsFor !== null || useStore.getState().ui.conceptsSlideOpen;

export const SHORTCUTS: Shortcut[] = [
  // Replay comes first: L and Esc take you back to live (Esc closes an open overlay first).
  { keys: 'L', label: 'Replay: back to live', matches: (e) => plain('l')(e) && replaying(), run: () => void backToLive(), group: 'replay' },
  { keys: 'Esc', label: 'Replay: back to live (once no overlay is open)', matches: (e) => plain('Escape')(e) && replaying() && !overlayOpen(), run: () => void backToLive(), inFields: true, group: 'replay' },
  { keys: 'Space', label: 'Replay: play or pause', matches: (e) => plain(' ')(e) && inReplay(), run: togglePlay, group: 'replay' },
  { keys: '← / →', label: 'Replay: one frame back / on (a recorded event or a 100 ms tick)', matches: (e) => (plain('ArrowLeft')(e) || plain('ArrowRight')(e)) && !e.shiftKey && inReplay(), run: (e) => (e.key === 'ArrowLeft' ? stepBack() : stepForward()), group: 'replay' },
  { keys: 'Shift+H', label: 'HALT: revert every fault now', matches: (e) => e.key === 'H' && e.shiftKey && !e.ctrlKey && !e.metaKey, run: () => void haltFaults() },
  { keys: 'T', label: 'Start or stop traffic', matches: plain('t'), run: toggleTraffic },
  // Drill mode comes before the view keys: it takes 1–8 only while a prediction waits.
  { keys: '1–8', label: 'Drills, while a prediction waits: answer it (the view keys are back once answered)', matches: answeringPrediction, run: (e) => void answerPrediction(Number(e.key) - 1), group: 'drill' },
  { keys: 'A', label: 'Drill: the manual action is done', matches: (e) => plain('a')(e) && drillWaitsFor('action'), run: () => void completeAction(false), group: 'drill' },
  { keys: 'P', label: 'Drill: let the lab do the manual action', matches: (e) => plain('p')(e) && drillWaitsFor('action'), run: () => void completeAction(true), group: 'drill' },
  { keys: 'P', label: 'Presenter view: large type, the current step, the incident strip and replay (for a projector)', matches: plain('p'), run: togglePresenter },
  { keys: 'N', label: 'Drill: go on past a pause before a fault', matches: (e) => plain('n')(e) && drillWaitsFor('continue'), run: () => void continueDrill(), group: 'drill' },
  { keys: 'R', label: 'Drills: run the chosen drill', matches: (e) => plain('r')(e) && canRunChosenDrill(), run: () => void runChosenDrill(), group: 'drill' },
  { keys: 'O', label: 'Drills, after the verdict: open the report', matches: (e) => plain('o')(e) && shownReportId() !== null, run: openShownReport, group: 'drill' },
  { keys: 'Shift+X', label: 'Abort the running drill (faults reverted)', matches: (e) => e.key === 'X' && e.shiftKey && !e.ctrlKey && !e.metaKey && isRunning(useStore.getState().drill.run), run: () => void abortDrill(), group: 'drill' },
  ...VIEWS.map((view, i) => ({ keys: String(i + 1), label: `Go to ${VIEW_LABELS[view]}`, matches: plain(String(i + 1)), run: () => setView(view) })),
  { keys: 'C', label: 'Show or hide the concepts panel', matches: plain('c'), run: toggleConcepts },
  { keys: 'D', label: 'Theme: system, light, dark', matches: plain('d'), run: cycleTheme },
  { keys: 'L', label: 'Large type (projector)', matches: plain('l'), run: toggleLargeType },
  { keys: '?', label: 'This help', matches: (e) => e.key === '?', run: () => setHelpOpen(!useStore.getState().ui.helpOpen) },
  { keys: 'Esc', label: 'Close the help, a node’s actions or the concepts slide-out', matches: plain('Escape'), run: closeOverlay, inFields: true },
];

/** What a classroom viewer may not do from the keyboard either: act on the lab or the drill (the host refuses it too). */
const actsOnLab = (s: Shortcut): boolean => s.group === 'drill' || s.keys === 'Shift+H' || s.keys === 'T';

function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement;
}

/** The one keydown listener of the app; returns its removal. */
export function listenForShortcuts(target: Window): () => void {
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.repeat) return;
    const typing = typingIn(event.target);
    const viewer = isViewer();
    const shortcut = SHORTCUTS.find((s) => s.matches(event) && (!typing || s.inFields) && !(viewer && actsOnLab(s)));
    if (!shortcut) return;
    event.preventDefault();
    shortcut.run(event);
  };
  target.addEventListener('keydown', onKeyDown);
  return () => target.removeEventListener('keydown', onKeyDown);
}
