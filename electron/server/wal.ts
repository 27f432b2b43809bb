// WriteAheadLog: append-only segment files DATA/wal/wal-<firstLsn, 20 digits>.log holding
// encoded records (see wal-record.ts). Concurrent appends are group-committed: one write and
// one fsync per batch. Policy 'always' acknowledges after fdatasync; an interval policy
// acknowledges once the bytes are in the OS (they survive kill -9, not a power cut).
import { fdatasyncSync, promises as fsp } from 'node:fs';
import type { FsyncPolicy } from './config';
import { fsyncDir, writeFully } from './durable-fs';
import { decodeRecords, type DecodedRecord } from './wal-record';

export interface WalSegment {
  file: string;
  firstLsn: number;
}

const SEGMENT_PATTERN = /^wal-(\d{20})\.log$/;
/** A segment is closed at this size even without a checkpoint, so reads stay bounded. */
const MAX_SEGMENT_BYTES = 64 * 1024 * 1024;

export function segmentName(firstLsn: number): string {
  return `wal-${String(firstLsn).padStart(20, '0')}.log`;
}

/** Segments in log order; anything else in the folder (temp or orphaned files) is ignored. */
export async function listSegments(dir: string): Promise<WalSegment[]> {
  const names = await fsp.readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  const segments: WalSegment[] = [];
  for (const file of names) {
    const match = SEGMENT_PATTERN.exec(file);
    if (match?.[1]) segments.push({ file, firstLsn: Number(match[1]) });
  }
  return segments.sort((a, b) => a.firstLsn - b.firstLsn);
}

interface PendingRecord {
  lsn: number;
  bytes: Buffer;
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A batch nobody waits on must not become an unhandled rejection; onFatal reports it.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

export class WriteAheadLog {
  private handle: fsp.FileHandle | null = null;
  private segmentBytes = 0;
  private rotateRequested = false;
  private pending: PendingRecord[] = [];
  private batch: Deferred = deferred();
  private writing: Promise<void> | null = null;
  private syncTimer: NodeJS.Timeout | null = null;
  private unsynced = false;
  private lastSyncAt = Date.now();
  private failed: unknown = null;
  /** Highest lsn handed to the OS. */
  writtenLsn = 0;

  private constructor(
    readonly dir: string,
    private readonly policy: FsyncPolicy,
    private readonly onFatal: (error: unknown) => void,
  ) {}

  /** Opens the log for appending; `appendTo` is the segment recovery left clean, if any. */
  static async open(dir: string, policy: FsyncPolicy, appendTo: WalSegment | null, onFatal: (error: unknown) => void): Promise<WriteAheadLog> {
    await fsp.mkdir(dir, { recursive: true });
    const wal = new WriteAheadLog(dir, policy, onFatal);
    if (appendTo) {
      wal.handle = await fsp.open(`${dir}/${appendTo.file}`, 'a');
      wal.segmentBytes = (await wal.handle.stat()).size;
    }
    if (policy !== 'always') {
      wal.syncTimer = setInterval(() => void wal.syncIfDirty(), policy);
      wal.syncTimer.unref();
    }
    return wal;
  }

  /** Appends encoded records (in lsn order); resolves once durable per the fsync policy. */
  append(records: readonly PendingRecord[]): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    for (const record of records) this.pending.push(record);
    const done = this.batch.promise;
    this.writing ??= this.drain();
    return done;
  }

  /** The next batch starts a new segment, so checkpoints line up with segment boundaries. */
  requestRotation(): void {
    this.rotateRequested = true;
  }

  /** Waits until everything appended so far is written and fsynced. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    if (this.failed) throw this.failed;
    if (this.handle && this.unsynced) await this.syncHandle(this.handle);
  }

  /** Best effort at exit: push what the OS has to disk without waiting on the event loop. */
  syncNowBlocking(): void {
    if (this.handle) {
      try {
        fdatasyncSync(this.handle.fd);
      } catch {
        // Exiting anyway; the records were already written to the OS.
      }
    }
  }

  /** Deletes segments whose records are all at or below `lsn`; never the open one. */
  async pruneThrough(lsn: number): Promise<string[]> {
    const segments = await listSegments(this.dir);
    const deleted: string[] = [];
    for (let i = 0; i + 1 < segments.length; i++) {
      const segment = segments[i]!;
      const next = segments[i + 1]!;
      if (next.firstLsn - 1 > lsn) break;
      await fsp.rm(`${this.dir}/${segment.file}`, { force: true });
      deleted.push(segment.file);
    }
    if (deleted.length > 0) await fsyncDir(this.dir);
    return deleted;
  }

  /** Drops the whole log; the next append starts a segment at `nextLsn` (after a snapshot install). */
  async reset(nextLsn: number): Promise<void> {
    await this.flush();
    await this.closeSegment();
    for (const segment of await listSegments(this.dir)) await fsp.rm(`${this.dir}/${segment.file}`, { force: true });
    await fsyncDir(this.dir);
    this.writtenLsn = nextLsn - 1;
  }

  /**
   * Records from `lsn` on, up to about `maxBytes`, read from the files. Null when the log no
   * longer holds `lsn` (pruned, reset or never written here); [] when nothing is written yet.
   */
  async readFrom(lsn: number, maxBytes: number): Promise<DecodedRecord[] | null> {
    const segments = await listSegments(this.dir);
    let start = -1;
    for (let i = 0; i < segments.length; i++) if (segments[i]!.firstLsn <= lsn) start = i;
    if (start < 0) return null;
    const out: DecodedRecord[] = [];
    let bytes = 0;
    for (let i = start; i < segments.length && bytes < maxBytes; i++) {
      let buf: Buffer;
      try {
        buf = await fsp.readFile(`${this.dir}/${segments[i]!.file}`);
      } catch {
        return out.length > 0 ? out : null;
      }
      for (const record of decodeRecords(buf).records) {
        if (record.lsn < lsn + out.length) continue;
        if (record.lsn !== lsn + out.length) return out.length > 0 ? out : null;
        out.push(record);
        bytes += record.bytes.length;
        if (bytes >= maxBytes) break;
      }
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.syncTimer) clearInterval(this.syncTimer);
    this.syncTimer = null;
    await this.flush().catch(() => undefined);
    await this.closeSegment();
  }

  private async closeSegment(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    this.segmentBytes = 0;
    if (handle) {
      if (this.unsynced) await this.syncHandle(handle);
      await handle.close();
    }
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const records = this.pending;
        const done = this.batch;
        this.pending = [];
        this.batch = deferred();
        try {
          await this.writeBatch(records);
          done.resolve();
        } catch (error) {
          this.failed = error;
          done.reject(error);
          this.batch.reject(error);
          this.onFatal(error);
          return;
        }
      }
    } finally {
      this.writing = null;
    }
  }

  private async writeBatch(records: readonly PendingRecord[]): Promise<void> {
    const first = records[0]!;
    if (this.handle && (this.rotateRequested || this.segmentBytes >= MAX_SEGMENT_BYTES) && this.segmentBytes > 0) {
      await this.closeSegment();
    }
    this.rotateRequested = false;
    if (!this.handle) {
      this.handle = await fsp.open(`${this.dir}/${segmentName(first.lsn)}`, 'a');
      this.segmentBytes = (await this.handle.stat()).size;
      // The new file's name must survive a crash too.
      await fsyncDir(this.dir);
    }
    const bytes = records.length === 1 ? first.bytes : Buffer.concat(records.map((r) => r.bytes));
    await writeFully(this.handle, bytes);
    this.segmentBytes += bytes.length;
    this.writtenLsn = records[records.length - 1]!.lsn;
    this.unsynced = true;
    // Under steady load the writer is never idle, so the interval is also honoured here.
    if (this.policy === 'always' || Date.now() - this.lastSyncAt >= this.policy) await this.syncHandle(this.handle);
  }

  private async syncHandle(handle: fsp.FileHandle): Promise<void> {
    this.unsynced = false;
    this.lastSyncAt = Date.now();
    await handle.datasync();
  }

  private async syncIfDirty(): Promise<void> {
    if (!this.unsynced || !this.handle || this.writing) return;
    try {
      await this.syncHandle(this.handle);
    } catch (error) {
      this.failed = error;
      this.onFatal(error);
    }
  }
}
