import { haltFaults, startTraffic, stopTraffic } from '../engine/lab-commands.js';
import { useStore } from '../store/store.js';
import { cycleTheme, openNodeActions, setHelpOpen, setView, toggleConcepts, toggleLargeType } from '../store/ui-actions.js';
import { VIEWS, type ViewId } from '../store/ui-slice.js';

/** One keyboard shortcut: what the help overlay shows, and what a key press runs. */
export type Shortcut = {
  /** As shown to the user. */
  keys: string;
  label: string;
  matches: (event: KeyboardEvent) => boolean;
  run: () => void;
  /** Runs even while typing in a field (Escape does; letters must not). */
  inFields?: boolean;
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

/** Closes the topmost overlay: help first, then a node's actions sheet. */
function closeOverlay(): void {
  const { ui } = useStore.getState();
  if (ui.helpOpen) setHelpOpen(false);
  else if (ui.actionsFor) openNodeActions(null);
}

export const SHORTCUTS: Shortcut[] = [
  { keys: 'Shift+H', label: 'HALT: revert every fault now', matches: (e) => e.key === 'H' && e.shiftKey && !e.ctrlKey && !e.metaKey, run: () => void haltFaults() },
  { keys: 'T', label: 'Start or stop traffic', matches: plain('t'), run: toggleTraffic },
  ...VIEWS.map((view, i) => ({ keys: String(i + 1), label: `Go to ${VIEW_LABELS[view]}`, matches: plain(String(i + 1)), run: () => setView(view) })),
  { keys: 'C', label: 'Show or hide the concepts panel', matches: plain('c'), run: toggleConcepts },
  { keys: 'D', label: 'Theme: system, light, dark', matches: plain('d'), run: cycleTheme },
  { keys: 'L', label: 'Large type (projector)', matches: plain('l'), run: toggleLargeType },
  { keys: '?', label: 'This help', matches: (e) => e.key === '?', run: () => setHelpOpen(!useStore.getState().ui.helpOpen) },
  { keys: 'Esc', label: 'Close the help or a node’s actions', matches: plain('Escape'), run: closeOverlay, inFields: true },
];

function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement;
}

/** The one keydown listener of the app; returns its removal. */
export function listenForShortcuts(target: Window): () => void {
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.repeat) return;
    const typing = typingIn(event.target);
    const shortcut = SHORTCUTS.find((s) => s.matches(event) && (!typing || s.inFields));
    if (!shortcut) return;
    event.preventDefault();
    shortcut.run();
  };
  target.addEventListener('keydown', onKeyDown);
  return () => target.removeEventListener('keydown', onKeyDown);
}
