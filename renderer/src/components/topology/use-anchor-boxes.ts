import { useLayoutEffect, useState, type RefObject } from 'react';

/** Where an element sits inside the stage, in the stage's own pixels. */
export type Box = { x: number; y: number; w: number; h: number };

/**
 * The boxes of the stage's `[data-anchor]` elements, kept up to date as anything resizes, so the
 * links drawn between them follow the layout. State changes only when a box moves.
 */
export function useAnchorBoxes(stage: RefObject<HTMLElement | null>, layoutKey: string): Record<string, Box> {
  const [boxes, setBoxes] = useState<Record<string, Box>>({});
  useLayoutEffect(() => {
    const root = stage.current;
    if (!root) return;
    const measure = () => {
      const origin = root.getBoundingClientRect();
      const next: Record<string, Box> = {};
      for (const el of root.querySelectorAll<HTMLElement>('[data-anchor]')) {
        const r = el.getBoundingClientRect();
        next[el.dataset.anchor ?? ''] = { x: r.left - origin.left, y: r.top - origin.top, w: r.width, h: r.height };
      }
      setBoxes((current) => (JSON.stringify(current) === JSON.stringify(next) ? current : next));
    };
    const observer = new ResizeObserver(measure);
    observer.observe(root);
    for (const el of root.querySelectorAll('[data-anchor]')) observer.observe(el);
    measure();
    return () => observer.disconnect();
  }, [stage, layoutKey]);
  return boxes;
}
