// A stretch of a recording held whole (a drill report's): from the keyframe at or before `from` to `to`.
import type { Recording } from './recording.js';

/** The part of `recording` that rebuilds every instant from `from` to `to` (each clamped to what it holds). */
export function sliceRecording(recording: Recording, from?: number, to?: number): Recording {
  const start = Math.max(recording.startedAt, from ?? -Infinity);
  const end = Math.min(recording.endedAt, to ?? Infinity);
  let first = 0;
  recording.keyframes.forEach((k, i) => {
    if (k.at <= start) first = i;
  });
  const keyframes = recording.keyframes.slice(first).filter((k) => k.at <= end);
  const origin = keyframes[0] ?? recording.keyframes[0];
  const after = origin?.after ?? -Infinity;
  const since = origin?.at ?? -Infinity;
  return {
    ...recording,
    startedAt: Math.max(start, since),
    endedAt: Math.max(end, since),
    keyframes: keyframes.length > 0 ? keyframes : recording.keyframes.slice(0, 1),
    entries: recording.entries.filter((e) => e.seq > after && e.at <= end),
    logs: recording.logs.filter((e) => e.at >= since && e.at <= end),
  };
}
