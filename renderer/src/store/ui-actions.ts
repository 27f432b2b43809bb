import { savePrefs } from '../prefs.js';
import { useStore } from './store.js';
import { VIEWS, type ThemeChoice, type ViewId } from './ui-slice.js';

// The view's own state: which tab, theme, overlays. Plain functions, like ./actions.ts.
const { setState, getState } = useStore;

export function setView(view: ViewId): void {
  setState((s) => ({ ui: { ...s.ui, view, concept: null } }));
  const hash = `#/${view}`;
  if (window.location.hash !== hash) window.history.replaceState(null, '', hash);
}

/** The view named in the URL's hash (`#/faults`), if any: a projector can be pointed at one. */
export function viewFromHash(hash: string): ViewId | null {
  const name = hash.replace(/^#\/?/, '');
  return (VIEWS as readonly string[]).includes(name) ? (name as ViewId) : null;
}

const THEME_ORDER: ThemeChoice[] = ['system', 'light', 'dark'];

export function cycleTheme(): void {
  const { theme } = getState().ui;
  setTheme(THEME_ORDER[(THEME_ORDER.indexOf(theme) + 1) % THEME_ORDER.length] ?? 'system');
}

export function setTheme(theme: ThemeChoice): void {
  setState((s) => ({ ui: { ...s.ui, theme } }));
  persist();
}

export function toggleLargeType(): void {
  setState((s) => ({ ui: { ...s.ui, largeType: !s.ui.largeType } }));
  persist();
}

export function toggleConcepts(): void {
  setState((s) => ({ ui: { ...s.ui, conceptsOpen: !s.ui.conceptsOpen } }));
  persist();
}

/** Shows one concept in the side panel (and opens it). */
export function showConcept(id: string): void {
  setState((s) => ({ ui: { ...s.ui, concept: id, conceptsOpen: true } }));
}

export function setHelpOpen(helpOpen: boolean): void {
  setState((s) => ({ ui: { ...s.ui, helpOpen } }));
}

export function openNodeActions(id: string | null): void {
  setState((s) => ({ ui: { ...s.ui, actionsFor: id } }));
}

function persist(): void {
  const { theme, largeType, conceptsOpen } = getState().ui;
  savePrefs({ theme, largeType, conceptsOpen });
}
