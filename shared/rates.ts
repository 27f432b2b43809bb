// Rates from counted windows, the one way for the engine and the renderer: metrics ticks carry
// counts and their window; whoever shows or judges a rate computes it here. Pure.

/** A window that counted something: it ends at `at` (epoch ms) and lasted `windowMs`. */
export interface CountedWindow {
  at: number;
  windowMs: number;
}

/** `count` events over `windowMs` as a rate per second; 0 for a window of no length. */
export function ratePerSec(count: number, windowMs: number): number {
  return windowMs > 0 ? (count * 1000) / windowMs : 0;
}

/**
 * The windows of the last `spanMs`, oldest first: those that end after the newest's end minus
 * `spanMs` (the newest is always one). `windows` is oldest first; a slice, the input is left alone.
 */
export function lastSpan<T extends CountedWindow>(windows: readonly T[], spanMs: number): T[] {
  const newest = windows[windows.length - 1];
  if (newest === undefined) return [];
  const from = newest.at - spanMs;
  let first = windows.length - 1;
  while (first > 0 && (windows[first - 1] as T).at > from) first--;
  return windows.slice(first);
}

/** What `count` reads of each window, summed, and the windows' total length. */
export function sumOver<T extends CountedWindow>(windows: Iterable<T>, count: (window: T) => number): { count: number; ms: number } {
  let total = 0;
  let ms = 0;
  for (const w of windows) {
    total += count(w);
    ms += w.windowMs;
  }
  return { count: total, ms };
}

/** The rate of what `count` reads over several windows: their summed count over their summed time. */
export function rateOver<T extends CountedWindow>(windows: Iterable<T>, count: (window: T) => number): number {
  const sum = sumOver(windows, count);
  return ratePerSec(sum.count, sum.ms);
}
