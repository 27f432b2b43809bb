import type { NodeExit } from '../../shared/contract/model.js';
import { formatClock, formatDuration } from '../../shared/words/format.js';

export { causeWords, formatAfter, formatClock, formatPercent, incidentStart } from '../../shared/words/format.js';

/**
 * @deprecated A bare "+01:07.104" since the lab's origin says nothing a person can place: use
 * `formatClock(at)` (a wall clock, "12:04:31.512") or `formatAfter(ms, causeWords(cause))`
 * ("+1.204 s after the kill"). Kept so a caller not yet moved reads a wall clock too.
 */
export function formatRelative(at: number, _originAt?: number | null): string {
  return formatClock(at);
}

export function formatExit(exit: NodeExit | null): string {
  if (!exit) return '—';
  const how = exit.signal ?? `code ${exit.code ?? '?'}`;
  return exit.byLab ? `${how} (by lab)` : how;
}

/** One line of `key=value` pairs; long values are cut so a row stays one line on a projector. */
export function formatDetail(detail: Record<string, unknown>, maxLength = 160): string {
  const text = Object.entries(detail)
    .map(([key, value]) => `${key}=${formatValue(value)}`)
    .join('  ');
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  // Durations arrive with sub-millisecond noise; a tenth of a millisecond is as far as a drill reads.
  if (typeof value === 'number' && !Number.isInteger(value)) return String(Math.round(value * 10) / 10);
  return JSON.stringify(value);
}

/** A duration as a drill reads it: `4.9 ms`, `312 ms`, `2.41 s`; `—` when there is none (shared/words, as the reports write it). */
export function formatMs(ms: number | null | undefined): string {
  return formatDuration(ms);
}

/** A rate or count for a live readout: one decimal below 10, whole numbers above; never "-0.0". */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '—';
  const text = Math.abs(value) < 9.95 ? (Math.round(value * 10) / 10).toFixed(1) : String(Math.round(value));
  return text === '-0.0' || text === '-0' ? text.slice(1) : text;
}
