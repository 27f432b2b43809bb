import type { NodeExit } from '../../shared/contract/model.js';

/** `+mm:ss.mmm` (or `+h:mm:ss.mmm`) since the origin: drills are read to the millisecond. */
export function formatRelative(at: number, originAt: number | null): string {
  const ms = Math.max(0, Math.round(at - (originAt ?? at)));
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const milli = ms % 1000;
  const mmss = `${pad(m, 2)}:${pad(s, 2)}.${pad(milli, 3)}`;
  return h > 0 ? `+${h}:${mmss}` : `+${mmss}`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
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

/** A duration as a drill reads it: `4.9 ms`, `312 ms`, `2.41 s`; `—` when there is none. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 10) return `${(Math.round(ms * 10) / 10).toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

/** A rate or count for a live readout: one decimal below 10, whole numbers above. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '—';
  return Math.abs(value) < 10 ? (Math.round(value * 10) / 10).toFixed(1) : String(Math.round(value));
}
