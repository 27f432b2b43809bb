import type { ThemeChoice } from './store/ui-slice.js';

/** What the view remembers between sessions on this machine. */
export type Prefs = { theme: ThemeChoice; largeType: boolean; conceptsOpen: boolean };

const KEY = 'firedrill.prefs';

export function loadPrefs(): Partial<Prefs> {
  try {
    const parsed: unknown = JSON.parse(window.localStorage.getItem(KEY) ?? '{}');
    if (typeof parsed !== 'object' || parsed === null) return {};
    const raw = parsed as Record<string, unknown>;
    const prefs: Partial<Prefs> = {};
    if (raw.theme === 'system' || raw.theme === 'light' || raw.theme === 'dark') prefs.theme = raw.theme;
    if (typeof raw.largeType === 'boolean') prefs.largeType = raw.largeType;
    if (typeof raw.conceptsOpen === 'boolean') prefs.conceptsOpen = raw.conceptsOpen;
    return prefs;
  } catch {
    return {}; // storage may be off (a private window); the defaults do
  }
}

export function savePrefs(prefs: Prefs): void {
  try {
    window.localStorage.setItem(KEY, JSON.stringify(prefs));
  } catch {
    // not remembered, still applied
  }
}

/** Theme and type size live on <html>, where the CSS variables are. */
export function applyPrefsToDocument(prefs: Pick<Prefs, 'theme' | 'largeType'>): void {
  const root = document.documentElement;
  if (prefs.theme === 'system') delete root.dataset.theme;
  else root.dataset.theme = prefs.theme;
  root.dataset.largeType = String(prefs.largeType);
}
