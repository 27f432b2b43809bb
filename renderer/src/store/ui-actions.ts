import { savePrefs } from '../prefs.js';
import { useStore } from './store.js';
import { LAYOUT, widthBelow } from './ui-layout.js';
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

/** Shows or hides Concepts: the side panel (remembered), or below 1200 px the slide-out over the view. */
export function toggleConcepts(): void {
  if (widthBelow(LAYOUT.conceptsSlideBelow)) {
    setConceptsSlideOpen(!getState().ui.conceptsSlideOpen);
    return;
  }
  setState((s) => ({ ui: { ...s.ui, conceptsOpen: !s.ui.conceptsOpen } }));
  persist();
}

export function setConceptsSlideOpen(conceptsSlideOpen: boolean): void {
  setState((s) => ({ ui: { ...s.ui, conceptsSlideOpen } }));
}

/** A term clicked: explained in the side panel, or below 1200 px in the slide-out (a concept picked by itself never slides over the view). */
export function explainConcept(id: string): void {
  showConcept(id);
  if (widthBelow(LAYOUT.conceptsSlideBelow)) setConceptsSlideOpen(true);
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
