import { useSyncExternalStore } from 'react';

/**
 * The widths at which the layout changes (issue 14), in CSS px of the viewport. The CSS media
 * queries use the same numbers (shell.css, concepts.css, drill-layout.css).
 */
export const LAYOUT = {
  /** Below it, Concepts is a slide-out over the view instead of a side panel. */
  conceptsSlideBelow: 1200,
  /** Below it, a drill's plan and Run open under the clicked drill instead of in a second column. */
  drillPlanInlineBelow: 1300,
  /** Below it, the header's Start/Stop fleet, theme, large type and keys go in one menu (⋯). */
  headerMenuBelow: 1340,
} as const;

const query = (px: number) => `(max-width: ${px - 0.02}px)`;

/** Whether the viewport is narrower than `px` now (false where there is no window, as in unit tests). */
export function widthBelow(px: number): boolean {
  return typeof window !== 'undefined' && typeof window.matchMedia === 'function' && window.matchMedia(query(px)).matches;
}

/** The same, live: the component renders again when the viewport crosses `px`. */
export function useWidthBelow(px: number): boolean {
  return useSyncExternalStore(
    (onChange) => {
      if (typeof window === 'undefined' || typeof window.matchMedia !== 'function') return () => undefined;
      const mq = window.matchMedia(query(px));
      mq.addEventListener('change', onChange);
      return () => mq.removeEventListener('change', onChange);
    },
    () => widthBelow(px),
  );
}
