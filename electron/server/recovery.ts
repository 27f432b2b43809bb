// Start-up recovery: newest checkpoint that verifies, then the WAL replayed after it, stopping
// at a torn tail or a gap. It restores what it honestly can and says what it could not.
import { promises as fsp } from 'node:fs';
import { CheckpointInvalid } from './checkpoint-format';
import { checkpointName, type CheckpointStore } from './checkpoint-store';
import { KvState } from './kv-state';
import { describeError, type EventLog } from './log';
import { listSegments, type WalSegment } from './wal';
import { decodeRecords } from './wal-record';

export interface CheckpointInfo {
  generation: number;
  lsn: number;
  at: number;
  file: string;
}

export interface RestoreResult {
  state: KvState;
  lastCheckpoint: CheckpointInfo | null;
  nextGeneration: number;
  /** The segment new records may be appended to, or null to start a fresh one. */
  appendSegment: WalSegment | null;
}

/** `trigger`: at start-up, or at a promotion that restores first (a warm standby). */
export async function restore(store: CheckpointStore, walDir: string, log: EventLog, trigger: 'start' | 'promotion' = 'start'): Promise<RestoreResult> {
  const started = performance.now();
  const state = new KvState();
  const checkpoint = await loadNewestCheckpoint(store, state, log);
  const replay = await replayLog(walDir, state, log);
  const { gap } = replay;
  const knownLsn = Math.max(checkpoint.knownLsn, replay.knownLsn, state.lsn);
  log.emit('restore.done', {
    trigger,
    generation: checkpoint.lastCheckpoint?.generation ?? null,
    lsn: state.lsn,
    entriesReplayed: replay.replayed,
    keys: state.map.size,
    durationMs: Math.round((performance.now() - started) * 10) / 10,
    gap: gap !== null,
    ...(gap ? { gapAfterLsn: gap.afterLsn, nextAvailableLsn: gap.nextAvailableLsn } : {}),
    checkpointsRejected: checkpoint.rejected,
    walBytesDiscarded: replay.discarded,
    orphanedSegments: replay.orphaned.length,
    // What the node knows existed but could not restore: a lower bound on lost records.
    knownLsn,
    lostLsns: knownLsn - state.lsn,
  });
  return { state, lastCheckpoint: checkpoint.lastCheckpoint, nextGeneration: checkpoint.newestGeneration + 1, appendSegment: replay.appendSegment };
}

/** What step 1 found: the checkpoint loaded (if any), how many were rejected, and the highest lsn a rejected one's header named. */
interface CheckpointFound {
  lastCheckpoint: CheckpointInfo | null;
  newestGeneration: number;
  rejected: number;
  knownLsn: number;
}

/** 1. The newest checkpoint that verifies, loaded into `state`; every one skipped is logged with the reason. */
async function loadNewestCheckpoint(store: CheckpointStore, state: KvState, log: EventLog): Promise<CheckpointFound> {
  const files = await store.list();
  const found: CheckpointFound = { lastCheckpoint: null, newestGeneration: files[0]?.generation ?? 0, rejected: 0, knownLsn: 0 };
  const present = new Map(files.map((f) => [f.generation, f]));
  const oldestGeneration = files.at(-1)?.generation ?? 0;
  for (let generation = found.newestGeneration; generation >= oldestGeneration && generation > 0; generation--) {
    const entry = present.get(generation);
    if (!entry) {
      // Generations are written and pruned in order, so a hole means someone removed it.
      found.rejected++;
      log.emit('checkpoint.rejected', { file: checkpointName(generation), generation, reason: 'missing', detail: 'generation absent between kept generations' });
      continue;
    }
    try {
      const loaded = await store.load(entry);
      state.replace(loaded.map, loaded.header.lsn);
      found.lastCheckpoint = { generation, lsn: loaded.header.lsn, at: loaded.header.createdAt, file: entry.file };
      break;
    } catch (error) {
      found.rejected++;
      const reason = error instanceof CheckpointInvalid ? error.reason : 'unreadable';
      if (error instanceof CheckpointInvalid && error.header) found.knownLsn = Math.max(found.knownLsn, error.header.lsn);
      log.emit('checkpoint.rejected', { file: entry.file, generation, reason, detail: describeError(error) });
    }
  }
  return found;
}

/** Where step 2 is: the next lsn it expects, what it replayed, discarded and moved aside, and the highest lsn it saw. */
interface Replay {
  expected: number;
  replayed: number;
  discarded: number;
  gap: { afterLsn: number; nextAvailableLsn: number } | null;
  appendSegment: WalSegment | null;
  orphaned: string[];
  knownLsn: number;
}

/** 2. Replay the log after the checkpoint, in order, never past a tail problem or a gap. */
async function replayLog(walDir: string, state: KvState, log: EventLog): Promise<Replay> {
  const segments = await listSegments(walDir);
  const replay: Replay = { expected: state.lsn + 1, replayed: 0, discarded: 0, gap: null, appendSegment: null, orphaned: [], knownLsn: 0 };
  let start = 0;
  segments.forEach((segment, i) => {
    if (segment.firstLsn <= replay.expected) start = i;
  });
  for (let i = start; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment.firstLsn > replay.expected) {
      replay.gap = { afterLsn: replay.expected - 1, nextAvailableLsn: segment.firstLsn };
      await orphanInto(replay, walDir, segments.slice(i));
      break;
    }
    await replaySegment(replay, walDir, segment, state, log);
    if (replay.gap) {
      await orphanInto(replay, walDir, segments.slice(i + 1));
      break;
    }
  }
  if (replay.orphaned.length > 0) log.emit('wal.segments-orphaned', { files: replay.orphaned, reason: 'after-gap' });
  return replay;
}

/** One segment's records applied to `state` up to a gap (the rest moved to a file aside) or a torn tail (cut off). */
async function replaySegment(replay: Replay, walDir: string, segment: WalSegment, state: KvState, log: EventLog): Promise<void> {
  const path = `${walDir}/${segment.file}`;
  const buf = await fsp.readFile(path);
  const { records, goodBytes, problem } = decodeRecords(buf);
  let keep = goodBytes;
  let lastKept = segment.firstLsn - 1;
  for (const record of records) {
    replay.knownLsn = Math.max(replay.knownLsn, record.lsn);
    if (replay.gap) continue;
    if (record.lsn < replay.expected) {
      lastKept = record.lsn;
      continue;
    }
    if (record.lsn > replay.expected) {
      replay.gap = { afterLsn: replay.expected - 1, nextAvailableLsn: record.lsn };
      keep = record.bytes.byteOffset - buf.byteOffset;
      const rest = `${segment.file}.orphaned-${Date.now()}`;
      await fsp.writeFile(`${walDir}/${rest}`, buf.subarray(keep, goodBytes));
      replay.orphaned.push(rest);
      continue;
    }
    // Copy the value so the map does not pin the whole segment file in memory.
    state.apply({ ...record, value: Buffer.from(record.value) }, record.crc);
    lastKept = record.lsn;
    replay.expected++;
    replay.replayed++;
  }
  if (problem) {
    replay.discarded += buf.length - goodBytes;
    log.emit('wal.tail-discarded', { file: segment.file, offset: goodBytes, reason: problem, bytesDiscarded: buf.length - goodBytes });
  }
  // Truncate so new appends follow the last good record.
  if (keep < buf.length) await fsp.truncate(path, keep);
  replay.appendSegment = lastKept === state.lsn ? segment : null;
}

/** Moves segments out of the log (kept for forensics; recovery ignores them). */
async function orphanInto(replay: Replay, walDir: string, segments: readonly WalSegment[]): Promise<void> {
  for (const segment of segments) {
    const name = `${segment.file}.orphaned-${Date.now()}`;
    const { records } = decodeRecords(await fsp.readFile(`${walDir}/${segment.file}`));
    replay.knownLsn = Math.max(replay.knownLsn, segment.firstLsn, records.at(-1)?.lsn ?? 0);
    await fsp.rename(`${walDir}/${segment.file}`, `${walDir}/${name}`);
    replay.orphaned.push(name);
  }
}
