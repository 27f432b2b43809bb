import type { StateCreator } from 'zustand';
import type { Store } from './store.js';

export const VIEWS = ['lab', 'charts', 'incidents', 'faults', 'settings', 'drills', 'reports'] as const;
export type ViewId = (typeof VIEWS)[number];

export type ThemeChoice = 'system' | 'light' | 'dark';

export type UiSlice = {
  ui: {
    view: ViewId;
    theme: ThemeChoice;
    /** Projector mode: everything one step larger. */
    largeType: boolean;
    conceptsOpen: boolean;
    /** Below 1200 px (store/ui-layout.ts): Concepts slid out over the view. Never remembered: it opens on demand. */
    conceptsSlideOpen: boolean;
    /** The concept picked by the user (a term clicked or hovered); null: the view's own. */
    concept: string | null;
    helpOpen: boolean;
    /** The node whose actions sheet is open. */
    actionsFor: string | null;
  };
};

export const createUiSlice: StateCreator<Store, [], [], UiSlice> = () => ({
  ui: { view: 'lab', theme: 'system', largeType: false, conceptsOpen: true, conceptsSlideOpen: false, concept: null, helpOpen: false, actionsFor: null },
});
