// Fetching a recording in answers that fit: one request when it can, halves of the stretch when
// the engine says an answer would be too big (`limit-exceeded`), and the parts merged back into one.
import { ContractError } from '../../../shared/contract/errors.js';
import type { Recording } from '../../../shared/replay/recording.js';

/** Asks for the stretch from..to (both engine time, epoch ms). */
export type StretchGetter = (from: number, to: number) => Promise<Recording>;

/** Halvings before giving up: 2^6 parts of a 30-minute recording are ~28 s each. */
const MAX_DEPTH = 6;

/** The stretch from..to, in as few answers as the engine's size limit allows (split in halves on `limit-exceeded`). */
export async function fetchInStretches(get: StretchGetter, from: number, to: number, depth = 0): Promise<Recording> {
  try {
    return await get(from, to);
  } catch (error) {
    const tooBig = error instanceof ContractError ? error.code === 'limit-exceeded' : /limit-exceeded|one answer carries/.test(String(error));
    if (!tooBig || depth >= MAX_DEPTH || to - from < 1_000) throw error;
    const middle = Math.round((from + to) / 2);
    const first = await fetchInStretches(get, from, middle, depth + 1);
    const second = await fetchInStretches(get, middle, to, depth + 1);
    return mergeRecordings([first, second]);
  }
}

/**
 * Stretches of one recording as one: keyframes (by the seq they hold up to), entries and log
 * batches (by seq) each once, in order. Each stretch starts at a keyframe, so the parts overlap.
 */
export function mergeRecordings(parts: Recording[]): Recording {
  if (parts.length === 0) throw new Error('nothing to merge');
  if (parts.length === 1) return parts[0]!;
  const keyframes = new Map<number, Recording['keyframes'][number]>();
  const entries = new Map<number, Recording['entries'][number]>();
  const logs = new Map<number, Recording['logs'][number]>();
  for (const part of parts) {
    for (const k of part.keyframes) keyframes.set(k.after, k);
    for (const e of part.entries) entries.set(e.seq, e);
    for (const l of part.logs) logs.set(l.seq, l);
  }
  const bySeq = (a: { seq: number }, b: { seq: number }) => a.seq - b.seq;
  return {
    ...parts[0]!,
    startedAt: Math.min(...parts.map((p) => p.startedAt)),
    endedAt: Math.max(...parts.map((p) => p.endedAt)),
    keyframes: [...keyframes.values()].sort((a, b) => a.after - b.after),
    entries: [...entries.values()].sort(bySeq),
    logs: [...logs.values()].sort(bySeq),
  };
}
