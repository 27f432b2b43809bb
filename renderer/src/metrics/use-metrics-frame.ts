import { useEffect, useLayoutEffect, useRef } from 'react';
import { latestTick, onMetricsFrame } from './metrics-feed.js';
import type { MetricsFrame } from './rolling-rates.js';

/**
 * Runs `draw` once per animation frame that brought new ticks (and once at mount), outside React's
 * render: `draw` writes to the DOM or a chart through refs. The latest `draw` is always the one called.
 */
export function useMetricsFrame(draw: (tick: MetricsFrame | null) => void): void {
  const current = useRef(draw);
  useLayoutEffect(() => {
    current.current = draw;
  });
  useEffect(() => {
    current.current(latestTick());
    return onMetricsFrame((tick) => current.current(tick));
  }, []);
}
