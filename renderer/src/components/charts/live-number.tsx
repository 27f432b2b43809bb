import { useRef } from 'react';
import type { MetricsFrame } from '../../metrics/rolling-rates.js';
import { useMetricsFrame } from '../../metrics/use-metrics-frame.js';

type Props = {
  /** The number this readout shows, from the newest tick. */
  read: (tick: MetricsFrame) => number;
  format: (value: number) => string;
  testId: string;
  className?: string;
};

/**
 * A number that changes ten times a second, written straight into its element once per animation
 * frame (no React render). `data-value` holds the raw number for tests and tools.
 */
export function LiveNumber({ read, format, testId, className = '' }: Props) {
  const el = useRef<HTMLSpanElement>(null);
  useMetricsFrame((tick) => {
    const span = el.current;
    if (!span) return;
    const value = tick ? read(tick) : null;
    const text = value === null ? '—' : format(value);
    if (span.textContent !== text) span.textContent = text;
    span.dataset.value = value === null ? '' : String(value);
  });
  return <span ref={el} className={`live-number ${className}`} data-testid={testId} data-value="" />;
}
