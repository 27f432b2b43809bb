import { useEffect, useRef } from 'react';
import { useStore } from '../../store/store.js';
import { setConceptsSlideOpen } from '../../store/ui-actions.js';
import { LAYOUT, useWidthBelow } from '../../store/ui-layout.js';
import { ConceptsPanel } from './concepts-panel.js';
import './concepts.css';

/** Concepts as a side panel (1200 px and wider), or null: below that width it slides out instead. */
export function useConceptsBeside(): boolean {
  const narrow = useWidthBelow(LAYOUT.conceptsSlideBelow);
  const open = useStore((s) => s.ui.conceptsOpen);
  return open && !narrow;
}

/**
 * Below 1200 px, Concepts slides out over the view from the right (the header's Concepts button, C,
 * or a term clicked) and leaves the view its whole width. Esc, × or a click beside it close it; the
 * focus goes into it when it opens and back where it was when it closes.
 */
export function ConceptsSlideOut() {
  const narrow = useWidthBelow(LAYOUT.conceptsSlideBelow);
  const open = useStore((s) => s.ui.conceptsSlideOpen) && narrow;
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    box.current?.querySelector<HTMLElement>('.concepts-head button')?.focus();
    return () => {
      // Back to what had the focus (the Concepts button, a term), unless the focus has moved on by itself.
      const inside = !document.activeElement || document.activeElement === document.body || box.current?.contains(document.activeElement);
      if (inside && before?.isConnected) before.focus();
    };
  }, [open]);
  if (!open) return null;
  return (
    <div className="overlay overlay-side concepts-slide-backdrop" role="presentation" onClick={() => setConceptsSlideOpen(false)}>
      <div
        ref={box}
        className="concepts-slide"
        role="dialog"
        aria-modal="false"
        aria-labelledby="concepts-heading"
        data-testid="concepts-slide-out"
        onClick={(e) => e.stopPropagation()}
      >
        <ConceptsPanel />
      </div>
    </div>
  );
}
