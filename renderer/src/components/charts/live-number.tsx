import { useEffect, useRef } from 'react';
import { latestTick } from '../../metrics/metrics-feed.js';
import type { MetricsFrame } from '../../metrics/rolling-rates.js';
import { useMetricsFrame } from '../../metrics/use-metrics-frame.js';
import { useStore } from '../../store/store.js';

type Props = {
  /** The number this readout shows, from the newest tick. */
  read: (tick: MetricsFrame) => number;
  format: (value: number) => string;
  testId: string;
  className?: string;
};

/**
 * A number that changes ten times a second, written straight into its element once per animation
 * frame (no React render). `data-value` holds the raw number for tests and tools. Without a connection
 * to the engine it reads "—": the last number received is not a live one.
 */
export function LiveNumber({ read, format, testId, className = '' }: Props) {
  const el = useRef<HTMLSpanElement>(null);
  const connected = useStore((s) => s.connection.status === 'open');
  const draw = (tick: MetricsFrame | null) => {
    const span = el.current;
    if (!span) return;
    const value = tick && connected ? read(tick) : null;
    const text = value === null ? '—' : format(value);
    // The text node is kept and its data changed: replacing it (textContent) removes and inserts a
    // node, which lays out more than a changed text. Neither is written when it has not changed.
    const shown = span.firstChild;
    if (shown instanceof Text && span.childNodes.length === 1) {
      if (shown.data !== text) shown.data = text;
    } else span.textContent = text;
    const raw = value === null ? '' : String(value);
    if (span.dataset.value !== raw) span.dataset.value = raw;
  };
  useMetricsFrame(draw);
  // A change of connection redraws at once (no tick comes while disconnected).
  useEffect(() => draw(latestTick()));
  return <span ref={el} className={`live-number ${className}`} data-testid={testId} data-value="" />;
}
