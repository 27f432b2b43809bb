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
  let knownLsn = 0;

  // 1. Newest checkpoint that verifies; every one skipped is logged with the reason.
  const files = await store.list();
  const newestGeneration = files[0]?.generation ?? 0;
  const present = new Map(files.map((f) => [f.generation, f]));
  const oldestGeneration = files.at(-1)?.generation ?? 0;
  let lastCheckpoint: CheckpointInfo | null = null;
  let rejected = 0;
  for (let generation = newestGeneration; generation >= oldestGeneration && generation > 0; generation--) {
    const entry = present.get(generation);
    if (!entry) {
      // Generations are written and pruned in order, so a hole means someone removed it.
      rejected++;
      log.emit('checkpoint.rejected', { file: checkpointName(generation), generation, reason: 'missing', detail: 'generation absent between kept generations' });
      continue;
    }
    try {
      const loaded = await store.load(entry);
      state.replace(loaded.map, loaded.header.lsn);
      lastCheckpoint = { generation, lsn: loaded.header.lsn, at: loaded.header.createdAt, file: entry.file };
      break;
    } catch (error) {
      rejected++;
      const reason = error instanceof CheckpointInvalid ? error.reason : 'unreadable';
      if (error instanceof CheckpointInvalid && error.header) knownLsn = Math.max(knownLsn, error.header.lsn);
      log.emit('checkpoint.rejected', { file: entry.file, generation, reason, detail: describeError(error) });
    }
  }

  // 2. Replay the log after the checkpoint, in order, never past a tail problem or a gap.
  const segments = await listSegments(walDir);
  let expected = state.lsn + 1;
  let start = 0;
  segments.forEach((segment, i) => {
    if (segment.firstLsn <= expected) start = i;
  });
  let replayed = 0;
  let discarded = 0;
  let gap: { afterLsn: number; nextAvailableLsn: number } | null = null;
  let appendSegment: WalSegment | null = null;
  const orphaned: string[] = [];

  for (let i = start; i < segments.length; i++) {
    const segment = segments[i]!;
    const path = `${walDir}/${segment.file}`;
    if (segment.firstLsn > expected) {
      gap = { afterLsn: expected - 1, nextAvailableLsn: segment.firstLsn };
      const moved = await orphan(walDir, segments.slice(i));
      orphaned.push(...moved.names);
      knownLsn = Math.max(knownLsn, moved.highestLsn);
      break;
    }
    const buf = await fsp.readFile(path);
    const { records, goodBytes, problem } = decodeRecords(buf);
    let keep = goodBytes;
    let lastKept = segment.firstLsn - 1;
    for (const record of records) {
      knownLsn = Math.max(knownLsn, record.lsn);
      if (gap) continue;
      if (record.lsn < expected) {
        lastKept = record.lsn;
        continue;
      }
      if (record.lsn > expected) {
        gap = { afterLsn: expected - 1, nextAvailableLsn: record.lsn };
        keep = record.bytes.byteOffset - buf.byteOffset;
        const rest = `${segment.file}.orphaned-${Date.now()}`;
        await fsp.writeFile(`${walDir}/${rest}`, buf.subarray(keep, goodBytes));
        orphaned.push(rest);
        continue;
      }
      // Copy the value so the map does not pin the whole segment file in memory.
      state.apply({ ...record, value: Buffer.from(record.value) }, record.crc);
      lastKept = record.lsn;
      expected++;
      replayed++;
    }
    if (problem) {
      discarded += buf.length - goodBytes;
      log.emit('wal.tail-discarded', { file: segment.file, offset: goodBytes, reason: problem, bytesDiscarded: buf.length - goodBytes });
    }
    // Truncate so new appends follow the last good record.
    if (keep < buf.length) await fsp.truncate(path, keep);
    appendSegment = lastKept === state.lsn ? segment : null;
    if (gap) {
      const moved = await orphan(walDir, segments.slice(i + 1));
      orphaned.push(...moved.names);
      knownLsn = Math.max(knownLsn, moved.highestLsn);
      break;
    }
  }
  if (orphaned.length > 0) log.emit('wal.segments-orphaned', { files: orphaned, reason: 'after-gap' });

  knownLsn = Math.max(knownLsn, state.lsn);
  log.emit('restore.done', {
    trigger,
    generation: lastCheckpoint?.generation ?? null,
    lsn: state.lsn,
    entriesReplayed: replayed,
    keys: state.map.size,
    durationMs: Math.round((performance.now() - started) * 10) / 10,
    gap: gap !== null,
    ...(gap ? { gapAfterLsn: gap.afterLsn, nextAvailableLsn: gap.nextAvailableLsn } : {}),
    checkpointsRejected: rejected,
    walBytesDiscarded: discarded,
    orphanedSegments: orphaned.length,
    // What the node knows existed but could not restore: a lower bound on lost records.
    knownLsn,
    lostLsns: knownLsn - state.lsn,
  });
  return { state, lastCheckpoint, nextGeneration: newestGeneration + 1, appendSegment };
}

/** Moves segments out of the log (kept for forensics; recovery ignores them). */
async function orphan(walDir: string, segments: readonly WalSegment[]): Promise<{ names: string[]; highestLsn: number }> {
  const names: string[] = [];
  let highestLsn = 0;
  for (const segment of segments) {
    const name = `${segment.file}.orphaned-${Date.now()}`;
    const { records } = decodeRecords(await fsp.readFile(`${walDir}/${segment.file}`));
    highestLsn = Math.max(highestLsn, segment.firstLsn, records.at(-1)?.lsn ?? 0);
    await fsp.rename(`${walDir}/${segment.file}`, `${walDir}/${name}`);
    names.push(name);
  }
  return { names, highestLsn };
}
