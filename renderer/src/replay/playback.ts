// Playback over a ReplayCursor, by a clock the caller passes in (an animation frame's timestamp in
// the app, a fake one in tests): recorded time moves by the wall time gone by × the speed.
import type { Recording } from '../../../shared/replay/recording.js';
import { ReplayCursor, type ReplayState } from '../../../shared/replay/replay.js';

/** A frame late by more than this (a hidden tab, a long task) moves the replay by this much only: no sudden leap. */
export const MAX_FRAME_GAP_MS = 500;

export class Playback {
  readonly cursor: ReplayCursor;
  playing = false;
  speed = 1;
  private last: number | null = null;

  constructor(readonly recording: Recording, at: number) {
    this.cursor = new ReplayCursor(recording, this.clamp(at));
  }

  get state(): ReplayState {
    return this.cursor.state;
  }

  get atEnd(): boolean {
    return this.cursor.at >= this.recording.endedAt;
  }

  clamp(t: number): number {
    return Math.min(this.recording.endedAt, Math.max(this.recording.startedAt, t));
  }

  /** Starts playing from where it stands (from the start again when at the end). */
  play(now: number): ReplayState {
    if (this.atEnd) this.cursor.seek(this.recording.startedAt);
    this.playing = true;
    this.last = now;
    return this.cursor.state;
  }

  pause(): void {
    this.playing = false;
    this.last = null;
  }

  /** Once per animation frame: the state `(now - last frame) × speed` later, or null when not playing. Stops at the end. */
  frame(now: number): ReplayState | null {
    if (!this.playing) return null;
    const wall = Math.min(MAX_FRAME_GAP_MS, Math.max(0, now - (this.last ?? now)));
    this.last = now;
    const target = this.clamp(this.cursor.at + wall * this.speed);
    const state = this.cursor.seek(target);
    if (target >= this.recording.endedAt) this.pause();
    return state;
  }

  /** A jump (the bar clicked or dragged); playback goes on from there if it was playing. */
  seek(t: number): ReplayState {
    return this.cursor.seek(this.clamp(t));
  }

  /** One recorded entry on (a metrics tick is one, every 100 ms); null at the end. */
  stepForward(): ReplayState | null {
    this.pause();
    return this.cursor.next();
  }

  /** Back to the instant of the last recorded entry before the one shown; null at the start. */
  stepBack(): ReplayState | null {
    this.pause();
    const { entries } = this.recording;
    const at = this.cursor.at;
    let lo = 0;
    let hi = entries.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (entries[mid]!.at < at) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    // The state after entry `found` is the one before the instant shown; before the first entry, the start.
    const target = found >= 0 ? entries[found]!.at : this.recording.startedAt;
    if (target >= at) return null;
    return this.cursor.seek(Math.max(target, this.recording.startedAt));
  }
}
