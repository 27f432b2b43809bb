// The revert journal, `RUN_DIR/faults.journal`: one JSON line per fault applied (fsync'd BEFORE the
// fault is applied, with what is needed to undo it even if this engine dies) and one per fault
// reverted. The next engine on the same run folder settles what a crashed one left, then compacts.
import { closeSync, existsSync, fdatasyncSync, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { FaultType } from '../../../shared/contract/model';

export const JOURNAL_FILE = 'faults.journal';

export interface AppliedLine {
  v: 1;
  op: 'applied';
  /** The engine run that wrote it (fault ids restart at f-1 in each run). */
  session: string;
  /** The engine process that applied it (start time from /proc, when known): alive means not orphaned. */
  engine?: EngineRef;
  id: string;
  type: FaultType;
  kind: 'process' | 'network' | 'http' | 'checkpoint';
  target: string;
  at: number;
  /** What undoing it needs (for a pause: pid, its start time, how to recognise it as ours). */
  undo: Record<string, unknown>;
}

export interface RevertedLine {
  v: 1;
  op: 'reverted';
  session: string;
  id: string;
  at: number;
  how: string;
}

export type JournalLine = AppliedLine | RevertedLine;

export interface EngineRef {
  pid: number;
  startTime: string | null;
}

export const journalKey = (line: { session: string; id: string }): string => `${line.session} ${line.id}`;

/**
 * Synchronous on purpose: a line is on disk before the fault is applied, lines never interleave,
 * and an fdatasync of one short line costs well under a millisecond on a local disk.
 */
export class RevertJournal {
  readonly path: string;
  private fd: number | null = null;

  constructor(
    readonly runDir: string,
    readonly session: string,
    private readonly engine: EngineRef | null = null,
  ) {
    this.path = join(runDir, JOURNAL_FILE);
  }

  /** Durable before it returns: the fault may be applied once this returns. */
  applied(line: Omit<AppliedLine, 'v' | 'op' | 'session' | 'engine'>): void {
    const fd = this.open();
    writeSync(fd, `${JSON.stringify({ v: 1, op: 'applied', session: this.session, ...(this.engine ? { engine: this.engine } : {}), ...line })}\n`);
    fdatasyncSync(fd);
  }

  /**
   * Not fsync'd (halt writes up to one per fault, within its time budget): if the line is lost in a
   * power cut, the next start re-checks a fault already undone, which is harmless.
   */
  reverted(id: string, how: string, at: number): void {
    writeSync(this.open(), `${JSON.stringify({ v: 1, op: 'reverted', session: this.session, id, at, how })}\n`);
  }

  /** Every readable line; a line torn by a crash mid-write is counted, not parsed. */
  read(): { lines: JournalLine[]; unreadable: number } {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      return { lines: [], unreadable: 0 };
    }
    const lines: JournalLine[] = [];
    let unreadable = 0;
    for (const raw of text.split('\n')) {
      if (raw.trim() === '') continue;
      try {
        const line = JSON.parse(raw) as Partial<JournalLine>;
        if (line.v === 1 && (line.op === 'applied' || line.op === 'reverted') && typeof line.session === 'string' && typeof line.id === 'string') {
          lines.push(line as JournalLine);
        } else unreadable++;
      } catch {
        unreadable++;
      }
    }
    return { lines, unreadable };
  }

  /**
   * Rewrites the journal atomically with the `applied` lines still unsettled (neither reverted
   * nor in `settled`); removes the file when none is left. Returns how many lines it dropped.
   */
  compact(settled: ReadonlySet<string>): { kept: number; dropped: number } {
    const { lines, unreadable } = this.read();
    const reverted = new Set(lines.filter((l) => l.op === 'reverted').map(journalKey));
    const keep = lines.filter((l): l is AppliedLine => l.op === 'applied' && !reverted.has(journalKey(l)) && !settled.has(journalKey(l)));
    this.close();
    if (keep.length === 0) {
      if (existsSync(this.path)) unlinkSync(this.path);
    } else {
      const tmp = `${this.path}.tmp`;
      const fd = openSync(tmp, 'w');
      try {
        writeSync(fd, keep.map((l) => `${JSON.stringify(l)}\n`).join(''));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.path);
    }
    syncFolder(this.runDir);
    return { kept: keep.length, dropped: lines.length + unreadable - keep.length };
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private open(): number {
    if (this.fd === null) {
      mkdirSync(this.runDir, { recursive: true });
      const fd = openSync(this.path, 'a+');
      // A crash mid-write can leave a torn last line: start ours on a line of its own.
      const size = fstatSync(fd).size;
      if (size > 0) {
        const last = Buffer.alloc(1);
        readSync(fd, last, 0, 1, size - 1);
        if (last[0] !== 0x0a) writeSync(fd, '\n');
      }
      this.fd = fd;
    }
    return this.fd;
  }
}

function syncFolder(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // folders cannot be opened on some platforms
  }
}
