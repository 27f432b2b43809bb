import type { LogLine } from '../../../shared/contract/model';
import { now } from '../clock';

/** A fixed-size ring of one node's most recent lines; counts what it had to evict. */
export class LogRing {
  private readonly slots: Array<LogLine | undefined>;
  private head = 0;
  private size = 0;
  /** Lines ever pushed; the next line's sequence number. */
  written = 0;
  /** Lines evicted because the ring was full. */
  dropped = 0;

  constructor(readonly capacity: number) {
    this.slots = new Array<LogLine | undefined>(Math.max(1, capacity));
  }

  push(line: LogLine): void {
    const cap = this.slots.length;
    if (this.size === cap) {
      this.slots[this.head] = line;
      this.head = (this.head + 1) % cap;
      this.dropped++;
    } else {
      this.slots[(this.head + this.size) % cap] = line;
      this.size++;
    }
    this.written++;
  }

  /** Lines with sequence number >= `seq` still held, oldest first. */
  since(seq: number): LogLine[] {
    const oldest = this.written - this.size;
    const from = Math.max(seq, oldest);
    const out: LogLine[] = [];
    for (let s = from; s < this.written; s++) {
      const line = this.slots[(this.head + (s - oldest)) % this.slots.length];
      if (line) out.push(line);
    }
    return out;
  }

  toArray(): LogLine[] {
    return this.since(0);
  }
}

interface Source {
  ring: LogRing;
  flushedSeq: number;
  flushedDropped: number;
}

/**
 * Per-node rings plus one batched delivery: a flush is armed by the first line after the
 * previous flush and fires `flushMs` later, so a quiet fleet costs no timer at all.
 */
export class LogCollector {
  private readonly sources = new Map<string, Source>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly options: {
      capacity: number;
      flushMs: number;
      onFlush: (lines: LogLine[], dropped: number) => void;
    },
  ) {}

  append(nodeId: string, stream: LogLine['stream'], text: string, at: number = now()): void {
    this.source(nodeId).ring.push({ nodeId, stream, at, text });
    this.timer ??= setTimeout(() => this.flush(), this.options.flushMs);
  }

  lines(nodeId: string): LogLine[] {
    return this.sources.get(nodeId)?.ring.toArray() ?? [];
  }

  /** Forgets every node's lines (a new fleet); pending lines are delivered first. */
  reset(): void {
    this.flush();
    this.sources.clear();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch: LogLine[] = [];
    let dropped = 0;
    let sourcesWithLines = 0;
    for (const source of this.sources.values()) {
      const lines = source.ring.since(source.flushedSeq);
      if (lines.length > 0) sourcesWithLines++;
      for (const line of lines) batch.push(line);
      dropped += source.ring.dropped - source.flushedDropped;
      source.flushedSeq = source.ring.written;
      source.flushedDropped = source.ring.dropped;
    }
    if (batch.length === 0 && dropped === 0) return;
    // Interleave nodes by time only when more than one node spoke.
    if (sourcesWithLines > 1) batch.sort((a, b) => a.at - b.at);
    this.options.onFlush(batch, dropped);
  }

  dispose(): void {
    this.flush();
  }

  private source(nodeId: string): Source {
    let source = this.sources.get(nodeId);
    if (!source) {
      source = { ring: new LogRing(this.options.capacity), flushedSeq: 0, flushedDropped: 0 };
      this.sources.set(nodeId, source);
    }
    return source;
  }
}

/** Splits a text stream into lines; an unterminated line longer than `maxLine` is cut. */
export class LineSplitter {
  private rest = '';

  constructor(
    private readonly onLine: (text: string, at: number) => void,
    private readonly maxLine = 64 * 1024,
  ) {}

  push(chunk: string): void {
    const at = now();
    let start = 0;
    let newline = chunk.indexOf('\n');
    while (newline !== -1) {
      const piece = chunk.slice(start, newline);
      const line = this.rest === '' ? piece : this.rest + piece;
      this.rest = '';
      this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line, at);
      start = newline + 1;
      newline = chunk.indexOf('\n', start);
    }
    if (start < chunk.length) this.rest += chunk.slice(start);
    if (this.rest.length > this.maxLine) {
      this.onLine(this.rest, at);
      this.rest = '';
    }
  }

  end(): void {
    if (this.rest !== '') this.onLine(this.rest, now());
    this.rest = '';
  }
}
