// A recording of the lab: what it emitted, in order, with the engine time of each, plus keyframes
// (whole `lab.state` snapshots) so any instant is rebuilt from the last keyframe before it.
import { z } from 'zod';
import { LabSnapshot } from '../contract/model.js';

/**
 * The format's name: a report's sidecar file and `recording.get` both carry it. Version 2 keeps
 * each `metrics.tick` packed (`packed-tick.ts`); version 1 (reports written before 2026-12-07) kept
 * it as emitted. Both are read.
 */
export const RECORDING_FORMAT = 'firedrill.recording/2';
export const RECORDING_FORMATS = ['firedrill.recording/1', RECORDING_FORMAT] as const;

/**
 * One event as the lab emitted it: `event` is its name in the contract (`node.changed`,
 * `metrics.tick`, ...), `payload` what was emitted (a `metrics.tick` packed: `PackedTick`, in
 * version 2). Kept by name, unchecked, so an event added to the contract is recorded (and carried)
 * without a change here.
 */
export const RecordingEntry = z.object({
  /** The recording's own order: every entry and keyframe numbered as they came. */
  seq: z.number().int(),
  /** Engine time it was emitted (epoch ms, monotonic clock). */
  at: z.number(),
  event: z.string(),
  payload: z.unknown(),
});
export type RecordingEntry = z.infer<typeof RecordingEntry>;

/** The whole lab at one instant: the state after every entry up to `after` (a seq), and none after. */
export const Keyframe = z.object({
  at: z.number(),
  /** The seq of the last entry this state already holds (entries with a larger seq come after it). */
  after: z.number().int(),
  state: LabSnapshot,
  /** What a replay shows that `lab.state` does not hold: the latest metrics tick (as emitted) and drill status by then. */
  carried: z.object({ metrics: z.unknown().optional(), drill: z.unknown().optional() }).default({}),
});
export type Keyframe = z.infer<typeof Keyframe>;

/**
 * A stretch of the lab's recording: the first keyframe is at or before `startedAt`, so every
 * instant from `startedAt` to `endedAt` can be rebuilt. Log batches (`log.batch`) are kept apart,
 * under their own cap, in `logs`.
 */
export const Recording = z.object({
  format: z.enum(RECORDING_FORMATS),
  startedAt: z.number(),
  endedAt: z.number(),
  keyframes: z.array(Keyframe),
  entries: z.array(RecordingEntry),
  logs: z.array(RecordingEntry),
  /** What the bounds dropped: whole keyframe segments before `startedAt`, log batches, and a capture's entries past its budget. */
  dropped: z.object({ segments: z.number().int(), logBatches: z.number().int(), entries: z.number().int().optional() }),
});
export type Recording = z.infer<typeof Recording>;

/** `recording.get`'s params: a stretch by engine time (default: all there is). */
export const RecordingRange = z
  .object({
    from: z.number().optional(),
    to: z.number().optional(),
  })
  .strict()
  .refine((r) => r.from === undefined || r.to === undefined || r.from <= r.to, { message: 'from must not be after to', path: ['from'] });
export type RecordingRange = z.infer<typeof RecordingRange>;

/** What the live recording holds, without its contents: a scrubber's extent, and how much one answer may carry. */
export const RecordingInfo = z.object({
  /** The oldest instant it can rebuild (its first keyframe), or null before it has started. */
  startedAt: z.number().nullable(),
  endedAt: z.number(),
  /** Instants of its keyframes, oldest first (the cheapest places to seek to). */
  keyframes: z.array(z.number()),
  /** Estimated JSON bytes held (entries and keyframes; logs apart). */
  bytes: z.number(),
  logBytes: z.number(),
  /** The most one `recording.get` answer carries: ask for stretches of about maxStretchBytes / bytes of the span. */
  maxStretchBytes: z.number(),
  dropped: z.object({ segments: z.number().int(), logBatches: z.number().int() }),
});
export type RecordingInfo = z.infer<typeof RecordingInfo>;
