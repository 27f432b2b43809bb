// Which recorded metrics ticks the charts need to show the minute up to an instant: the few new
// ones when playback moves forward, the whole window again after a jump.
import { isPackedTick, packTick, sameIds, type PackedTick, type RecordedTick } from '../../../shared/replay/packed-tick.js';
import type { Recording } from '../../../shared/replay/recording.js';

/** The charts draw 60 s; a little more so the rates over the first second are already whole. */
export const CHART_WINDOW_MS = 62_000;

/** How many distinct id lists a TickIndex keeps to share with the ticks that follow. */
const RECENT_ID_LISTS = 8;

/** A recording's metrics ticks, by time, packed (an older recording's are packed here: one form to read). */
export class TickIndex {
  readonly ticks: PackedTick[] = [];
  private readonly ats: number[] = [];

  constructor(recording: Recording) {
    let ids: string[] | undefined;
    // The id lists seen lately, newest first: ticks alternate between a few (a node with no requests
    // in a window is left out of it), and the charts' ring aligns its columns once per list object.
    const recent: string[][] = [];
    for (const entry of recording.entries) {
      if (entry.event !== 'metrics.tick') continue;
      const recorded = entry.payload as RecordedTick;
      const tick = isPackedTick(recorded) ? recorded : packTick(recorded, ids);
      // Parsed from JSON, every tick has its own copy of the same ids: one list for all (the same strings, in the same order).
      if (tick.ids !== ids) {
        const same = recent.find((list) => list === tick.ids || sameIds(tick.ids, list));
        if (same) tick.ids = same;
        else {
          recent.unshift(tick.ids);
          if (recent.length > RECENT_ID_LISTS) recent.pop();
        }
      }
      ids = tick.ids;
      // Entries are in emission order; a tick out of time order is dropped rather than drawn backwards.
      if (this.ats.length > 0 && entry.at < this.ats[this.ats.length - 1]!) continue;
      this.ticks.push(tick);
      this.ats.push(entry.at);
    }
  }

  /** The index of the last tick emitted at or before `t`, or -1. */
  lastAtOrBefore(t: number): number {
    let lo = 0;
    let hi = this.ats.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.ats[mid]! <= t) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** The index of the first tick emitted after `t`. */
  firstAfter(t: number): number {
    return this.lastAtOrBefore(t) + 1;
  }

  atOf(index: number): number {
    return this.ats[index] ?? Number.NaN;
  }
}

/** What to feed the metrics ring: `reset` it first or not, then the ticks with index from..to (inclusive; none when from > to). */
export type TickPlan = { reset: boolean; from: number; to: number };

/**
 * The ticks to push so the ring holds the window up to `t`, given that it holds the ticks up to
 * index `shown` (-1: nothing of this recording). Forward by less than a window: only the new ones.
 */
export function planTicks(index: TickIndex, shown: number, t: number, windowMs = CHART_WINDOW_MS): TickPlan {
  const target = index.lastAtOrBefore(t);
  if (shown >= 0 && target >= shown && index.atOf(target) - index.atOf(shown) < windowMs) return { reset: false, from: shown + 1, to: target };
  if (target < 0) return { reset: true, from: 0, to: -1 };
  return { reset: true, from: index.firstAfter(index.atOf(target) - windowMs), to: target };
}
